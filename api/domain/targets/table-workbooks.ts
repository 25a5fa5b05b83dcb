import type { Db } from '../../../db/client.ts';
import type { TaskStatus } from '../../../db/schema-enforcement.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import {
  compiledProgress,
  compiledProgressSheet,
  countyName,
  tableTownships,
  type TableTownship,
} from '../enforcement/tables/county.ts';
import { COUNTY_LIST_COLUMNS, countyListRows } from '../enforcement/tables/county-list.ts';
import {
  periodLabel,
  PROGRESS_NAME,
  PROGRESS_NOT_THE_SUBMISSION,
  type Period,
} from '../enforcement/tables/progress.ts';
import {
  REGISTER_COLUMNS,
  registerCells,
  shutdownTasks,
  TASK_TABLE_COLUMNS,
  taskTableCells,
  type ShutdownRow,
} from '../enforcement/tables/shutdown-register.ts';
import { reportWorkbook, type TitledTable } from '../enforcement/tables/xlsx.ts';
import { fmtTime } from '../shared/time.ts';
import { progressText } from './labels.ts';
import { monthlyCells, MONTHLY_COLUMNS, monthlyResults } from './monthly.ts';
import { targetProgress } from './progress.ts';

/** Which of the county's tables, for whom (the township is a condition of every query), and its parameters. */
export type TableJob = { user: StaffScope; pick?: number; now: Date } & (
  | { kind: 'progress'; period: Period }
  | { kind: 'shutdown'; period?: Period; which: 'register' | 'tasks'; status?: TaskStatus }
  | { kind: 'list' }
  | { kind: 'monthly'; month?: string }
);
export interface TableFile {
  bytes: Uint8Array<ArrayBuffer>;
  name: string;
  fallback: string;
}

/** "青溪镇" for one township's part, else the county's name. */
const whose = (db: Db, list: TableTownship[]) => (list.length === 1 ? list[0]!.name : countyName(db));

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

async function progressSheet(db: Db, job: TableJob & { kind: 'progress' }, list: TableTownship[], name: string) {
  const { period, now } = job;
  const townshipId = list.length === 1 ? list[0]!.id : undefined;
  const targets = targetProgress(db, job.user, { townshipId }, now)
    .map((r) => `${r.label}${progressText(r)}`)
    .join('；');
  const table: TitledTable = {
    sheetName: '整治进度汇总表',
    title: `${name}“散乱污”企业（作坊）${PROGRESS_NAME}`,
    subtitle: [
      `统计时段：${periodLabel(period)}　　企业状态截至：${fmtTime(now)}　　${PROGRESS_NOT_THE_SUBMISSION}`,
      targets && `行动目标：${targets}`,
    ]
      .filter(Boolean)
      .join('\n'),
    ...compiledProgressSheet(await compiledProgress(db, list, period, now)),
  };
  return {
    table,
    name: `${name}整治进度汇总表_${period.from}至${period.to}.xlsx`,
    fallback: `progress_${period.from}_${period.to}.xlsx`,
  };
}

function shutdownSheet(db: Db, job: TableJob & { kind: 'shutdown' }, list: TableTownship[], name: string) {
  const { period, which, status, now } = job;
  const townshipId = list.length === 1 ? list[0]!.id : undefined;
  const found = shutdownTasks(db, job.user, { period, status, townshipId }, now);
  const [kind, columns, cells] =
    which === 'tasks'
      ? (['任务表', TASK_TABLE_COLUMNS, taskTableCells] as const)
      : (['登记表', REGISTER_COLUMNS, registerCells] as const);
  const table: TitledTable = {
    sheetName: `关停取缔工作${kind}`,
    title: `${name}“散乱污”企业（作坊）关停取缔工作${kind}`,
    subtitle: `时段：${period ? periodLabel(period) : '全部'}　　制表时间：${fmtTime(now)}`,
    columns,
    ...byTownship(found, cells, columns.length),
  };
  const span = period ? `${period.from}至${period.to}` : '全部';
  const fallback = `shutdown-${which}${period ? `_${period.from}_${period.to}` : ''}.xlsx`;
  return { table, name: `${name}关停取缔工作${kind}_${span}.xlsx`, fallback };
}

function listSheet(db: Db, job: TableJob & { kind: 'list' }, list: TableTownship[], name: string) {
  const table: TitledTable = {
    sheetName: '动态管理清单（按镇街汇编）',
    title: `${name}“散乱污”企业（作坊）动态管理整治企业清单（按镇街汇编）`,
    subtitle: `制表时间：${fmtTime(job.now)}　　每镇（街道）一段，段末小计，表末合计`,
    columns: COUNTY_LIST_COLUMNS,
    ...countyListRows(db, job.user, list),
  };
  return { table, name: `${name}动态管理整治企业清单_按镇街汇编.xlsx`, fallback: 'dynamic-list-compiled.xlsx' };
}

async function monthlySheet(db: Db, job: TableJob & { kind: 'monthly' }, list: TableTownship[], name: string) {
  const m = await monthlyResults(db, list, job.month, job.now);
  const campaign = m.campaign
    ? `行动：${m.campaign.name}（${m.campaign.startsOn}至${m.campaign.dueOn}）`
    : '未设整治行动目标';
  const time = m.elapsedShare === null ? '' : `　　时间进度：${Math.round(m.elapsedShare * 100)}%`;
  const table: TitledTable = {
    sheetName: '月度整治成效',
    title: `${name}“散乱污”整治月度成效（${m.period.label}）`,
    subtitle: `统计月份：${m.period.label}　　${campaign}${time}　　制表时间：${fmtTime(job.now)}`,
    columns: MONTHLY_COLUMNS,
    rows: m.rows.map(monthlyCells),
    footer: m.total ? monthlyCells(m.total) : undefined,
  };
  return { table, name: `${name}月度整治成效_${m.period.month}.xlsx`, fallback: `monthly_${m.period.month}.xlsx` };
}

/** The table as .xlsx in the seeds' layout; null when the township picked does not exist. */
export async function tableWorkbook(db: Db, job: TableJob): Promise<TableFile | null> {
  const list = tableTownships(db, job.user, job.pick);
  if (list.length === 0) return null;
  const name = whose(db, list);
  const sheet =
    job.kind === 'progress'
      ? await progressSheet(db, job, list, name)
      : job.kind === 'shutdown'
        ? shutdownSheet(db, job, list, name)
        : job.kind === 'list'
          ? listSheet(db, job, list, name)
          : await monthlySheet(db, job, list, name);
  return { bytes: await reportWorkbook([sheet.table]), name: sheet.name, fallback: sheet.fallback };
}
