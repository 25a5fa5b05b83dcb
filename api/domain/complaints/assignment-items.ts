import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { assignmentEvents, assignments } from '../../../db/schema-supervision.ts';
import { notify } from '../accounts/notifications.ts';
import { afterWorkdays, DAY_MS, fmtTime } from '../shared/time.ts';
import { LIVE_ASSIGNMENT } from './assignment-workflow.ts';

export interface ItemLimits {
  ackWorkdays: number;
  answerDays: number;
}

/** Ends a complaint's open work items (re-assigned, or finished another way), with an event on each. */
export function withdrawLiveItems(tx: Tx, complaintId: number, actorId: number, note: string, now: Date) {
  const live = tx
    .select({ id: assignments.id, status: assignments.status })
    .from(assignments)
    .where(and(eq(assignments.complaintId, complaintId), inArray(assignments.status, [...LIVE_ASSIGNMENT])))
    .all();
  for (const item of live) {
    tx.update(assignments)
      .set({ status: 'withdrawn', version: sql`${assignments.version} + 1`, updatedAt: now, updatedBy: actorId })
      .where(eq(assignments.id, item.id))
      .run();
    tx.insert(assignmentEvents)
      .values({
        assignmentId: item.id,
        action: 'withdraw',
        fromStatus: item.status,
        toStatus: 'withdrawn',
        actorId,
        note,
        at: now,
      })
      .run();
  }
  return live.length;
}

/**
 * 交办: one work item for the village and one for each joining department, each with its own limits:
 * 签收 within working days, 反馈 by the complaint's deadline (or sooner, when configured).
 */
export function createItems(
  tx: Tx,
  actorId: number,
  complaint: { id: number; villageId: number; dueAt: Date },
  departmentIds: number[],
  limits: ItemLimits,
  now: Date,
) {
  withdrawLiveItems(tx, complaint.id, actorId, '重新交办', now);
  const ackDueAt = afterWorkdays(now, limits.ackWorkdays);
  const own = limits.answerDays > 0 ? new Date(now.getTime() + limits.answerDays * DAY_MS) : complaint.dueAt;
  const answerDueAt = new Date(Math.max(ackDueAt.getTime(), Math.min(own.getTime(), complaint.dueAt.getTime())));
  const ids: number[] = [];
  for (const departmentId of [null, ...departmentIds]) {
    const row = tx
      .insert(assignments)
      .values({
        complaintId: complaint.id,
        villageId: complaint.villageId,
        departmentId,
        ackDueAt,
        answerDueAt,
        createdBy: actorId,
        updatedBy: actorId,
        updatedAt: now,
      })
      .returning({ id: assignments.id })
      .get();
    ids.push(row.id);
    tx.insert(assignmentEvents)
      .values({ assignmentId: row.id, action: 'create', fromStatus: null, toStatus: 'pending', actorId, at: now })
      .run();
    notify(
      tx,
      departmentId == null ? { villageId: complaint.villageId } : { departmentId },
      {
        kind: 'assigned',
        text: `举报 #${complaint.id} 已交办，请于 ${fmtTime(ackDueAt)} 前签收，${fmtTime(answerDueAt)} 前反馈`,
        link: `/admin/assignments/${row.id}`,
        dedupeKey: `assigned:${row.id}`,
      },
      now,
    );
  }
  return ids;
}
