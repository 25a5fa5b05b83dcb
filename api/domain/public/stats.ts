import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { addMonths, monthOf, type Month } from '../shared/months.ts';
import { medianOfHours, statsStatements, type Median } from './stats-sql.ts';
import { townshipRows } from './township-stats.ts';

/**
 * Where each complaint stands, as the public pages count it: every complaint is in exactly one part.
 * A report merged into another (a duplicate) is counted as received and as merged, never as accepted
 * or rejected: the report it joined carries the case.
 */
export const PARTS = ['resolved', 'inHand', 'pending', 'rejected', 'merged'] as const;
export type Part = (typeof PARTS)[number];

export const PART_OF: Record<ComplaintStatus, Part> = {
  submitted: 'pending',
  accepted: 'inHand',
  assigned: 'inHand',
  resolved: 'resolved',
  closed: 'resolved',
  rejected: 'rejected',
  merged: 'merged',
};

export const PART_LABELS: Record<Part, string> = {
  resolved: '已办结',
  inHand: '办理中',
  pending: '待受理',
  rejected: '不予受理',
  merged: '已合并',
};

export type Breakdown = Record<Part, number> & { received: number; accepted: number };

export const emptyBreakdown = (): Breakdown => ({
  received: 0,
  accepted: 0,
  resolved: 0,
  inHand: 0,
  pending: 0,
  rejected: 0,
  merged: 0,
});

export function addTo(b: Breakdown, status: ComplaintStatus, n: number): void {
  const part = PART_OF[status];
  b[part] += n;
  b.received += n;
  if (part === 'resolved' || part === 'inHand') b.accepted += n;
}

export interface Overdue {
  /** Still awaiting the decision to accept or not, past the deadline for it. */
  undecided: number;
  /** Accepted or assigned, past the deadline to finish. */
  unfinished: number;
}

export interface PublicStats {
  generatedAt: Date;
  totals: Breakdown;
  months: ({ month: Month } & Breakdown)[];
  categories: ({ id: number; name: string } & Breakdown)[];
  /** Every village, then the township level (id null) for reports outside every village. */
  villages: ({ id: number | null; name: string; overdue: number } & Breakdown)[];
  medians: { accept: Median; resolve: Median };
  overdue: Overdue;
}

export const TOWNSHIP_LEVEL = '镇级待定';
const OPEN: [ComplaintStatus, keyof Overdue][] = [
  ['submitted', 'undecided'],
  ['accepted', 'unfinished'],
  ['assigned', 'unfinished'],
];

/** Everything /stats shows: counts only, never a single complaint. */
/**
 * A median duration as people say it: under a day in hours (a same-day answer is not "0.0 天"),
 * else in days to one decimal.
 */
export function durationText(m: Median): { value: string; unit: string } | null {
  if (m.days === null) return null;
  const hours = m.days * 24;
  if (hours < 1) return { value: '不到 1', unit: '小时' };
  if (hours < 24) return { value: String(Math.round(hours * 10) / 10), unit: '小时' };
  return { value: m.days.toFixed(1), unit: '天' };
}

/** With a township (`?township=`, decision 024), every figure is that township's: its villages, what it holds. */
export function publicStats(db: Db, now: Date, monthsBack = 12, townshipId?: number): PublicStats {
  const s = statsStatements(db);
  const t = townshipId === undefined ? null : townshipRows(db, townshipId);
  const last = monthOf(now);
  const first = addMonths(last, -(monthsBack - 1));

  const totals = emptyBreakdown();
  const byVillage = new Map<number, Breakdown>();
  for (const r of t ? t.byVillageStatus() : s.byVillageStatus.all()) {
    addTo(totals, r.status, r.n);
    const b = byVillage.get(r.id) ?? emptyBreakdown();
    byVillage.set(r.id, b);
    addTo(b, r.status, r.n);
  }

  const byCategory = new Map<number, Breakdown>();
  for (const r of t ? t.byCategoryStatus() : s.byCategoryStatus.all()) {
    const b = byCategory.get(r.id) ?? emptyBreakdown();
    byCategory.set(r.id, b);
    addTo(b, r.status, r.n);
  }

  const byMonth = new Map<Month, Breakdown>();
  for (let m = first; m <= last; m = addMonths(m, 1)) byMonth.set(m, emptyBreakdown());
  for (const r of t ? t.byMonthStatus(first, last) : s.byMonthStatus.all(first, last))
    addTo(byMonth.get(r.month)!, r.status, r.n);

  const overdue: Overdue = { undecided: 0, unfinished: 0 };
  const cutoff = now.getTime();
  const overdueIn = (villageId: number | null) => {
    let sum = 0;
    for (const [status, key] of OPEN) {
      const n = (
        villageId !== null
          ? s.overdueInVillage.get(villageId, status, cutoff)
          : t
            ? t.overdueAtTownship(status, cutoff)
            : s.overdueAtTownship.get(status, cutoff)
      )!.n;
      overdue[key] += n;
      sum += n;
    }
    return sum;
  };

  const villages: PublicStats['villages'] = (t ? t.villages() : s.villages.all()).map((v) => ({
    id: v.id,
    name: v.name,
    overdue: overdueIn(v.id),
    ...(byVillage.get(v.id) ?? emptyBreakdown()),
  }));
  villages.push({
    id: null,
    name: TOWNSHIP_LEVEL,
    overdue: overdueIn(null),
    ...(byVillage.get(0) ?? emptyBreakdown()),
  });

  const all = ['0000-00', '9999-99'] as const;
  return {
    generatedAt: now,
    totals,
    months: [...byMonth].map(([month, b]) => ({ month, ...b })),
    categories: s.categories
      .all()
      .map((c) => ({ id: c.id, name: c.name, ...(byCategory.get(c.id) ?? emptyBreakdown()) })),
    villages,
    medians: {
      accept: medianOfHours(t ? t.durations('accept', ...all) : s.durations.all('accept', ...all)),
      resolve: medianOfHours(t ? t.durations('resolve', ...all) : s.durations.all('resolve', ...all)),
    },
    overdue,
  };
}
