import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';
import { auditQuery, listAudit } from '../domain/accounts/audit-log.ts';

/** Admin: the audit log. Policy: api/http/policy.ts. */
export function adminAuditRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>().get('/audit', (c) => c.json(listAudit(ctx.db, auditQuery.parse(c.req.query()))));
}
