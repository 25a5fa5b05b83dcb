import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

/** Meters (户号) and the utility's imports (issue 15). Policy: api/http/policy.ts. */
export function adminMeterRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
