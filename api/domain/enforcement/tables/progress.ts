import { and, asc, eq, gte, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../../db/client.ts';
import { townships, villages } from '../../../../db/schema.ts';
import {
  enterprises,
  REMEDIATION_TYPES,
  revisits,
  tasks,
  type RemediationType,
} from '../../../../db/schema-enforcement.ts';
import { REMEDIATION_LABELS } from '../labels.ts';
import { blankOr } from '../../shared/blank-field.ts';
import { beijingDate, DAY_MS, isCalendarDate, startOfBeijingDay } from '../../shared/time.ts';

/** A reporting period: whole Beijing calendar days, both ends included. */
export interface Period {
  from: string;
  to: string;
}
export interface ReportingPeriod extends Period {
  label: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

/** The instants a period covers: from Beijing midnight of its first day to that after its last. */
export function periodBounds(p: Period): { start: Date; end: Date } {
  return { start: startOfBeijingDay(p.from), end: new Date(startOfBeijingDay(p.to).getTime() + DAY_MS) };
}

// Seed 002 asks for the table every half month, on the 15th and the 30th.
function halfMonth(y: number, m: number, second: boolean): ReportingPeriod {
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return second
    ? { from: ymd(y, m, 16), to: ymd(y, m, last), label: `${y}年${m}月下半月（16日—${last}日）` }
    : { from: ymd(y, m, 1), to: ymd(y, m, 15), label: `${y}年${m}月上半月（1日—15日）` };
}

/** The half-month containing `now` (Beijing time), then the ones before it, newest first. */
export function reportingPeriods(now: Date, count = 6): ReportingPeriod[] {
  const [y, m, d] = beijingDate(now).split('-').map(Number) as [number, number, number];
  const out: ReportingPeriod[] = [];
  for (let i = 0, half = d > 15 ? 1 : 0, year = y, month = m; i < count; i++) {
    out.push(halfMonth(year, month, half === 1));
    if (half === 1) half = 0;
    else [half, month, year] = month === 1 ? [1, 12, year - 1] : [1, month - 1, year];
  }
  return out;
}

/** "2026年5月上半月（1日—15日）" for a half-month, else "2026-05-03 至 2026-05-20". */
export function periodLabel(p: Period): string {
  const [y, m, d] = p.from.split('-').map(Number) as [number, number, number];
  const half = d === 1 || d === 16 ? halfMonth(y, m, d === 16) : null;
  return half?.to === p.to ? half.label : `${p.from} 至 ${p.to}`;
}

const day = blankOr(
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: '日期格式应为“年-月-日”，如 2026-05-15' })
    .refine(isCalendarDate, { error: '日期不存在，请检查年月日' }),
);

export const periodShape = { from: day, to: day };
/** Both ends or neither, and in order. */
export const periodChecks = <S extends z.ZodType<{ from?: string; to?: string }>>(schema: S) =>
  schema
    .refine((q) => (q.from === undefined) === (q.to === undefined), { error: '请同时填写开始日期和结束日期' })
    .refine((q) => !q.from || !q.to || q.from <= q.to, { error: '开始日期不能晚于结束日期' });
export const periodQuery = periodChecks(z.object(periodShape));

/** The period asked for, else the current half-month. */
export const resolvePeriod = (q: { from?: string; to?: string }, now: Date): Period =>
  q.from && q.to ? { from: q.from, to: q.to } : reportingPeriods(now, 1)[0]!;

/** The township a report covers: the one named, else the first (a deployment serves one). */
export function townshipOf(db: Db, townshipId?: number) {
  return db
    .select({ id: townships.id, name: townships.name })
    .from(townships)
    .where(townshipId === undefined ? undefined : eq(townships.id, townshipId))
    .orderBy(asc(townships.id))
    .get();
}

/** A column of a report table; columns sharing a group get a header above them. */
export interface TableColumn {
  header: string;
  group?: string;
  width?: number;
  /** The spreadsheet number format of the column's numbers (a rate: '0.0%'). */
  numFmt?: string;
}

/** The top header row: a group spans its columns; an ungrouped column spans both rows. */
export function headerBands(columns: TableColumn[]) {
  const top: { label: string; span: number; grouped: boolean }[] = [];
  for (const c of columns) {
    const last = top.at(-1);
    if (c.group && last?.grouped && last.label === c.group) last.span++;
    else top.push({ label: c.group ?? c.header, span: 1, grouped: !!c.group });
  }
  return top;
}

