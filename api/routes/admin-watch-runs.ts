import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { runDetection } from '../domain/watch/detection.ts';
import { lastRuns } from '../domain/watch/detection-runs.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';

/**
 * Detection passes over the readings (issue 15): the office starts one (「立即检测」) besides the nightly pass
 * and the pass after each import. The pass yields to other requests as it goes; the answer waits for it (about
 * a second for a township of 20,000 meters, see README's benchmarks). Policy: api/http/policy.ts.
 */
export function adminWatchRunRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/watch/runs', (c) => c.json({ runs: lastRuns(ctx.db) }))
    .post('/watch/runs', async (c) => {
      const user = staff(c);
      const r = await runDetection(ctx.db, { now: ctx.clock(), actor: { id: user.id, label: user.displayName } });
      return c.json(r, 201);
    });
}
