import { type Context, Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { runDetection } from '../domain/watch/detection.ts';
import { lastRuns } from '../domain/watch/detection-runs.ts';
import { townshipOfUser } from '../domain/watch/risk-facts.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';

/**
 * Detection passes over the readings (issue 15): the office starts one (「立即检测」) besides the nightly pass
 * and the pass after each import. The pass yields to other requests as it goes; the answer waits for it (about
 * two seconds for a township of 20,000 meters, see README's benchmarks), on the user's township. Policy:
 * api/http/policy.ts.
 */
export function adminWatchRunRoutes(ctx: AppContext) {
  const townshipOf = (c: Context<StaffEnv>) => {
    const id = townshipOfUser(ctx.db, staff(c));
    if (id === null) throw new ApiError(404, '没有乡镇');
    return id;
  };
  return new Hono<StaffEnv>()
    .get('/watch/runs', (c) => c.json({ runs: lastRuns(ctx.db, townshipOf(c)) }))
    .post('/watch/runs', async (c) => {
      const user = staff(c);
      const actor = { id: user.id, label: user.displayName };
      return c.json(await runDetection(ctx.db, { townshipId: townshipOf(c), now: ctx.clock(), actor }), 201);
    });
}