export interface StateCounts {
  total: number;
  done: number;
  inProgress: number;
  listed: number;
}
export interface ProgressRow {
  villageId: number | null;
  village: string;
  all: StateCounts;
  byType: Record<RemediationType, StateCounts>;
  untyped: number;
  added: number;
  accepted: number;
  overdue: number;
  revisits: number;
  findings: [number, number, number, number];
}
export interface ProgressTable {
  township: string;
  period: Period;
  generatedAt: Date;
  rows: ProgressRow[];
  total: ProgressRow;
}

/**
 * What this table is called wherever it is shown. What seed 002 has submitted twice a month (每月
 * 15日、30日前, "整治工作进度表格（附件2）") is the fifteen-column dynamic list itself
 * (dynamic-list/); this is our count of that list by village and type, to check it by.
 */
export const PROGRESS_NAME = '整治进度汇总表（按村、整治类型）';
export const PROGRESS_NOT_THE_SUBMISSION =
  '每半月（每月 15 日、30 日前）报送的整治工作进度表格是附件 2《动态管理整治企业清单》（15 列）；' +
  '本表按村和整治类型汇总同一份名单，供核对，不替代报送的清单。';

const STATE_HEADERS = ['已完成', '整治中', '待整治'];
export const PROGRESS_COLUMNS: TableColumn[] = [
  { header: '村（社区）', width: 12 },
  ...['企业数', ...STATE_HEADERS].map((header) => ({ header, group: '名单企业合计', width: 8 })),
  { header: '完成率', group: '名单企业合计', width: 8, numFmt: '0.0%' },
  ...REMEDIATION_TYPES.flatMap((t) =>
    ['企业数', ...STATE_HEADERS].map((header) => ({ header, group: REMEDIATION_LABELS[t], width: 7 })),
  ),
  { header: '未定整治类型', width: 8 },
  ...['新列入名单', '验收销号', '逾期未完成'].map((header) => ({ header, group: '本期进展', width: 9 })),
  ...['完成次数', '第一类', '第二类', '第三类', '第四类'].map((header) => ({
    header,
    group: '本期“回头看”及发现问题',
    width: 8,
  })),
];

const states = (c: StateCounts) => [c.total, c.done, c.inProgress, c.listed];
const rate = (c: StateCounts) => (c.total ? c.done / c.total : '—');
const RATE_COLUMN = 5;

/** One row of the table as a sheet's cells, in the order of PROGRESS_COLUMNS: the rate a fraction (0.4). */
export const progressSheetCells = (r: ProgressRow): (string | number)[] => [
  r.village,
  ...states(r.all),
  rate(r.all),
  ...REMEDIATION_TYPES.flatMap((t) => states(r.byType[t])),
  r.untyped,
  r.added,
  r.accepted,
  r.overdue,
  r.revisits,
  ...r.findings,
];

/** One row as the page shows it: the rate as text (40.0%). */
export const progressCells = (r: ProgressRow): (string | number)[] =>
  progressSheetCells(r).map((v, i) => (i === RATE_COLUMN && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : v));

const zero = (): StateCounts => ({ total: 0, done: 0, inProgress: 0, listed: 0 });
const emptyRow = (villageId: number | null, village: string): ProgressRow => ({
  villageId,
  village,
  all: zero(),
  byType: { shutdown: zero(), rectify: zero(), relocate: zero() },
  untyped: 0,
  added: 0,
  accepted: 0,
  overdue: 0,
  revisits: 0,
  findings: [0, 0, 0, 0],
});
const STATE_KEY = { done: 'done', in_progress: 'inProgress', listed: 'listed' } as const;

/**
 * The progress summary: per village of the township, the enterprises on the list by remediation
 * type and state, and what the period (a half-month, by default) brought. States are as of now;
 * enterprises listed after the period are left out; "overdue" is as at the period's end (or now,
 * if it has not ended). Not the half-monthly submission itself: see PROGRESS_NAME.
 */
