import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { CAMPAIGN_METRICS } from '../../../db/schema-county.ts';
import { compiledProgress, type TableTownship } from '../enforcement/tables/county.ts';
import type { ProgressRow, TableColumn } from '../enforcement/tables/progress.ts';
import { optionalRecordId } from '../shared/text-input.ts';
import { beijingDate } from '../shared/time.ts';
import { METRIC_LABELS } from './labels.ts';
import { currentCampaign, type Campaign } from './progress.ts';
import { targetSplit, type SplitCell } from './split.ts';

export const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: '月份格式应为“年-月”，如 2026-11' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  township: optionalRecordId('镇（街道）'),
});

/** The calendar month as a period, both ends included; the current month (Beijing) by default. */
export function monthPeriod(month: string | undefined, now: Date) {
  const m = month ?? beijingDate(now).slice(0, 7);
  const [y, mo] = m.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { month: m, from: `${m}-01`, to: `${m}-${String(last).padStart(2, '0')}`, label: `${y}年${mo}月` };
}

export interface MonthlyRow {
  townshipId: number | null;
  township: string;
  progress: ProgressRow;
  /** The campaign's targets and what is done, by metric, in CAMPAIGN_METRICS order. */
  targets: SplitCell[];
}
export interface MonthlyResults {
  period: ReturnType<typeof monthPeriod>;
  campaign: Campaign | null;
  elapsedShare: number | null;
  rows: MonthlyRow[];
  /** The county's row (its own targets), when the table covers more than one township. */
  total: MonthlyRow | null;
}

/**
 * 月度整治成效: per township, the month's work on the dynamic list (as the progress summary counts it) beside the
 * current campaign's targets and what is done towards them since it began; and the county's row.
 */
export async function monthlyResults(
  db: Db,
  list: TableTownship[],
  month: string | undefined,
  now: Date,
): Promise<MonthlyResults> {
  const period = monthPeriod(month, now);
  const p = await compiledProgress(db, list, period, now);
  const campaign = currentCampaign(db, now) ?? null;
  const split = campaign ? await targetSplit(db, campaign, now) : null;
  const cellsOf = (id: number | null): SplitCell[] =>
    CAMPAIGN_METRICS.map((_, i) => {
      const row = split?.rows[i];
      if (!row) return { target: 0, done: 0 };
      if (id === null) return row.county;
      return row.townships[split!.townships.findIndex((t) => t.id === id)] ?? { target: 0, done: 0 };
    });
  const rows = p.sections.map((s) => ({
    townshipId: s.townshipId,
    township: s.township,
    progress: s.total,
    targets: cellsOf(s.townshipId),
  }));
  const total = p.compiled ? { townshipId: null, township: '全县', progress: p.total, targets: cellsOf(null) } : null;
  return { period, campaign, elapsedShare: split?.elapsedShare ?? null, rows, total };
}

const rate = (done: number, of: number) => (of ? done / of : '—');

export const MONTHLY_COLUMNS: TableColumn[] = [
  { header: '镇（街道）', width: 12 },
  ...['企业数', '已完成', '整治中', '待整治'].map((header) => ({ header, group: '名单企业（截至制表）', width: 8 })),
  { header: '完成率', group: '名单企业（截至制表）', width: 8, numFmt: '0.0%' },
  ...['新列入名单', '验收销号', '逾期未完成', '回头看次数', '发现问题'].map((header) => ({
    header,
    group: '本月进展',
    width: 9,
  })),
  ...CAMPAIGN_METRICS.flatMap((m) => [
    { header: '目标', group: `${METRIC_LABELS[m]}（行动累计）`, width: 7 },
    { header: '完成', group: `${METRIC_LABELS[m]}（行动累计）`, width: 7 },
    { header: '完成率', group: `${METRIC_LABELS[m]}（行动累计）`, width: 8, numFmt: '0.0%' },
  ]),
];

/** One row as the sheet's cells (rates as fractions); the page shows the same with rates as text. */
export const monthlyCells = (r: MonthlyRow): (string | number)[] => [
  r.township,
  r.progress.all.total,
  r.progress.all.done,
  r.progress.all.inProgress,
  r.progress.all.listed,
  rate(r.progress.all.done, r.progress.all.total),
  r.progress.added,
  r.progress.accepted,
  r.progress.overdue,
  r.progress.revisits,
  r.progress.findings.reduce((a, b) => a + b, 0),
  ...r.targets.flatMap((t) => [t.target || '—', t.done, rate(t.done, t.target)]),
];

export const asText = (cells: (string | number)[]) =>
  cells.map((v, i) => (MONTHLY_COLUMNS[i]?.numFmt && typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : v));
