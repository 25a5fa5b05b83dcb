import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import type { StaffEnv } from '../http/staff-auth.ts';

export function adminApiKeyRoutes(_ctx: AppContext) {
  return new Hono<StaffEnv>();
}
