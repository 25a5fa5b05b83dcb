import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import type { StaffUser } from '../domain/accounts/sessions.ts';
import { createCampaign, listCampaigns, saveTargets, updateCampaign } from '../domain/targets/campaigns.ts';
import { campaignEditInput, newCampaignInput, targetsInput } from '../domain/targets/input.ts';
import { getCampaign, targetProgress } from '../domain/targets/progress.ts';
import { targetSplit } from '../domain/targets/split.ts';
import { optionalRecordId, recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('行动') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, '没有这项整治行动');
};
const progressQuery = z.object({ township: optionalRecordId('镇（街道）') });
const editor = (u: StaffUser) => ({ id: u.id, label: u.displayName, townshipId: u.townshipId });

/**
 * Campaigns and their targets (seed 001): the county office sets them, every office reads its own progress. Policy:
 * api/http/policy.ts; the county-only edits are refused to township accounts in api/domain/targets/campaigns.ts.
 */
export function adminCampaignRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/campaigns', (c) => {
      const u = staff(c);
      const progress = targetProgress(ctx.db, u, {}, ctx.clock());
      return c.json({ campaigns: listCampaigns(ctx.db), progress });
    })
    .post('/campaigns', async (c) => {
      const input = await jsonBody(c, newCampaignInput);
      return c.json(orThrow(createCampaign(ctx.db, editor(staff(c)), input, ctx.clock())), 201);
    })
    .get('/campaigns/:id', zValidator('param', idParam, notFound), async (c) => {
      const campaign = getCampaign(ctx.db, c.req.valid('param').id);
      if (!campaign) throw new ApiError(404, '没有这项整治行动');
      const u = staff(c);
      const now = ctx.clock();
      // A township account reads its own share only; the split across townships is the county's.
      const split = u.townshipId === null ? await targetSplit(ctx.db, campaign, now) : null;
      return c.json({ campaign, progress: targetProgress(ctx.db, u, { campaignId: campaign.id }, now), split });
    })
    .get(
      '/campaigns/:id/progress',
      zValidator('param', idParam, notFound),
      zValidator('query', progressQuery, (r) => {
        if (!r.success) throw new ApiError(400, r.error.issues[0]?.message ?? '查询条件有误');
      }),
      (c) => {
        const id = c.req.valid('param').id;
        if (!getCampaign(ctx.db, id)) throw new ApiError(404, '没有这项整治行动');
        const { township } = c.req.valid('query');
        return c.json({
          rows: targetProgress(ctx.db, staff(c), { campaignId: id, townshipId: township }, ctx.clock()),
        });
      },
    )
    .put('/campaigns/:id', zValidator('param', idParam, notFound), async (c) => {
      const input = await jsonBody(c, campaignEditInput);
      return c.json(orThrow(updateCampaign(ctx.db, editor(staff(c)), c.req.valid('param').id, input, ctx.clock())));
    })
    .put('/campaigns/:id/targets', zValidator('param', idParam, notFound), async (c) => {
      const input = await jsonBody(c, targetsInput);
      return c.json(orThrow(saveTargets(ctx.db, editor(staff(c)), c.req.valid('param').id, input, ctx.clock())));
    });
}
