import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { runDetection } from '../domain/watch/detection.ts';
import { lastRuns } from '../domain/watch/detection-runs.ts';
import { workingTownship } from '../domain/shared/township-links.ts';
import { optionalRecordId } from '../domain/shared/text-input.ts';
import { jsonBody } from '../http/body.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';

/** A county account names the township to run on; a township account runs on its own. */
const runInput = z.object({ townshipId: optionalRecordId('乡镇（街道）') });

/**
 * Detection passes over the readings (issue 15): the office starts one (「立即检测」) besides the nightly pass
 * and the pass after each import. The pass yields to other requests as it goes; the answer waits for it (about
 * two seconds for a township of 20,000 meters, see README's benchmarks), on the user's township (a county account's
 * choice). Policy: api/http/policy.ts.
 */
export function adminWatchRunRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/watch/runs', (c) => c.json({ runs: lastRuns(ctx.db, staff(c).townshipId) }))
    .post('/watch/runs', async (c) => {
      const user = staff(c);
      const body = c.req.header('content-type')?.includes('json') ? await jsonBody(c, runInput) : {};
      const { townshipId } = orThrow(workingTownship(ctx.db, user, body.townshipId));
      const actor = { id: user.id, label: user.displayName };
      return c.json(await runDetection(ctx.db, { townshipId, now: ctx.clock(), actor }), 201);
    });
}
