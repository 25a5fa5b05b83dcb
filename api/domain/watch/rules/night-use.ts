import { beijingHourOf } from '../days.ts';
import type { IntervalPoint } from '../series.ts';
import type { RuleParams } from '../rule-params.ts';
import { episodes, type Finding, findingOf, median, r2 } from './episodes.ts';

/** Night: 22:00 of a day to 06:00 of the next (8 h); day: 08:00–18:00 (10 h), on the Beijing clock. */
const NIGHT_MINUTES = 8 * 60;
const DAY_MINUTES = 10 * 60;
/** A night or a day with less than this share of its curve read is not judged. */
const MIN_COVER = 0.75;
/** Below this a day's use is standby: the ratio is taken against it instead (no division by zero). */
const DAY_FLOOR_KWH = 0.1;
/** A dark day makes any night a huge ratio; past this it says nothing more (and would swamp the strength order). */
const RATIO_CAP = 20;

export interface NightDay {
  day: number;
  nightKwh: number;
  dayKwh: number;
}

/** Each Beijing day's daytime use and the following night's, where the curve covers both. */
export function nightsAndDays(intervals: readonly IntervalPoint[]): NightDay[] {
  const acc = new Map<number, { night: number; nightMin: number; day: number; dayMin: number }>();
  const at = (d: number) => {
    let a = acc.get(d);
    if (!a) acc.set(d, (a = { night: 0, nightMin: 0, day: 0, dayMin: 0 }));
    return a;
  };
  for (const iv of intervals) {
    const { day, hour } = beijingHourOf(iv.minute);
    if (hour >= 22) {
      const a = at(day);
      a.night += iv.kwh;
      a.nightMin += iv.minutes;
    } else if (hour < 6) {
      const a = at(day - 1);
      a.night += iv.kwh;
      a.nightMin += iv.minutes;
    } else if (hour >= 8 && hour < 18) {
      const a = at(day);
      a.day += iv.kwh;
      a.dayMin += iv.minutes;
    }
  }
  return [...acc]
    .filter(([, a]) => a.nightMin >= NIGHT_MINUTES * MIN_COVER && a.dayMin >= DAY_MINUTES * MIN_COVER)
    .map(([day, a]) => ({ day, nightKwh: a.night, dayKwh: a.day }))
    .sort((a, b) => a.day - b.day);
}

/**
 * Rule 2: on a file under 整改 or shut, a night's use above `ratio` × the day's (Zhuzhou's watch list: a
 * workshop hiding from daytime inspections runs at night). A night under `minNightKwh` is lights and standby and
 * never counts; `minNights` such nights close together are a finding. Needs 15-minute or hourly curves.
 */
export function nightUse(intervals: readonly IntervalPoint[], p: RuleParams['night_use']): Finding[] {
  const hits = nightsAndDays(intervals).filter((n) => n.nightKwh >= p.minNightKwh && n.nightKwh > p.ratio * n.dayKwh);
  const days = hits.map((n) => n.day);
  return episodes(days, p.gapDays)
    .filter(([from, to]) => to - from >= p.minNights)
    .map((range) => {
      const span = hits.slice(...range);
      const ratio = Math.min(median(span.map((n) => n.nightKwh / Math.max(n.dayKwh, DAY_FLOOR_KWH))), RATIO_CAP);
      return findingOf(days, range, ratio / p.ratio, p.ratio, {
        nights: span.length,
        medianRatio: r2(ratio),
        nightKwh: span.map((n) => r2(n.nightKwh)),
        dayKwh: span.map((n) => r2(n.dayKwh)),
        minNightKwh: p.minNightKwh,
      });
    });
}
