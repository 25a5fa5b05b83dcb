import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { TASK_STATUSES } from '../../db/schema-enforcement.ts';
import type { StaffUser } from '../domain/accounts/sessions.ts';
import {
  periodChecks,
  periodLabel,
  periodShape,
  PROGRESS_NAME,
  PROGRESS_NOT_THE_SUBMISSION,
  resolvePeriod,
} from '../domain/enforcement/tables/progress.ts';
import {
  compiledProgress,
  compiledProgressSheet,
  countyName,
  tableTownships,
  type TableTownship,
} from '../domain/enforcement/tables/county.ts';
import { COUNTY_LIST_COLUMNS, countyListRows } from '../domain/enforcement/tables/county-list.ts';
import { reportWorkbook } from '../domain/enforcement/tables/xlsx.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload as download } from '../http/download.ts';
import {
  REGISTER_COLUMNS,
  registerCells,
  shutdownTasks,
  TASK_TABLE_COLUMNS,
  taskTableCells,
  type ShutdownRow,
} from '../domain/enforcement/tables/shutdown-register.ts';
import { optionalRecordId } from '../domain/shared/text-input.ts';
import { fmtTime } from '../domain/shared/time.ts';
import { progressText } from '../domain/targets/labels.ts';
import { monthlyCells, MONTHLY_COLUMNS, monthlyResults, monthQuery } from '../domain/targets/monthly.ts';
import { targetProgress } from '../domain/targets/progress.ts';

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

/** The townships a table covers: a township account its own; a county account all, or the one it picks. */
function covered(ctx: AppContext, user: StaffUser, pick: number | undefined): TableTownship[] {
  const list = tableTownships(ctx.db, user, pick);
  if (list.length === 0) throw new ApiError(404, '镇（街道）不存在');
  return list;
}
/** "青溪镇" for one township's part, else the county's name. */
const whose = (ctx: AppContext, list: TableTownship[]) => (list.length === 1 ? list[0]!.name : countyName(ctx.db));

/** The shutdown rows by township, a subtotal line after each when the table covers several. */
function byTownship(rows: ShutdownRow[], cells: (r: ShutdownRow, i: number) => (string | number)[], width: number) {
  const out: (string | number)[][] = [];
  const subtotals: number[] = [];
  const many = new Set(rows.map((r) => r.townshipId)).size > 1;
  let i = 0;
  rows.forEach((r, k) => {
    out.push(cells(r, i++));
    if (many && rows[k + 1]?.townshipId !== r.townshipId) {
      subtotals.push(out.length);
      out.push([`${r.township}小计`, `${i} 家`, ...Array(width - 2).fill('')]);
      i = 0;
    }
  });
  return { rows: out, subtotals };
}

/**
 * The seed tables (报表), each a township's part or compiled by 镇街 for the county: the progress summary of the
 * dynamic list (seed 002), the dynamic list itself, the shutdown registers (seed 004) and the monthly results with the
 * campaign's targets. Office and leaders only; the township is a condition of every query (tables/county.ts).
 */
