import { z } from 'zod';
import { addMonths, monthBounds, monthOf, type Month } from '../shared/months.ts';

/** A month ("2026-11") or a quarter ("2026-Q4") of the Beijing calendar: what one scorecard covers. */
export interface AssessmentPeriod {
  key: string;
  kind: 'month' | 'quarter';
  /** 2026年11月, 2026年第四季度. */
  label: string;
  start: Date;
  /** The first instant after it. */
  end: Date;
}

const QUARTER_NAMES = ['一', '二', '三', '四'];

export function parsePeriod(key: string | undefined): AssessmentPeriod | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(key ?? '');
  if (m && Number(m[1]) >= 2000) {
    const { start, end } = monthBounds(key as Month);
    return { key: key!, kind: 'month', label: `${Number(m[1])}年${Number(m[2])}月`, start, end };
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(key ?? '');
  if (!q || Number(q[1]) < 2000) return null;
  const first = `${q[1]}-${String((Number(q[2]) - 1) * 3 + 1).padStart(2, '0')}` as Month;
  return {
    key: key!,
    kind: 'quarter',
    label: `${q[1]}年第${QUARTER_NAMES[Number(q[2]) - 1]}季度`,
    start: monthBounds(first).start,
    end: monthBounds(addMonths(first, 2)).end,
  };
}

export const quarterOf = (month: Month) => `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5)) - 1) / 3) + 1}`;

/** The month under way: the default period of the pages (a rank moves as soon as an item goes overdue). */
export const currentPeriod = (now: Date): AssessmentPeriod => parsePeriod(monthOf(now))!;

/** What the period picker offers: the last 12 months and the last 4 quarters, newest first. */
export function recentPeriods(now: Date): AssessmentPeriod[] {
  const month = monthOf(now);
  const months = Array.from({ length: 12 }, (_, i) => parsePeriod(addMonths(month, -i))!);
  const quarters = Array.from({ length: 4 }, (_, i) => parsePeriod(quarterOf(addMonths(month, -3 * i)))!);
  return [...months, ...quarters];
}

/** The `period` of a query: empty for the month under way. */
export const periodParam = z
  .string({ error: '考核期格式应为 2026-11（月）或 2026-Q4（季度）' })
  .refine((s) => parsePeriod(s) !== null, '考核期格式应为 2026-11（月）或 2026-Q4（季度）')
  .optional();
