import { minuteOf, startOfDay, weekdayOf } from '../../api/domain/watch/days.ts';
import type { DailyPoint, IntervalPoint } from '../../api/domain/watch/series.ts';
import { seeded } from '../../api/seed/demo-watch-curves.ts';

/** The demo seed's generator (mulberry32): the same series on every run. */
export const rng = seeded;

/** Daily totals from `from` for `n` days, each `kwh(day, random)`, never below zero. */
export function daily(from: number, n: number, kwh: (day: number, r: () => number) => number, seed = 1) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i): DailyPoint => ({ day: from + i, kwh: Math.max(0, kwh(from + i, r)) }));
}

/** A home: ~7 kWh a day, more at weekends, with noise; `scale` for a bigger family. */
export const home =
  (scale = 1, noise = 0.3) =>
  (day: number, r: () => number) => {
    const w = weekdayOf(day);
    return scale * (w === 0 || w === 6 ? 8.5 : 6.5) * (1 + noise * (2 * r() - 1));
  };

/** A workshop working six days a week (Sunday off). */
export const workshop = (kwh: number) => (day: number, r: () => number) =>
  weekdayOf(day) === 0 ? 2 + r() : kwh * (0.85 + 0.3 * r());

/** Curves for `n` days from `from`: each interval of `minutes` gets `kw(hour, day, random)` × its hours. */
export function curves(
  from: number,
  n: number,
  kw: (hour: number, day: number, r: () => number) => number,
  minutes: 15 | 60 = 15,
  seed = 1,
) {
  const r = rng(seed);
  const out: IntervalPoint[] = [];
  const start = minuteOf(startOfDay(from));
  for (let m = 0; m < n * 1440; m += minutes) {
    const day = from + Math.floor(m / 1440);
    const hour = Math.floor((m % 1440) / 60);
    out.push({ minute: start + m, minutes, kwh: Math.max(0, kw(hour, day, r)) * (minutes / 60) });
  }
  return out;
}

/** A home's curve: the fridge all day, the evening peak 18–22. */
export const homeCurve = (hour: number, _day: number, r: () => number) =>
  (hour >= 18 && hour < 22 ? 1.2 : hour >= 7 && hour < 9 ? 0.5 : 0.12) * (0.8 + 0.4 * r());

/** A workshop's daytime shift 08–18 at `kw`, lights and standby otherwise. */
export const dayShift = (kw: number) => (hour: number, _day: number, r: () => number) =>
  (hour >= 8 && hour < 18 ? kw : 0.3) * (0.9 + 0.2 * r());
