import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { taskEvents, taskEvidence, taskItems, tasks } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { visibleTask } from './scope.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { FIELD, hasRole } from '../shared/roles.ts';
import { processReportPhotos, type PhotoLimits } from '../shared/photos/pipeline.ts';
import type { PhotoStore } from '../shared/photos/store.ts';
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

export interface EvidenceDeps {
  db: Db;
  photos: PhotoStore;
  photoLimits: PhotoLimits;
}

/**
 * Marks a checklist line done with on-site photos and the officer's note. The photos are
 * re-encoded like a resident's; where and when they were taken is kept for staff only.
 */
export async function addEvidence(
  deps: EvidenceDeps,
  user: StaffUser,
  taskId: number,
  itemId: number,
  input: z.infer<typeof evidenceFields>,
  photos: Buffer[],
  now: Date,
): Promise<Result<{ count: number }>> {
  const { db, photos: store } = deps;
  const open = () => {
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
  const refused = open();
  if (refused) return refused;
  if (!hasRole(user, FIELD)) return fail(403, '只有属地村（社区）可以上传佐证');
  if (photos.length === 0) return fail(400, '请拍摄或选择至少一张现场照片');

  // staff are few: never refused as busy
  const processed = await processReportPhotos(photos, deps.photoLimits, { mayWait: true });
  if (!processed.ok) return fail(400, processed.message);
  const files = processed.photos.map((p) => ({ ...p, name: store.newName('webp'), thumbName: store.newName('webp') }));
  await store.writeAll(
    files.flatMap((f) => [
      { name: f.name, data: f.display },
      { name: f.thumbName, data: f.thumb },
    ]),
  );
  const names = files.flatMap((f) => [f.name, f.thumbName]);
  let saved: Result<{ count: number }>;
  try {
    saved = atomically(db, (tx) => {
      const again = open(); // the task may have been submitted while the photos were processed
      if (again) return again;
      for (const f of files) {
        const gps =
          f.exif?.lat != null
            ? { lat: f.exif.lat, lng: f.exif.lng }
            : input.lat != null && input.lng != null
              ? { lat: input.lat, lng: input.lng }
              : null;
        tx.insert(taskEvidence)
          .values({
            id: f.name.replace(/\.webp$/, ''),
            taskId,
            itemId,
            file: f.name,
            thumbFile: f.thumbName,
            width: f.width,
            height: f.height,
            bytes: f.display.length,
            exifLat: gps?.lat ?? null,
            exifLng: gps?.lng ?? null,
            exifTakenAt: f.exif?.takenAt ?? null,
            uploadedBy: user.id,
            exifSource: f.exif?.lat != null ? 'file' : gps ? 'browser' : null,
          })
          .run();
      }
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
    });
  } catch (err) {
    await store.removeAll(names);
    throw err;
  }
  if (!saved.ok) await store.removeAll(names); // files no row names
  return saved;
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
