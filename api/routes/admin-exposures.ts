import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

export function adminExposureRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
