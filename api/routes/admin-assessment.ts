import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ASSESSED_LEVELS, ASSESSMENT_MEASURES } from '../../db/schema-county.ts';
import { jsonBody } from '../http/body.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { indicatorEditInput, indicatorsOf, saveIndicator } from '../domain/assessment/indicators.ts';
import { MEASURES } from '../domain/assessment/labels.ts';
import { currentPeriod, parsePeriod, periodParam } from '../domain/assessment/periods.ts';
import { defaultLevel } from '../domain/assessment/scope.ts';
import { offThread } from '../domain/assessment/off-thread.ts';
import { recordId } from '../domain/shared/text-input.ts';

const levelParam = z.enum(ASSESSED_LEVELS, {
  error: '考核层级只能是 township（镇街）、village（村社区）或 department（部门）',
});
const cardQuery = z.object({ level: levelParam.optional(), period: periodParam });
const idParam = z.object({ id: recordId('考核指标') });
const noIndicator = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, '考核指标不存在');
};

/** 考核 (issue 14): scorecards, the indicators the admin edits, the 通报 .xlsx. Policy: api/http/policy.ts. */
export function adminAssessmentRoutes(ctx: AppContext) {
  const read = (
    c: { req: { valid(t: 'query'): z.infer<typeof cardQuery> } },
    user: Parameters<typeof defaultLevel>[0],
  ) => {
    const q = c.req.valid('query');
    const now = ctx.clock();
    return {
      level: q.level ?? defaultLevel(user),
      period: q.period ? parsePeriod(q.period)! : currentPeriod(now),
      now,
    };
  };
  return new Hono<StaffEnv>()
    .get('/assessment/scorecards', zValidator('query', cardQuery, badQuery), async (c) => {
      const user = staff(c);
      const { level, period, now } = read(c, user);
      const r = orThrow(await offThread.scorecards(ctx.db, user, { level, period }, now));
      return c.json({ level, period: { key: period.key, label: period.label }, units: r.units, place: r.place });
    })
    .get('/assessment/indicators', (c) => {
      return c.json({
        indicators: ASSESSED_LEVELS.flatMap((level) => indicatorsOf(ctx.db, level)).map((i) => ({
          ...i,
          kind: MEASURES[i.measure].kind,
          rule: MEASURES[i.measure].rule,
        })),
        measures: ASSESSMENT_MEASURES,
      });
    })
    .put('/assessment/indicators/:id', zValidator('param', idParam, noIndicator), async (c) => {
      const input = await jsonBody(c, indicatorEditInput);
      const r = orThrow(saveIndicator(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock()));
      return c.json({ ok: true, version: r.version });
    })
    .get('/assessment/notice.xlsx', zValidator('query', cardQuery, badQuery), async (c) => {
      const user = staff(c);
      const { level, period, now } = read(c, user);
      const { file } = orThrow(await offThread.noticeXlsx(ctx.db, user, { level, period }, now));
      return xlsxDownload(file.bytes, file.filename, file.fallback);
    });
}