export function adminTableRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/tables/progress', zValidator('query', periodQuery, badQuery), (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const period = resolvePeriod(q, now);
      const p = compiledProgress(ctx.db, covered(ctx, staff(c), q.township), period, now);
      return c.json({ ...p.sections[0], ...p, label: periodLabel(period) });
    })
    .get('/tables/progress.xlsx', zValidator('query', periodQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const period = resolvePeriod(q, now);
      const user = staff(c);
      const list = covered(ctx, user, q.township);
      const name = whose(ctx, list);
      const sheet = compiledProgressSheet(compiledProgress(ctx.db, list, period, now));
      const targets = targetProgress(ctx.db, user, { townshipId: list.length === 1 ? list[0]!.id : undefined }, now)
        .map((r) => `${r.label}${progressText(r)}`)
        .join('；');
      const body = await reportWorkbook([
        {
          sheetName: '整治进度汇总表',
          title: `${name}“散乱污”企业（作坊）${PROGRESS_NAME}`,
          subtitle: [
            `统计时段：${periodLabel(period)}　　企业状态截至：${fmtTime(now)}　　${PROGRESS_NOT_THE_SUBMISSION}`,
            targets && `行动目标：${targets}`,
          ]
            .filter(Boolean)
            .join('\n'),
          ...sheet,
        },
      ]);
      return download(
        body,
        `${name}整治进度汇总表_${period.from}至${period.to}.xlsx`,
        `progress_${period.from}_${period.to}.xlsx`,
      );
    })
    .get('/tables/shutdown-register.xlsx', zValidator('query', registerQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const { from, to, which, status, township: pick } = c.req.valid('query');
      const period = from && to ? { from, to } : undefined;
      const user = staff(c);
      const list = covered(ctx, user, pick);
      const townshipId = list.length === 1 ? list[0]!.id : undefined;
      const found = shutdownTasks(ctx.db, user, { period, status, townshipId }, now);
      const name = whose(ctx, list);
      const [kind, columns, cells] =
        which === 'tasks'
          ? (['任务表', TASK_TABLE_COLUMNS, taskTableCells] as const)
          : (['登记表', REGISTER_COLUMNS, registerCells] as const);
      const span = period ? `${period.from}至${period.to}` : '全部';
      const body = await reportWorkbook([
        {
          sheetName: `关停取缔工作${kind}`,
          title: `${name}“散乱污”企业（作坊）关停取缔工作${kind}`,
          subtitle: `时段：${period ? periodLabel(period) : '全部'}　　制表时间：${fmtTime(now)}`,
          columns,
          ...byTownship(found, cells, columns.length),
        },
      ]);
      return download(
        body,
        `${name}关停取缔工作${kind}_${span}.xlsx`,
        `shutdown-${which}${period ? `_${period.from}_${period.to}` : ''}.xlsx`,
      );
    })
    .get('/tables/dynamic-list.xlsx', zValidator('query', listQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const user = staff(c);
      const list = covered(ctx, user, c.req.valid('query').township);
      const name = whose(ctx, list);
      const { rows, subtotals, footer } = countyListRows(ctx.db, user, list);
      const body = await reportWorkbook([
        {
          sheetName: '动态管理清单（按镇街汇编）',
          title: `${name}“散乱污”企业（作坊）动态管理整治企业清单（按镇街汇编）`,
          subtitle: `制表时间：${fmtTime(now)}　　每镇（街道）一段，段末小计，表末合计`,
          columns: COUNTY_LIST_COLUMNS,
          rows,
          subtotals,
          footer,
        },
      ]);
      return download(body, `${name}动态管理整治企业清单_按镇街汇编.xlsx`, 'dynamic-list-compiled.xlsx');
    })
    .get('/tables/monthly', zValidator('query', monthQuery, badQuery), (c) => {
      const q = c.req.valid('query');
      return c.json(monthlyResults(ctx.db, covered(ctx, staff(c), q.township), q.month, ctx.clock()));
    })
    .get('/tables/monthly.xlsx', zValidator('query', monthQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const list = covered(ctx, staff(c), q.township);
      const name = whose(ctx, list);
      const m = monthlyResults(ctx.db, list, q.month, now);
      const campaignLine = m.campaign
        ? `行动：${m.campaign.name}（${m.campaign.startsOn}至${m.campaign.dueOn}）`
        : '未设整治行动目标';
      const time = m.elapsedShare === null ? '' : `　　时间进度：${Math.round(m.elapsedShare * 100)}%`;
      const body = await reportWorkbook([
        {
          sheetName: '月度整治成效',
          title: `${name}“散乱污”整治月度成效（${m.period.label}）`,
          subtitle: `统计月份：${m.period.label}　　${campaignLine}${time}　　制表时间：${fmtTime(now)}`,
          columns: MONTHLY_COLUMNS,
          rows: m.rows.map(monthlyCells),
          footer: m.total ? monthlyCells(m.total) : undefined,
        },
      ]);
      return download(body, `${name}月度整治成效_${m.period.month}.xlsx`, `monthly_${m.period.month}.xlsx`);
    });
}
