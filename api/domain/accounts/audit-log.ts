import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { recordId } from '../shared/text-input.ts';
import type { Db } from '../../../db/client.ts';
import { auditLog } from '../../../db/schema.ts';
import { DAY_MS, startOfBeijingDay } from '../shared/time.ts';

export const auditQuery = z.object({
  action: z.string().max(60).optional().catch(undefined),
  actor: recordId('操作人').optional().catch(undefined),
  objectType: z.string().max(30).optional().catch(undefined),
  objectId: z.string().max(40).optional().catch(undefined),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .catch(undefined),
  before: recordId('位置').optional().catch(undefined),
});
export type AuditQuery = z.infer<typeof auditQuery>;

/** The audit log for admins, newest first, by keyset on id. */
export function listAudit(db: Db, q: AuditQuery, limit = 100) {
  const where: SQL[] = [];
  if (q.action) where.push(like(auditLog.action, `${q.action}%`));
  if (q.actor) where.push(eq(auditLog.actorId, q.actor));
  if (q.objectType) where.push(eq(auditLog.objectType, q.objectType));
  if (q.objectId) where.push(eq(auditLog.objectId, q.objectId));
  if (q.from) where.push(gte(auditLog.at, startOfBeijingDay(q.from)));
  if (q.to) where.push(lt(auditLog.at, new Date(startOfBeijingDay(q.to).getTime() + DAY_MS)));
  if (q.before) where.push(lt(auditLog.id, q.before));
  const rows = db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1)
    .all();
  return { rows: rows.slice(0, limit), nextBefore: rows.length > limit ? rows[limit - 1]!.id : null };
}
