import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { badQuery } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { decideFlag } from '../domain/watch/flag-decisions.ts';
import { flagActionInput } from '../domain/watch/flag-workflow.ts';
import { flagFilter, getFlag, listFlags } from '../domain/watch/flags.ts';
import { ruleStats } from '../domain/watch/rule-stats.ts';
import { ruleEditInput, saveRule } from '../domain/watch/rule-edit.ts';
import { loadRuleParams, RULE_FIELDS, RULE_LABELS, RULE_SUMMARIES } from '../domain/watch/rule-params.ts';
import { WATCH_RULES } from '../../db/schema-watch.ts';
import { recordId } from '../domain/shared/text-input.ts';

const NO_FLAG = '用电监测标记不存在或无权查看';
const idParam = z.object({ id: recordId('标记') });
const ruleParam = z.object({ rule: z.enum(WATCH_RULES) });
const noRule = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, '没有这条监测规则');
};
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_FLAG);
};

/** Power flags and the rules behind them (issue 15). Policy: api/http/policy.ts; rows narrowed by flagScope. */
export function adminWatchRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/watch/flags', zValidator('query', flagFilter, badQuery), (c) => {
      const user = staff(c);
      return c.json({ flags: listFlags(ctx.db, user, c.req.valid('query')), rules: ruleStats(ctx.db, user) });
    })
    .get('/watch/flags/:id', zValidator('param', idParam, notFound), (c) => {
      const flag = getFlag(ctx.db, staff(c), c.req.valid('param').id, ctx.clock());
      if (!flag) throw new ApiError(404, NO_FLAG);
      return c.json(flag);
    })
    .post('/watch/flags/:id/actions', zValidator('param', idParam, notFound), async (c) => {
      const input = await jsonBody(c, flagActionInput);
      const r = orThrow(decideFlag(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock()));
      return c.json({ ok: true, status: r.status, revisitId: r.revisitId, enterpriseId: r.enterpriseId });
    })
    .get('/watch/rules', (c) => {
      const settings = loadRuleParams(ctx.db);
      const stats = ruleStats(ctx.db, staff(c));
      return c.json({
        rules: WATCH_RULES.map((rule, i) => ({
          rule,
          label: RULE_LABELS[rule],
          summary: RULE_SUMMARIES[rule],
          fields: RULE_FIELDS[rule],
          ...settings[rule],
          stats: stats[i],
        })),
      });
    })
    .put('/watch/rules/:rule', zValidator('param', ruleParam, noRule), async (c) => {
      const input = await jsonBody(c, ruleEditInput);
      const r = orThrow(saveRule(ctx.db, staff(c), c.req.valid('param').rule, input, ctx.clock()));
      return c.json({ ok: true, version: r.version });
    });
}
