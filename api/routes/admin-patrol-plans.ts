import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

/** Night-patrol plans ordered by relapse risk (issue 15). Policy: api/http/policy.ts. */
export function adminPatrolPlanRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
