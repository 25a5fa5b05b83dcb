import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints, departments } from '../../../db/schema.ts';
import {
  enterpriseComplaints,
  enterprises,
  taskDepartments,
  taskEvents,
  taskItems,
  tasks,
} from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffScope, StaffUser } from '../accounts/sessions.ts';
import { applyAction, type Limits } from '../complaints/actions.ts';
import { complaintScope, visibleComplaint } from '../complaints/scope.ts';
import { REMEDIATION_LABELS } from './labels.ts';
import { isOffice } from '../shared/roles.ts';
import { visibleEnterprise } from './scope.ts';
import { setEnterpriseStatus } from './enterprises.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { bumpPublicCases } from '../shared/public-version.ts';
import { checklistFor } from './task-checklists.ts';
import type { TaskCreateInput } from './task-workflow.ts';
import { beijingDate, endOfBeijingDay } from '../shared/time.ts';
import { departmentServes } from '../shared/township-links.ts';

type Actor = Pick<StaffUser, 'id' | 'displayName'> & StaffScope;
type Origin = (typeof tasks.$inferInsert)['origin'];

/** Links complaints to an enterprise file (一企一档); a complaint belongs to one enterprise at most. */
export function linkComplaints(
  db: Db | Tx,
  user: Actor,
  enterpriseId: number,
  complaintIds: number[],
  now: Date,
): Result<{ linked: number[] }> {
  return atomically(db, (tx) => {
    const ent = tx
      .select({ id: enterprises.id, townshipId: enterprises.townshipId })
      .from(enterprises)
      .where(visibleEnterprise(user, enterpriseId))
      .get();
    if (!ent) return fail(404, '企业不存在或无权查看');
    const linked: number[] = [];
    for (const id of new Set(complaintIds)) {
      const c = tx
        .select({ townshipId: complaints.townshipId })
        .from(complaints)
        .where(visibleComplaint(user, id))
        .get();
      if (!c) return fail(400, `举报 #${id} 不存在或无权查看`);
      // A report near the border that the other township holds is theirs to link, or to hand over first.
      if (c.townshipId !== ent.townshipId) return fail(400, `举报 #${id} 不在该企业所在的乡镇（街道），不能关联`);
      const existing = tx.select().from(enterpriseComplaints).where(eq(enterpriseComplaints.complaintId, id)).get();
      if (existing && existing.enterpriseId !== enterpriseId) return fail(409, `举报 #${id} 已关联到另一家企业`);
      if (existing) continue;
      tx.insert(enterpriseComplaints).values({ complaintId: id, enterpriseId, linkedBy: user.id, linkedAt: now }).run();
      linked.push(id);
    }
    if (linked.length) {
      audit(
        tx,
        { id: user.id, label: user.displayName },
        {
          action: 'enterprise.link_complaints',
          objectType: 'enterprise',
          objectId: enterpriseId,
          details: { complaintIds: linked },
        },
        now,
      );
      bumpPublicCases(); // the enterprise's published cases now mask these reporters too: cached pages go
    }
    return { ok: true, linked };
  });
}

/** Opens enforcement work on one enterprise, with its checklist; its open complaints are assigned to the village. */
export function createTask(
  db: Db | Tx,
  user: Actor,
  input: TaskCreateInput,
  limits: Limits,
  now: Date,
  origin: Origin = 'survey',
): Result<{ id: number }> {
  // A revisit's finding reopens work wherever it is recorded, the village included.
  if (!isOffice(user) && origin !== 'revisit') return fail(403, '只有整治办可以下达任务');
  return atomically(db, (tx) => {
    const ent = tx.select().from(enterprises).where(visibleEnterprise(user, input.enterpriseId)).get();
    if (!ent) return fail(404, '企业不存在或无权查看');
    const active = tx
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.enterpriseId, ent.id), inArray(tasks.status, ['open', 'submitted'])))
      .get();
    if (active) return fail(409, `该企业已有进行中的整治任务 #${active.id}`);
    if (input.dueOn < beijingDate(now)) return fail(400, '完成期限不能早于今天');
    const deptIds = [...new Set(input.departmentIds)];
    if (
      deptIds.length &&
      tx.select({ id: departments.id }).from(departments).where(inArray(departments.id, deptIds)).all().length !==
        deptIds.length
    ) {
      return fail(400, '所选部门不存在');
    }
    // County departments join work anywhere; a township's 站所 only its own township's.
    if (deptIds.some((d) => !departmentServes(tx, d, ent.townshipId)))
      return fail(400, '参与部门：所选站所不属于该企业所在的乡镇（街道）');
    const items = checklistFor(input.type, { optional: input.optionalItems, areas: input.areas });
    const task = tx
      .insert(tasks)
      .values({
        enterpriseId: ent.id,
        villageId: ent.villageId,
        type: input.type,
        origin,
        villageLead: input.villageLead,
        townshipLead: input.townshipLead,
        departmentLead: input.departmentLead,
        measures: input.measures,
        dueAt: endOfBeijingDay(input.dueOn),
        createdBy: user.id,
        updatedBy: user.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: tasks.id })
      .get();
    for (const d of deptIds) tx.insert(taskDepartments).values({ taskId: task.id, departmentId: d }).run();
    for (const [i, item] of items.entries())
      tx.insert(taskItems)
        .values({ taskId: task.id, seq: i + 1, code: item.code, label: item.label })
        .run();
    tx.insert(taskEvents)
      .values({
        taskId: task.id,
        action: 'create',
        toStatus: 'open',
        actorId: user.id,
        note: input.measures || null,
        at: now,
      })
      .run();
    setEnterpriseStatus(tx, ent.id, 'in_progress', now, {
      remediationType: input.type,
      plannedOn: input.dueOn,
      responsible: input.villageLead,
    });

    const link = linkComplaints(tx, user, ent.id, input.complaintIds, now);
    if (!link.ok) return link;
    for (const id of new Set(input.complaintIds)) {
      const c = tx
        .select({ status: complaints.status, version: complaints.version })
        .from(complaints)
        .where(eq(complaints.id, id))
        .get()!;
      if (c.status !== 'accepted' && c.status !== 'assigned') continue;
      const r = applyAction(
        tx,
        user as StaffUser,
        id,
        {
          action: 'assign',
          version: c.version,
          villageId: ent.villageId,
          departmentIds: deptIds,
          reply: `已列入整治任务，由属地村（社区）按“${REMEDIATION_LABELS[input.type]}”要求于 ${input.dueOn} 前完成。`,
        },
        limits,
        now,
      );
      if (!r.ok) return fail(409, `举报 #${id}：${r.message}`);
    }
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'task.create',
        objectType: 'task',
        objectId: task.id,
        details: {
          enterpriseId: ent.id,
          type: input.type,
          dueOn: input.dueOn,
          departmentIds: deptIds,
          items: items.map((i) => i.code),
          complaintIds: input.complaintIds,
          origin,
        },
      },
      now,
    );
    return { ok: true, id: task.id };
  });
}

/** Open complaints of an enterprise that a new task would answer (accepted or already assigned). */
export function openComplaintsOf(db: Db, user: Actor, enterpriseId: number) {
  return db
    .select({
      id: complaints.id,
      status: complaints.status,
      description: complaints.description,
      createdAt: complaints.createdAt,
    })
    .from(enterpriseComplaints)
    .innerJoin(complaints, eq(complaints.id, enterpriseComplaints.complaintId))
    .where(
      and(
        eq(enterpriseComplaints.enterpriseId, enterpriseId),
        inArray(complaints.status, ['accepted', 'assigned']),
        complaintScope(user),
      ),
    )
    .all();
}
