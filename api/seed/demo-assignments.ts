import { and, eq, like } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { complaintLimits } from '../env.ts';
import { complaints, departments } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { applyAction } from '../domain/complaints/actions.ts';
import { actOnAssignment } from '../domain/complaints/assignments.ts';

/** One sample report assigned to 竹林村 and the environment station, signed by the village: the loop shows at once. */
export function seedDemoAssignments(ctx: AppContext): void {
  const office = staffByUsername(ctx.db, 'shouli');
  const village = staffByUsername(ctx.db, 'zhulin');
  const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get();
  const sample = ctx.db
    .select({ id: complaints.id, villageId: complaints.villageId })
    .from(complaints)
    .where(and(eq(complaints.status, 'submitted'), like(complaints.description, '竹林村一栋民房%')))
    .get();
  if (!office || !village || !eco || !sample?.villageId) return;
  const limits = complaintLimits(ctx.env);
  const now = ctx.clock();
  const version = () =>
    ctx.db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, sample.id)).get()!.v;
  applyAction(
    ctx.db,
    office,
    sample.id,
    { action: 'accept', version: version(), reply: '您的举报已受理。' },
    limits,
    now,
  );
  applyAction(
    ctx.db,
    office,
    sample.id,
    {
      action: 'assign',
      version: version(),
      villageId: sample.villageId,
      departmentIds: [eco.id],
      reply: '已交竹林村和生态环境所核查。',
    },
    limits,
    now,
  );
  const item = ctx.db
    .select({ id: assignments.id, version: assignments.version })
    .from(assignments)
    .where(and(eq(assignments.complaintId, sample.id), eq(assignments.villageId, sample.villageId)))
    .get();
  if (item) actOnAssignment(ctx.db, village, item.id, { action: 'acknowledge', version: item.version }, limits, now);
}
