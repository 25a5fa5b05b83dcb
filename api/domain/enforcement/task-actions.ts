import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints } from '../../../db/schema.ts';
import { enterpriseComplaints, revisits, taskEvents, taskItems, tasks } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { applyAction, type Limits } from '../complaints/actions.ts';
import { REMEDIATION_LABELS, TASK_STATUS_LABELS } from './labels.ts';
import { FIELD, hasRole, isOffice } from '../shared/roles.ts';
import { visibleTask } from './scope.ts';
import { setEnterpriseStatus } from './enterprises.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { nextTaskStatus, TASK_ACTION_LABELS, TASK_TRANSITIONS, type TaskActionInput } from './task-workflow.ts';
import { beijingDate, DAY_MS } from '../shared/time.ts';

export interface TaskActionConfig extends Limits {
  /** Days after acceptance when revisits (回头看) fall due. */
  revisitDays: number[];
}

/** Applies one action to a task through the state machine: scoped, version-checked, evented, audited. */
export function applyTaskAction(
  db: Db,
  user: StaffUser,
  id: number,
  input: TaskActionInput,
  cfg: TaskActionConfig,
  now: Date,
): Result<{ version: number; status: string }> {
  return atomically(db, (tx) => {
    const task = tx.select().from(tasks).where(visibleTask(user, id)).get();
    if (!task) return fail(404, '任务不存在或无权查看');
    const rule = TASK_TRANSITIONS[input.action];
    if (rule.by === 'office' && !isOffice(user)) return fail(403, `只有整治办可以${TASK_ACTION_LABELS[input.action]}`);
    if (rule.by === 'field' && !hasRole(user, FIELD)) return fail(403, '只有属地村（社区）可以提交验收');
    if (task.version !== input.version) return fail(409, '任务已被他人更新，请刷新后再操作');
    const to = nextTaskStatus(input.action, task.status);
    if (!to)
      return fail(400, `任务当前为「${TASK_STATUS_LABELS[task.status]}」，不能${TASK_ACTION_LABELS[input.action]}`);

    const set: Partial<typeof tasks.$inferInsert> = { status: to };
    const note = 'reason' in input ? input.reason : (input.note ?? null);
    switch (input.action) {
      case 'submit': {
        const missing = tx
          .select({ label: taskItems.label })
          .from(taskItems)
          .where(and(eq(taskItems.taskId, id), isNull(taskItems.doneAt)))
          .all();
        if (missing.length)
          return fail(400, `以下项目还没有现场照片佐证，不能提交验收：${missing.map((m) => m.label).join('、')}`);
        set.submittedAt = now;
        break;
      }
      case 'accept':
        set.acceptedAt = now;
        setEnterpriseStatus(tx, task.enterpriseId, 'done', now, { progressNote: `${beijingDate(now)} 通过验收` });
        // A new acceptance replaces the revisits an earlier one scheduled.
        tx.update(revisits)
          .set({ status: 'cancelled' })
          .where(and(eq(revisits.enterpriseId, task.enterpriseId), eq(revisits.status, 'scheduled')))
          .run();
        for (const days of cfg.revisitDays) {
          tx.insert(revisits)
            .values({
              enterpriseId: task.enterpriseId,
              villageId: task.villageId,
              taskId: id,
              dueAt: new Date(now.getTime() + days * DAY_MS),
            })
            .run();
        }
        {
          const r = resolveComplaints(tx, user, task, cfg, now);
          if (!r.ok) return r;
        }
        break;
      case 'return':
        set.returnCount = task.returnCount + 1;
        if (input.redoItemIds.length) {
          const redo = tx
            .update(taskItems)
            .set({ doneAt: null, doneBy: null })
            .where(and(eq(taskItems.taskId, id), inArray(taskItems.id, input.redoItemIds)))
            .run();
          if (redo.changes !== new Set(input.redoItemIds).size) return fail(400, '要求重做的项目不属于这个任务');
        }
        break;
      case 'cancel':
        setEnterpriseStatus(tx, task.enterpriseId, 'listed', now);
        break;
    }
    tx.update(tasks)
      .set({ ...set, version: task.version + 1, updatedBy: user.id, updatedAt: now })
      .where(eq(tasks.id, id))
      .run();
    tx.insert(taskEvents)
      .values({
        taskId: id,
        action: input.action,
        fromStatus: task.status,
        toStatus: to,
        actorId: user.id,
        note,
        at: now,
      })
      .run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: `task.${input.action}`,
        objectType: 'task',
        objectId: id,
        reason: 'reason' in input ? input.reason : null,
        details: {
          from: task.status,
          to,
          ...('redoItemIds' in input && input.redoItemIds.length ? { redoItemIds: input.redoItemIds } : {}),
        },
      },
      now,
    );
    return { ok: true, version: task.version + 1, status: to };
  });
}

/** Acceptance answers the reporters: every open complaint about the enterprise is resolved, with a reply. */
function resolveComplaints(
  tx: Tx,
  user: StaffUser,
  task: typeof tasks.$inferSelect,
  limits: Limits,
  now: Date,
): Result<object> {
  const open = tx
    .select({ id: complaints.id, status: complaints.status, version: complaints.version })
    .from(enterpriseComplaints)
    .innerJoin(complaints, eq(complaints.id, enterpriseComplaints.complaintId))
    .where(
      and(
        eq(enterpriseComplaints.enterpriseId, task.enterpriseId),
        inArray(complaints.status, ['accepted', 'assigned']),
      ),
    )
    .all();
  const reply = `经属地核查，已完成整治（${REMEDIATION_LABELS[task.type]}），并于 ${beijingDate(now)} 通过验收。感谢您的监督。`;
  for (const c of open) {
    let version = c.version;
    if (c.status === 'accepted') {
      const r = applyAction(
        tx,
        user,
        c.id,
        { action: 'assign', version, villageId: task.villageId, departmentIds: [] },
        limits,
        now,
      );
      if (!r.ok) return fail(409, `举报 #${c.id}：${r.message}`);
      version = r.version;
    }
    const r = applyAction(tx, user, c.id, { action: 'resolve', version, reply }, limits, now);
    if (!r.ok) return fail(409, `举报 #${c.id}：${r.message}`);
  }
  return { ok: true };
}
