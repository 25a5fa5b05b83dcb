import { beijingHourOf, weekdayOf } from '../days.ts';
import type { DailyPoint, IntervalPoint } from '../series.ts';
import type { RuleParams } from '../rule-params.ts';
import { episodes, type Finding, findingOf, median, r2 } from './episodes.ts';

/** A window with fewer days read than this share of its length is not judged. */
const MIN_COVER = 0.75;
/** Per-day daytime base ratios needed in a window before the curve is believed. */
const MIN_CURVE_DAYS = 5;
/** Weekend use under this is "nothing": the weekday ratio is taken against it. */
const WEEKEND_FLOOR_KWH = 0.5;
const RATIO_CAP = 20;

const isWeekend = (day: number) => {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
};

/** A meter's mean daily use over its readings: what the village's residential median is taken over. */
export const meanDaily = (series: readonly DailyPoint[]) =>
  series.length ? series.reduce((a, p) => a + p.kwh, 0) / series.length : 0;

/**
 * The highest mean of any window of `windowDays` calendar days over the first `n` readings (as columns: detection
 * reads every house, so no object per day). A house whose windows never reach the rule's `minDailyKwh` cannot be
 * flagged whatever its village's median is, so detection keeps only the others' series.
 */
export function maxWindowMean(days: ArrayLike<number>, kwh: ArrayLike<number>, n: number, windowDays: number): number {
  let best = 0;
  let sum = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    sum += kwh[i] as number;
    while ((days[j] as number) <= (days[i] as number) - windowDays) sum -= kwh[j++] as number;
    if (i - j + 1 >= windowDays * MIN_COVER) best = Math.max(best, sum / (i - j + 1));
  }
  return best;
}

/**
 * Per Beijing day with a full enough curve: the lowest hourly use between 08:00 and 18:00 over the day's mean
 * hourly use. A workshop's machines hold the daytime floor high (ratio above 1); a home's daytime floor is its
 * fridge (ratio well under 1), its peak the evening.
 */
export function daytimeBaseRatios(intervals: readonly IntervalPoint[]): Map<number, number> {
  const hours = new Map<number, { kwh: Float64Array; minutes: Int32Array }>();
  for (const iv of intervals) {
    const { day, hour } = beijingHourOf(iv.minute);
    let h = hours.get(day);
    if (!h) hours.set(day, (h = { kwh: new Float64Array(24), minutes: new Int32Array(24) }));
    h.kwh[hour] = (h.kwh[hour] as number) + iv.kwh;
    h.minutes[hour] = (h.minutes[hour] as number) + iv.minutes;
  }
  const out = new Map<number, number>();
  for (const [day, h] of hours) {
    if (h.minutes.some((m) => m < 60)) continue;
    const mean = h.kwh.reduce((a, b) => a + b, 0) / 24;
    if (mean > 0) out.set(day, Math.min(...h.kwh.subarray(8, 18)) / mean);
  }
  return out;
}

interface Window {
  day: number;
  mean: number;
  weekdayRatio: number;
  baseRatio: number | null;
}

/**
 * Rule 4: a residential meter whose use looks like a factory's (Nanjing's find: workshops in homes). Judged on
 * each window of `windowDays` days ending on a day read: its mean must be at least `villageMultiple` × the
 * village's residential median and at least `minDailyKwh`, and the shape must be a workplace's: a daytime base
 * load (when curves exist) or a weekday rhythm (weekdays over weekends ≥ `weekdayRatio`). A big family or an
 * electric heater is high but shaped like a home, and is not flagged. `minDays` such windows close together are a
 * finding, dated by the windows' last days.
 */
export function houseFactory(
  series: readonly DailyPoint[],
  villageMedian: number,
  baseRatios: ReadonlyMap<number, number> | undefined,
  p: RuleParams['house_factory'],
): Finding[] {
  const bar = Math.max(p.minDailyKwh, p.villageMultiple * villageMedian);
  const hits: Window[] = [];
  for (const w of windows(series, p.windowDays, baseRatios)) {
    const shaped = w.weekdayRatio >= p.weekdayRatio || (w.baseRatio !== null && w.baseRatio >= p.daytimeBaseRatio);
    if (w.mean >= bar && shaped) hits.push(w);
  }
  const days = hits.map((w) => w.day);
  return episodes(days, p.gapDays)
    .filter(([from, to]) => to - from >= p.minDays)
    .map((range) => {
      const span = hits.slice(...range);
      const mean = median(span.map((w) => w.mean));
      const bases = span.flatMap((w) => (w.baseRatio === null ? [] : [w.baseRatio]));
      return findingOf(days, range, mean / bar, bar, {
        villageMedian: r2(villageMedian),
        windowDays: p.windowDays,
        medianWindowKwh: r2(mean),
        weekdayRatio: r2(median(span.map((w) => w.weekdayRatio))),
        daytimeBaseRatio: bases.length ? r2(median(bases)) : null,
      });
    });
}

/** Sliding windows of calendar days, kept when read enough, with their mean, weekday ratio and curve's ratio. */
function* windows(
  series: readonly DailyPoint[],
  windowDays: number,
  baseRatios: ReadonlyMap<number, number> | undefined,
): Generator<Window> {
  let sum = 0;
  let wkSum = 0;
  let wkN = 0;
  let weSum = 0;
  let weN = 0;
  let j = 0;
  const add = (pt: DailyPoint, sign: number) => {
    sum += sign * pt.kwh;
    if (isWeekend(pt.day)) {
      weSum += sign * pt.kwh;
      weN += sign;
    } else {
      wkSum += sign * pt.kwh;
      wkN += sign;
    }
  };
  for (let i = 0; i < series.length; i++) {
    const pt = series[i] as DailyPoint;
    add(pt, 1);
    while ((series[j] as DailyPoint).day <= pt.day - windowDays) add(series[j++] as DailyPoint, -1);
    const n = i - j + 1;
    if (n < windowDays * MIN_COVER || weN < 1 || wkN < 3) continue;
    const weekdayRatio = Math.min(wkSum / wkN / Math.max(weSum / weN, WEEKEND_FLOOR_KWH), RATIO_CAP);
    let baseRatio: number | null = null;
    if (baseRatios?.size) {
      const inWindow: number[] = [];
      for (let d = pt.day - windowDays + 1; d <= pt.day; d++) {
        const r = baseRatios.get(d);
        if (r !== undefined) inWindow.push(r);
      }
      if (inWindow.length >= MIN_CURVE_DAYS) baseRatio = median(inWindow);
    }
    yield { day: pt.day, mean: sum / n, weekdayRatio, baseRatio };
  }
}
