import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { taskEvidence, taskItems, tasks } from '../../../../db/schema-enforcement.ts';

/**
 * An enterprise file's task evidence, oldest first, as photos staff may pick to publish (a typical case's, or the
 * closing evidence on /track): a label and the staff URLs of its sizes. The caller has checked the user may see it.
 */
export function taskEvidencePicks(db: Db, enterpriseId: number) {
  return db
    .select({
      id: taskEvidence.id,
      taskId: taskEvidence.taskId,
      label: taskItems.label,
      width: taskEvidence.width,
      height: taskEvidence.height,
      file: taskEvidence.file,
    })
    .from(taskEvidence)
    .innerJoin(tasks, eq(tasks.id, taskEvidence.taskId))
    .innerJoin(taskItems, eq(taskItems.id, taskEvidence.itemId))
    .where(eq(tasks.enterpriseId, enterpriseId))
    .orderBy(asc(taskEvidence.createdAt))
    .all()
    .map((e) => ({
      id: e.id,
      label: `任务 #${e.taskId} · ${e.label}`,
      width: e.width,
      height: e.height,
      file: e.file,
      thumbUrl: `/api/admin/tasks/${e.taskId}/evidence/${e.id}/thumb`,
      displayUrl: `/api/admin/tasks/${e.taskId}/evidence/${e.id}/display`,
    }));
}
