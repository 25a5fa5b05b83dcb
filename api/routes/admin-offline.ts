import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { OFFLINE_PAGES_CAP, offlinePagesFor } from '../domain/supervision/offline-pages.ts';

/** The work app's list of pages to keep on the phone (admin/offline/service-worker.ts). Policy: api/http/policy.ts. */
export function adminOfflineRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>().get('/offline/pages', (c) => {
    const pages = offlinePagesFor(ctx.db, staff(c), ctx.clock());
    c.header('Cache-Control', 'no-store');
    return c.json({ pages, cap: OFFLINE_PAGES_CAP });
  });
}
