import { asc, eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { addCasePhoto } from '../domain/public/case-photos.ts';
import { applyCaseAction, createCase } from '../domain/public/cases.ts';
import { taskEvidence, tasks } from '../../db/schema-enforcement.ts';
import { cases } from '../../db/schema-public.ts';

/**
 * One published typical case from the demo's accepted shutdown: written by admin, a region of a
 * photo blurred, approved by the triage officer (four-eyes). Call after seedDemoEnforcement.
 */
export async function seedDemoCases(ctx: AppContext): Promise<number | null> {
  const author = staffByUsername(ctx.db, 'admin'),
    approver = staffByUsername(ctx.db, 'shouli');
  const task = ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(eq(tasks.status, 'accepted'))
    .orderBy(asc(tasks.id))
    .get();
  if (!author || !approver || !task) return null;
  const now = ctx.clock();
  const created = createCase(ctx.db, author, { taskId: task.id }, now);
  if (!created.ok) return null;
  const id = created.id;
  const version = () => ctx.db.select({ v: cases.version }).from(cases).where(eq(cases.id, id)).get()!.v;
  const evidence = ctx.db
    .select({ id: taskEvidence.id })
    .from(taskEvidence)
    .where(eq(taskEvidence.taskId, task.id))
    .orderBy(asc(taskEvidence.createdAt))
    .all();
  const picks = [
    { photo: evidence[0], kind: 'before' as const, blur: [{ x: 0.25, y: 0.55, w: 0.12, h: 0.2 }] },
    { photo: evidence.at(-1), kind: 'after' as const, blur: [] },
  ];
  for (const p of picks) {
    if (!p.photo || (p.kind === 'after' && evidence.length < 2)) continue;
    await addCasePhoto(
      ctx,
      author,
      id,
      { source: 'evidence', sourceId: p.photo.id, kind: p.kind, blur: p.blur, version: version() },
      now,
    );
  }
  applyCaseAction(ctx.db, author, id, { action: 'submit', version: version() }, now);
  const published = applyCaseAction(ctx.db, approver, id, { action: 'approve', version: version() }, now);
  return published.ok ? id : null;
}
