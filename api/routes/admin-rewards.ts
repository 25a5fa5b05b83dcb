import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { applyRewardAction, listRewards, proposeReward, rewardPanel } from '../domain/rewards/rewards.ts';
import { proposeInput, rewardActionInput } from '../domain/rewards/reward-workflow.ts';
import {
  addTier,
  createScheme,
  deleteTier,
  listSchemes,
  schemeInput,
  schemeUpdateInput,
  tierInput,
  tierVersionInput,
  updateScheme,
  updateTier,
} from '../domain/rewards/schemes.ts';
import { recordId } from '../domain/shared/text-input.ts';

const param = (label: string) => z.object({ id: recordId(label) });
const notFound = (what: string) => () => {
  throw new ApiError(404, `${what}不存在`);
};
const orNotFound =
  (what: string) =>
  (r: { success: boolean }): void => {
    if (!r.success) notFound(what)();
  };

/** 有奖举报: schemes (admin), proposals, four-eyes decisions, claims at the office, payments (api/http/policy.ts). */
export function adminRewardRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/rewards', (c) =>
      c.json({ rewards: listRewards(ctx.db, staff(c), ctx.clock()), schemes: listSchemes(ctx.db) }),
    )
    .post('/reward-schemes', async (c) => {
      const input = await jsonBody(c, schemeInput);
      return c.json(orThrow(createScheme(ctx.db, staff(c), input, ctx.clock())), 201);
    })
    .patch('/reward-schemes/:id', zValidator('param', param('奖励方案'), orNotFound('奖励方案')), async (c) => {
      const input = await jsonBody(c, schemeUpdateInput);
      return c.json(orThrow(updateScheme(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
    })
    .post('/reward-schemes/:id/tiers', zValidator('param', param('奖励方案'), orNotFound('奖励方案')), async (c) => {
      const input = await jsonBody(c, tierInput);
      return c.json(orThrow(addTier(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())), 201);
    })
    .patch('/reward-tiers/:id', zValidator('param', param('奖励档次'), orNotFound('奖励档次')), async (c) => {
      const input = await jsonBody(c, tierInput);
      return c.json(orThrow(updateTier(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
    })
    .delete('/reward-tiers/:id', zValidator('param', param('奖励档次'), orNotFound('奖励档次')), async (c) => {
      const { version } = await jsonBody(c, tierVersionInput);
      return c.json(orThrow(deleteTier(ctx.db, staff(c), c.req.valid('param').id, version, ctx.clock())));
    })
    .post('/rewards/:id/actions', zValidator('param', param('奖励'), orNotFound('奖励')), async (c) => {
      const input = await jsonBody(c, rewardActionInput);
      return c.json(orThrow(applyRewardAction(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
    })
    .get('/complaints/:id/reward', zValidator('param', param('举报'), orNotFound('举报')), (c) => {
      const panel = rewardPanel(ctx.db, staff(c), c.req.valid('param').id, ctx.clock());
      if (!panel) throw new ApiError(404, '举报不存在');
      return c.json(panel);
    })
    .post('/complaints/:id/reward', zValidator('param', param('举报'), orNotFound('举报')), async (c) => {
      const input = await jsonBody(c, proposeInput);
      return c.json(orThrow(proposeReward(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())), 201);
    });
}
