import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaints, departments, townships, users, villages } from '../../../db/schema.ts';
import {
  enterpriseComplaints,
  enterprises,
  taskDepartments,
  taskEvents,
  taskEvidence,
  taskItems,
  tasks,
  type TaskStatus,
} from '../../../db/schema-enforcement.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { complaintScope } from '../complaints/scope.ts';
import { isOffice } from '../shared/roles.ts';
import { enterpriseScope, taskScope, visibleEnterprise, visibleTask } from './scope.ts';
import { DEFAULT_EVIDENCE_RULES, type EvidenceRules, evidenceView } from '../shared/photos/views.ts';
import { daysLeft } from '../shared/time.ts';

export interface TaskFilter {
  status?: TaskStatus | 'active';
  villageId?: number;
  /** A county account's filter by township. */
  townshipId?: number;
  overdue?: boolean;
}

/** The file a task is about, outside this user's scope when it moved to another village after the task closed. */
export const OTHER_VILLAGE_ENTERPRISE = '其他村（社区）的企业';

const itemCounts = sql<string>`(select count(*) || '/' || (select count(*) from task_items i2 where i2.task_id =
  ${tasks.id}) from task_items i where i.task_id = ${tasks.id} and i.done_at is not null)`;

/** Tasks a staff member may see, soonest deadline first; a village officer gets his village's only. */
export function listTasks(db: Db, user: StaffUser, f: TaskFilter, now: Date) {
  const fileOpen = enterpriseScope(user) ?? sql`1`;
  const rows = db
    .select({
      id: tasks.id,
      type: tasks.type,
      status: tasks.status,
      dueAt: tasks.dueAt,
      returnCount: tasks.returnCount,
      enterpriseId: sql<number | null>`case when ${fileOpen} then ${enterprises.id} end`,
      enterpriseName: sql<string>`case when ${fileOpen} then ${enterprises.name} else ${OTHER_VILLAGE_ENTERPRISE} end`,
      address: sql<string | null>`case when ${fileOpen} then ${enterprises.address} end`,
      villageName: villages.name,
      townshipName: townships.name,
      items: itemCounts,
    })
    .from(tasks)
    .innerJoin(enterprises, eq(enterprises.id, tasks.enterpriseId))
    .innerJoin(villages, eq(villages.id, tasks.villageId))
    .innerJoin(townships, eq(townships.id, villages.townshipId))
    .where(
      and(
        taskScope(user),
        f.status === 'active' || f.overdue
          ? inArray(tasks.status, ['open', 'submitted'])
          : f.status
            ? eq(tasks.status, f.status)
            : undefined,
        f.villageId ? eq(tasks.villageId, f.villageId) : undefined,
        f.townshipId ? eq(villages.townshipId, f.townshipId) : undefined,
        f.overdue ? lt(tasks.dueAt, now) : undefined,
      ),
    )
    .orderBy(sql`${tasks.status} in ('accepted', 'cancelled')`, asc(tasks.dueAt))
    .limit(500)
    .all();
  return rows.map((r) => ({
    ...r,
    daysLeft: daysLeft(r.dueAt, now),
    overdue: (r.status === 'open' || r.status === 'submitted') && r.dueAt < now,
  }));
}

/** One task with its checklist, evidence, history and the complaints it answers. */
export function getTask(db: Db, user: StaffUser, id: number, now: Date, rules: EvidenceRules = DEFAULT_EVIDENCE_RULES) {
  const task = db.select().from(tasks).where(visibleTask(user, id)).get();
  if (!task) return null;
  const enterprise = db.select().from(enterprises).where(eq(enterprises.id, task.enterpriseId)).get()!;
  const fileOpen = !!db
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(visibleEnterprise(user, task.enterpriseId))
    .get();
  const village = db.select({ name: villages.name }).from(villages).where(eq(villages.id, task.villageId)).get()!;
  const depts = db
    .select({ id: departments.id, name: departments.name })
    .from(taskDepartments)
    .innerJoin(departments, eq(departments.id, taskDepartments.departmentId))
    .where(eq(taskDepartments.taskId, id))
    .all();
  const evidence = db
    .select()
    .from(taskEvidence)
    .where(eq(taskEvidence.taskId, id))
    // Ids are random: rowid keeps the order in which one upload's photos were sent.
    .orderBy(asc(taskEvidence.createdAt), sql`rowid`)
    .all();
  const office = isOffice(user);
  const items = db
    .select()
    .from(taskItems)
    .where(eq(taskItems.taskId, id))
    .orderBy(asc(taskItems.seq))
    .all()
    .map((item) => ({
      ...item,
      evidence: evidence
        .filter((e) => e.itemId === item.id)
        // How far from the enterprise each photo was taken: the acceptor's check that it is on site.
        .map((e) => evidenceView(e, enterprise, office, rules)),
    }));
  const events = db
    .select({
      action: taskEvents.action,
      fromStatus: taskEvents.fromStatus,
      toStatus: taskEvents.toStatus,
      note: taskEvents.note,
      at: taskEvents.at,
      actor: users.displayName,
    })
    .from(taskEvents)
    .leftJoin(users, eq(users.id, taskEvents.actorId))
    .where(eq(taskEvents.taskId, id))
    .orderBy(desc(taskEvents.at), desc(taskEvents.id))
    .all();
  const linked = db
    .select({ id: complaints.id, status: complaints.status, createdAt: complaints.createdAt })
    .from(enterpriseComplaints)
    .innerJoin(complaints, eq(complaints.id, enterpriseComplaints.complaintId))
    .where(and(eq(enterpriseComplaints.enterpriseId, task.enterpriseId), complaintScope(user)))
    .orderBy(asc(complaints.id))
    .all();
  const active = task.status === 'open' || task.status === 'submitted';
  return {
    ...task,
    enterpriseId: fileOpen ? task.enterpriseId : null,
    villageName: village.name,
    departments: depts,
    items,
    events,
    complaints: linked,
    enterprise: fileOpen
      ? {
          id: enterprise.id,
          name: enterprise.name,
          address: enterprise.address,
          personInCharge: enterprise.personInCharge,
          phone: enterprise.phone,
          lat: enterprise.lat,
          lng: enterprise.lng,
        }
      : {
          id: null,
          name: OTHER_VILLAGE_ENTERPRISE,
          address: null,
          personInCharge: null,
          phone: null,
          lat: null,
          lng: null,
        },
    overdue: active && task.dueAt < now,
    daysLeft: daysLeft(task.dueAt, now),
    missing: items.filter((i) => !i.doneAt).map((i) => i.label),
  };
}
