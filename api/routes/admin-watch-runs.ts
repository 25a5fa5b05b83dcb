import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

/** Detection passes over the readings (issue 15). Policy: api/http/policy.ts. */
export function adminWatchRunRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
