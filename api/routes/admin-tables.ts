import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { TASK_STATUSES } from '../../db/schema-enforcement.ts';
import {
  periodChecks,
  periodLabel,
  periodQuery,
  periodShape,
  progressSheetCells,
  progressTable,
  PROGRESS_COLUMNS,
  PROGRESS_NAME,
  PROGRESS_NOT_THE_SUBMISSION,
  resolvePeriod,
  townshipOf,
} from '../domain/enforcement/tables/progress.ts';
import { reportWorkbook } from '../domain/enforcement/tables/xlsx.ts';
import { badQuery, xlsxDownload as download } from '../http/download.ts';
import {
  REGISTER_COLUMNS,
  registerCells,
  shutdownTasks,
  TASK_TABLE_COLUMNS,
  taskTableCells,
} from '../domain/enforcement/tables/shutdown-register.ts';
import { fmtTime } from '../domain/shared/time.ts';

const registerQuery = periodChecks(
  z.object({
    ...periodShape,
    which: z
      .enum(['register', 'tasks'], { error: '表格只能是登记表（register）或任务表（tasks）' })
      .default('register'),
    status: z.enum(TASK_STATUSES, { error: '任务状态无效' }).optional(),
  }),
);

/**
 * The progress summary of the dynamic list (by village and type) and the shutdown registers (seed
 * 004). Township-wide: office and leaders only.
 */
export function adminTableRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/tables/progress', zValidator('query', periodQuery, badQuery), (c) => {
      const now = ctx.clock();
      const period = resolvePeriod(c.req.valid('query'), now);
      return c.json({ ...progressTable(ctx.db, period, now), label: periodLabel(period) });
    })
    .get('/tables/progress.xlsx', zValidator('query', periodQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const period = resolvePeriod(c.req.valid('query'), now);
      const t = progressTable(ctx.db, period, now);
      const body = await reportWorkbook([
        {
          sheetName: '整治进度汇总表',
          title: `${t.township}“散乱污”企业（作坊）${PROGRESS_NAME}`,
          subtitle: `统计时段：${periodLabel(period)}　　企业状态截至：${fmtTime(now)}　　${PROGRESS_NOT_THE_SUBMISSION}`,
          columns: PROGRESS_COLUMNS,
          rows: t.rows.map(progressSheetCells),
          footer: progressSheetCells(t.total),
        },
      ]);
      return download(
        body,
        `${t.township}整治进度汇总表_${period.from}至${period.to}.xlsx`,
        `progress_${period.from}_${period.to}.xlsx`,
      );
    })
    .get('/tables/shutdown-register.xlsx', zValidator('query', registerQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const { from, to, which, status } = c.req.valid('query');
      const period = from && to ? { from, to } : undefined;
      const rows = shutdownTasks(ctx.db, staff(c), { period, status }, now);
      const township = townshipOf(ctx.db)?.name ?? '本镇';
      const [kind, columns, cells] =
        which === 'tasks'
          ? (['任务表', TASK_TABLE_COLUMNS, taskTableCells] as const)
          : (['登记表', REGISTER_COLUMNS, registerCells] as const);
      const span = period ? `${period.from}至${period.to}` : '全部';
      const body = await reportWorkbook([
        {
          sheetName: `关停取缔工作${kind}`,
          title: `${township}“散乱污”企业（作坊）关停取缔工作${kind}`,
          subtitle: `时段：${period ? periodLabel(period) : '全部'}　　制表时间：${fmtTime(now)}`,
          columns,
          rows: rows.map(cells),
        },
      ]);
      return download(
        body,
        `${township}关停取缔工作${kind}_${span}.xlsx`,
        `shutdown-${which}${period ? `_${period.from}_${period.to}` : ''}.xlsx`,
      );
    });
}