export function progressTable(db: Db, period: Period, now: Date, townshipId?: number): ProgressTable {
  const township = townshipOf(db, townshipId);
  const villageList = township
    ? db
        .select({ id: villages.id, name: villages.name })
        .from(villages)
        .where(eq(villages.townshipId, township.id))
        .orderBy(asc(villages.id))
        .all()
    : [];
  const rows = new Map(villageList.map((v) => [v.id, emptyRow(v.id, v.name)]));
  const ids = villageList.length ? villageList.map((v) => v.id) : [-1];
  const { start, end } = periodBounds(period);
  const cutoff = new Date(Math.min(end.getTime(), now.getTime()));

  // The type planned on the file, else that of its latest live task. Written out: inside a derived
  // table drizzle leaves a column unqualified, and a bare "id" would mean the task's.
  const type = sql<RemediationType | null>`coalesce(enterprises.remediation_type, (select t.type from tasks t where
    t.enterprise_id = enterprises.id and t.status <> 'cancelled' order by t.created_at desc, t.id desc limit 1))`;
  const typed = db
    .select({ villageId: enterprises.villageId, status: enterprises.status, type: type.as('type') })
    .from(enterprises)
    .where(and(inArray(enterprises.villageId, ids), lt(enterprises.createdAt, end)))
    .as('typed');
  for (const g of db
    .select({ villageId: typed.villageId, type: typed.type, status: typed.status, n: sql<number>`count(*)` })
    .from(typed)
    .groupBy(typed.villageId, sql`${typed.type}`, typed.status)
    .all()) {
    const row = rows.get(g.villageId);
    if (!row) continue;
    const key = STATE_KEY[g.status];
    row.all.total += g.n;
    row.all[key] += g.n;
    if (g.type) {
      row.byType[g.type].total += g.n;
      row.byType[g.type][key] += g.n;
    } else row.untyped += g.n;
  }

  const inPeriod = (col: typeof enterprises.createdAt | typeof tasks.acceptedAt | typeof revisits.doneAt) =>
    and(gte(col, start), lt(col, end));
  const perVillage = <V extends { villageId: number }>(list: V[], put: (row: ProgressRow, v: V) => void) => {
    for (const v of list) {
      const row = rows.get(v.villageId);
      if (row) put(row, v);
    }
  };
  const n = sql<number>`count(*)`;
  perVillage(
    db
      .select({ villageId: enterprises.villageId, n })
      .from(enterprises)
      .where(and(inArray(enterprises.villageId, ids), inPeriod(enterprises.createdAt)))
      .groupBy(enterprises.villageId)
      .all(),
    (r, v) => (r.added = v.n),
  );
  perVillage(
    db
      .select({ villageId: tasks.villageId, n })
      .from(tasks)
      .where(and(inArray(tasks.villageId, ids), eq(tasks.status, 'accepted'), inPeriod(tasks.acceptedAt)))
      .groupBy(tasks.villageId)
      .all(),
    (r, v) => (r.accepted = v.n),
  );
  perVillage(
    db
      .select({ villageId: tasks.villageId, n })
      .from(tasks)
      .where(
        and(
          inArray(tasks.villageId, ids),
          ne(tasks.status, 'cancelled'),
          lt(tasks.createdAt, cutoff),
          lt(tasks.dueAt, cutoff),
          or(isNull(tasks.acceptedAt), gte(tasks.acceptedAt, cutoff)),
        ),
      )
      .groupBy(tasks.villageId)
      .all(),
    (r, v) => (r.overdue = v.n),
  );
  const found = (outcome: string) => sql<number>`sum(case when ${revisits.outcome} = ${outcome} then 1 else 0 end)`;
  perVillage(
    db
      .select({
        villageId: revisits.villageId,
        n,
        t1: found('resumed'),
        t2: found('relapsed'),
        t3: found('new_in_vacated'),
        t4: found('newly_found'),
      })
      .from(revisits)
      .where(and(inArray(revisits.villageId, ids), eq(revisits.status, 'done'), inPeriod(revisits.doneAt)))
      .groupBy(revisits.villageId)
      .all(),
    (r, v) => {
      r.revisits = v.n;
      r.findings = [v.t1, v.t2, v.t3, v.t4];
    },
  );

  const list = [...rows.values()];
  return { township: township?.name ?? '本镇', period, generatedAt: now, rows: list, total: sumRows(list) };
}

export function sumRows(list: ProgressRow[]): ProgressRow {
  const total = emptyRow(null, '合计');
  const add = (a: StateCounts, b: StateCounts) => {
    for (const k of Object.keys(a) as (keyof StateCounts)[]) a[k] += b[k];
  };
  for (const r of list) {
    add(total.all, r.all);
    for (const t of REMEDIATION_TYPES) add(total.byType[t], r.byType[t]);
    total.untyped += r.untyped;
    total.added += r.added;
    total.accepted += r.accepted;
    total.overdue += r.overdue;
    total.revisits += r.revisits;
    total.findings = total.findings.map((x, i) => x + r.findings[i]!) as ProgressRow['findings'];
  }
  return total;
}
