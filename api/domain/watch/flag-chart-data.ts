import type { Db } from '../../../db/client.ts';
import type { powerFlags } from '../../../db/schema-watch.ts';
import { dayOf, startOfDay } from './days.ts';
import { nightsAndDays } from './rules/night-use.ts';
import { dailySeries, intervalSeries } from './series.ts';

type Flag = Pick<typeof powerFlags.$inferSelect, 'rule' | 'meterId' | 'firstDay' | 'lastDay' | 'evidence'>;

/** A chart's numbers, one entry per day: what the page draws and, beside it, shows as a table. */
export interface FlagChartData {
  unit: string;
  days: number[];
  lines: { name: string; values: (number | null)[] }[];
  /** The rule's threshold on each day (a level of kWh, or for night use the ratio times the day's use). */
  threshold: { name: string; values: (number | null)[] } | null;
  /** Whether each day is one the flag counts. */
  flagged: boolean[];
}

/** Days of context before the flag (enough to see the baseline it broke) and after it. */
const BEFORE_DAYS = 60;
const AFTER_DAYS = 14;
const MAX_DAYS = 180;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const span = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/**
 * The window around a flag and its numbers, from the evidence every rule writes (rules/episodes.ts): `threshold`
 * in the chart's unit and `flaggedDays`. The night rule shows each night against its day's use when the meter has
 * curves; every other rule, and a night flag without curves, the daily totals.
 */
export function flagChart(db: Db, flag: Flag, now: Date): FlagChartData {
  const to = Math.max(flag.lastDay, Math.min(dayOf(now), flag.lastDay + AFTER_DAYS));
  const from = Math.max(flag.firstDay - BEFORE_DAYS, to - MAX_DAYS + 1);
  const listed = flag.evidence.flaggedDays;
  const counted = Array.isArray(listed) ? new Set(listed as number[]) : null;
  const isFlagged = (d: number) => d >= flag.firstDay && d <= flag.lastDay && (!counted || counted.has(d));
  const threshold = num(flag.evidence.threshold);
  if (flag.rule === 'night_use') {
    const minute = (d: number) => startOfDay(d).getTime() / 60_000;
    // The night of the window's last day runs to 06:00 the day after.
    const nights = nightsAndDays(intervalSeries(db, flag.meterId, minute(from), minute(to + 1) + 6 * 60 - 1));
    if (nights.length) {
      const byDay = new Map(nights.map((n) => [n.day, n]));
      const days = span(nights[0]!.day, to);
      const day = days.map((d) => byDay.get(d)?.dayKwh ?? null);
      const ratio = threshold ?? 1.5;
      return {
        unit: 'kWh',
        days,
        lines: [
          { name: '夜间用电（22–6 时）', values: days.map((d) => byDay.get(d)?.nightKwh ?? null) },
          { name: '白天用电（8–18 时）', values: day },
        ],
        threshold: { name: `白天用电 × ${ratio}`, values: day.map((v) => (v === null ? null : v * ratio)) },
        flagged: days.map(isFlagged),
      };
    }
  }
  const points = dailySeries(db, flag.meterId, from, to);
  const byDay = new Map(points.map((p) => [p.day, p.kwh]));
  const days = span(Math.min(points[0]?.day ?? flag.firstDay, flag.firstDay), to);
  return {
    unit: 'kWh/天',
    days,
    lines: [{ name: '日用电量', values: days.map((d) => byDay.get(d) ?? null) }],
    threshold:
      threshold !== null && flag.rule !== 'night_use' ? { name: '阈值', values: days.map(() => threshold) } : null,
    flagged: days.map(isFlagged),
  };
}
