import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { TASK_STATUSES } from '../../db/schema-enforcement.ts';
import type { StaffUser } from '../domain/accounts/sessions.ts';
import { periodChecks, periodLabel, periodShape, resolvePeriod } from '../domain/enforcement/tables/progress.ts';
import { compiledProgress, tableTownships, type TableTownship } from '../domain/enforcement/tables/county.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload as download } from '../http/download.ts';
import { optionalRecordId } from '../domain/shared/text-input.ts';
import { monthlyResults, monthQuery } from '../domain/targets/monthly.ts';
import { tableOffThread } from '../domain/targets/table-export.ts';
import type { TableJob } from '../domain/targets/table-workbooks.ts';

const township = { township: optionalRecordId('镇（街道）') };
const periodQuery = periodChecks(z.object({ ...periodShape, ...township }));
const registerQuery = periodChecks(
  z.object({
    ...periodShape,
    ...township,
    which: z
      .enum(['register', 'tasks'], { error: '表格只能是登记表（register）或任务表（tasks）' })
      .default('register'),
    status: z.enum(TASK_STATUSES, { error: '任务状态无效' }).optional(),
  }),
);
const listQuery = z.object(township);
const NO_TOWNSHIP = '镇（街道）不存在';

/** The townships a table covers: a township account its own; a county account all, or the one it picks. */
function covered(ctx: AppContext, user: StaffUser, pick: number | undefined): TableTownship[] {
  const list = tableTownships(ctx.db, user, pick);
  if (list.length === 0) throw new ApiError(404, NO_TOWNSHIP);
  return list;
}
const scopeOf = (u: StaffUser) => ({
  role: u.role,
  townshipId: u.townshipId,
  villageId: u.villageId,
  departmentId: u.departmentId,
});

/** The table built on its own thread, sent as a download. */
async function sheet(ctx: AppContext, job: TableJob) {
  const out = await tableOffThread(ctx.db, job);
  if (!out) throw new ApiError(404, NO_TOWNSHIP);
  return download(out.bytes, out.name, out.fallback);
}

/**
 * The seed tables (报表), each a township's part or compiled by 镇街 for the county: the progress summary of the
 * dynamic list (seed 002), the dynamic list itself, the shutdown registers (seed 004) and the monthly results with the
 * campaign's targets. Office and leaders only; the township is a condition of every query (tables/county.ts). The
 * .xlsx are read and built off the HTTP thread (targets/table-export.ts).
 */
export function adminTableRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/tables/progress', zValidator('query', periodQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const period = resolvePeriod(q, now);
      const p = await compiledProgress(ctx.db, covered(ctx, staff(c), q.township), period, now);
      return c.json({ ...p.sections[0], ...p, label: periodLabel(period) });
    })
    .get('/tables/progress.xlsx', zValidator('query', periodQuery, badQuery), (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const user = scopeOf(staff(c));
      return sheet(ctx, { kind: 'progress', user, pick: q.township, now, period: resolvePeriod(q, now) });
    })
    .get('/tables/shutdown-register.xlsx', zValidator('query', registerQuery, badQuery), (c) => {
      const { from, to, which, status, township: pick } = c.req.valid('query');
      const period = from && to ? { from, to } : undefined;
      return sheet(ctx, { kind: 'shutdown', user: scopeOf(staff(c)), pick, now: ctx.clock(), period, which, status });
    })
    .get('/tables/dynamic-list.xlsx', zValidator('query', listQuery, badQuery), (c) =>
      sheet(ctx, { kind: 'list', user: scopeOf(staff(c)), pick: c.req.valid('query').township, now: ctx.clock() }),
    )
    .get('/tables/monthly', zValidator('query', monthQuery, badQuery), async (c) => {
      const q = c.req.valid('query');
      return c.json(await monthlyResults(ctx.db, covered(ctx, staff(c), q.township), q.month, ctx.clock()));
    })
    .get('/tables/monthly.xlsx', zValidator('query', monthQuery, badQuery), (c) => {
      const q = c.req.valid('query');
      return sheet(ctx, {
        kind: 'monthly',
        user: scopeOf(staff(c)),
        pick: q.township,
        now: ctx.clock(),
        month: q.month,
      });
    });
}
