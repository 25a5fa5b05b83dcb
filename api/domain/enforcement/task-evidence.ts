import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { taskEvents, taskEvidence, taskItems, tasks } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { visibleTask } from './scope.ts';
import { fail, type Result } from '../shared/result.ts';
import { FIELD, hasRole } from '../shared/roles.ts';
import { withEvidence, type EvidenceDeps } from '../shared/photos/evidence.ts';
import { answeredBefore, type FieldSubmission, submitted } from '../shared/field-submission.ts';
import { decimalOrUndefined, freeText } from '../shared/text-input.ts';

export const evidenceFields = z.object({
  note: freeText('现场情况', {
    min: 2,
    max: 1000,
    required: '请写明现场情况',
    tooShort: '请写明现场情况（至少 2 个字）',
    tooLong: '说明最多 1000 个字',
  }),
  // The phone's position when the file carries no GPS (a camera app may strip it).
  lat: decimalOrUndefined('纬度', { min: -90, max: 90, invalid: '手机定位的纬度无效', range: '手机定位的纬度无效' }),
  lng: decimalOrUndefined('经度', { min: -180, max: 180, invalid: '手机定位的经度无效', range: '手机定位的经度无效' }),
});

/**
 * Marks a checklist line done with on-site photos and the officer's note. The photos are
 * re-encoded like a resident's; where and when they were taken is kept for staff only.
 * Sent again with the same Idempotency-Key, it answers as the first time and saves nothing.
 */
export async function addEvidence(
  deps: EvidenceDeps,
  user: StaffUser,
  taskId: number,
  itemId: number,
  input: z.infer<typeof evidenceFields>,
  photos: Buffer[],
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<Result<{ count: number }>> {
  const sent = submitted(user, fromPhone, `task-evidence:${taskId}:${itemId}`, now);
  const before = answeredBefore<{ count: number }>(deps.db, sent.once);
  if (before) return before;
  const open = (db: Db | Tx) => {
    const task = db.select({ status: tasks.status }).from(tasks).where(visibleTask(user, taskId)).get();
    if (!task) return fail(404, '任务不存在或无权查看');
    if (task.status !== 'open') return fail(400, '任务已提交或已结束，不能再上传佐证');
    const item = db
      .select({ id: taskItems.id })
      .from(taskItems)
      .where(and(eq(taskItems.id, itemId), eq(taskItems.taskId, taskId)))
      .get();
    return item ? null : fail(404, '清单项目不存在');
  };
  const refused = open(deps.db);
  if (refused) return refused;
  if (!hasRole(user, FIELD)) return fail(403, '只有属地村（社区）可以上传佐证');

  return withEvidence(
    deps,
    photos,
    input,
    (tx, files) => {
      const again = open(tx); // the task may have been submitted while the photos were processed
      if (again) return again;
      for (const f of files)
        tx.insert(taskEvidence)
          .values({ ...f, taskId, itemId, uploadedBy: user.id })
          .run();
      tx.update(taskItems)
        .set({ doneAt: now, doneBy: user.id, note: input.note })
        .where(eq(taskItems.id, itemId))
        .run();
      tx.update(tasks).set({ updatedAt: now, updatedBy: user.id }).where(eq(tasks.id, taskId)).run();
      tx.insert(taskEvents)
        .values({
          taskId,
          action: 'item_done',
          fromStatus: 'open',
          toStatus: 'open',
          actorId: user.id,
          note: input.note,
          at: now,
        })
        .run();
      audit(
        tx,
        { id: user.id, label: user.displayName },
        { action: 'task.evidence', objectType: 'task', objectId: taskId, details: { itemId, photos: files.length } },
        now,
      );
      return { ok: true as const, count: files.length };
    },
    sent,
  );
}

/** A stored evidence file, if this staff member may see the task. */
export function evidenceFile(
  db: Db,
  user: StaffUser,
  taskId: number,
  evidenceId: string,
  size: 'display' | 'thumb',
): string | null {
  const task = db.select({ id: tasks.id }).from(tasks).where(visibleTask(user, taskId)).get();
  if (!task) return null;
  const row = db
    .select({ file: taskEvidence.file, thumb: taskEvidence.thumbFile })
    .from(taskEvidence)
    .where(and(eq(taskEvidence.id, evidenceId), eq(taskEvidence.taskId, taskId)))
    .get();
  return row ? (size === 'thumb' ? row.thumb : row.file) : null;
}
