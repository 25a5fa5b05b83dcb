import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

/** Other departments' registers and figures, 亩产效益, landlords (issue 15). Policy: api/http/policy.ts. */
export function adminDepartmentDataRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
