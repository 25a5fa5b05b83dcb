import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { badQuery } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { createPlan, listPlans, planInput, verifyPlan } from '../domain/watch/patrol-plan.ts';
import { getPlan, linkPatrol, linkPatrolInput } from '../domain/watch/patrol-plan-view.ts';
import { riskRanking } from '../domain/watch/risk-facts.ts';
import { workingTownship } from '../domain/shared/township-links.ts';
import { RISK_WEIGHTS } from '../domain/watch/risk.ts';
import { decimal, optionalRecordId, recordId } from '../domain/shared/text-input.ts';

const NO_PLAN = '夜查计划不存在';
const idParam = z.object({ id: recordId('计划') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_PLAN);
};
const riskQuery = z.object({
  /** A county account's township (a township account's is its own). */
  townshipId: optionalRecordId('乡镇（街道）'),
  limit: decimal('条数', { integer: true, min: 1, max: 1000, range: '条数须在 1 到 1000 之间' }).optional(),
});

/** Night-patrol plans ordered by relapse risk (issue 15). Policy: api/http/policy.ts. */
export function adminPatrolPlanRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/patrol-plans', (c) => c.json({ plans: listPlans(ctx.db, staff(c)) }))
    .get('/relapse-risk', zValidator('query', riskQuery, badQuery), async (c) => {
      const { townshipId } = orThrow(workingTownship(ctx.db, staff(c), c.req.valid('query').townshipId));
      const rows = await riskRanking(ctx.db, townshipId, ctx.clock());
      return c.json({
        weights: RISK_WEIGHTS,
        total: rows.length,
        rows: rows.slice(0, c.req.valid('query').limit ?? 100),
      });
    })
    .post('/patrol-plans', async (c) => {
      const r = orThrow(await createPlan(ctx.db, staff(c), await jsonBody(c, planInput), ctx.clock()));
      return c.json({ id: r.id }, 201);
    })
    .get('/patrol-plans/:id', zValidator('param', idParam, notFound), (c) => {
      const p = getPlan(ctx.db, staff(c), c.req.valid('param').id);
      if (!p) throw new ApiError(404, NO_PLAN);
      return c.json(p);
    })
    .get('/patrol-plans/:id/verify', zValidator('param', idParam, notFound), async (c) => {
      const v = await verifyPlan(ctx.db, staff(c), c.req.valid('param').id);
      if (!v) throw new ApiError(404, NO_PLAN);
      return c.json(v);
    })
    .post('/patrol-plans/:id/patrol', zValidator('param', idParam, notFound), async (c) => {
      const { patrolId } = await jsonBody(c, linkPatrolInput);
      orThrow(linkPatrol(ctx.db, staff(c), c.req.valid('param').id, patrolId, ctx.clock()));
      return c.json({ ok: true });
    });
}
