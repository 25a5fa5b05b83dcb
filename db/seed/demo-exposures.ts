import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../../api/context.ts';
import { staffByUsername } from '../../api/services/auth/sessions.ts';
import { addExposurePhoto } from '../../api/services/exposure-photos.ts';
import { applyExposureAction, createExposure } from '../../api/services/exposures.ts';
import { taskEvidence, tasks } from '../schema-enforcement.ts';
import { exposures } from '../schema-public.ts';

/**
 * One published typical case from the demo's accepted shutdown: written by admin, a region of a
 * photo blurred, approved by the triage officer (four-eyes). Call after seedDemoEnforcement.
 */
export async function seedDemoExposures(ctx: AppContext): Promise<number | null> {
  const author = staffByUsername(ctx.db, 'admin'), approver = staffByUsername(ctx.db, 'shouli');
  const task = ctx.db.select({ id: tasks.id }).from(tasks).where(eq(tasks.status, 'accepted')).orderBy(asc(tasks.id)).get();
  if (!author || !approver || !task) return null;
  const now = ctx.clock();
  const created = createExposure(ctx.db, author, { taskId: task.id }, now);
  if (!created.ok) return null;
  const id = created.id;
  const version = () => ctx.db.select({ v: exposures.version }).from(exposures).where(eq(exposures.id, id)).get()!.v;
  const evidence = ctx.db.select({ id: taskEvidence.id }).from(taskEvidence).where(eq(taskEvidence.taskId, task.id)).orderBy(asc(taskEvidence.createdAt)).all();
  const picks = [
    { photo: evidence[0], kind: 'before' as const, blur: [{ x: 0.25, y: 0.55, w: 0.12, h: 0.2 }] },
    { photo: evidence.at(-1), kind: 'after' as const, blur: [] },
  ];
  for (const p of picks) {
    if (!p.photo || (p.kind === 'after' && evidence.length < 2)) continue;
    await addExposurePhoto(ctx, author, id, { source: 'evidence', sourceId: p.photo.id, kind: p.kind, blur: p.blur, version: version() }, now);
  }
  applyExposureAction(ctx.db, author, id, { action: 'submit', version: version() }, now);
  const published = applyExposureAction(ctx.db, approver, id, { action: 'approve', version: version() }, now);
  return published.ok ? id : null;
}
