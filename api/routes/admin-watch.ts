import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

/** Power flags and the rules behind them (issue 15). Policy: api/http/policy.ts. */
export function adminWatchRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
