import { weekdayOf } from '../domain/watch/days.ts';

/**
 * The demo's load curves: the mean power (kW) a meter draws in each quarter hour of a Beijing day, as a shape a
 * newcomer can recognise on the flag's chart. Noise comes from a seeded generator, so every seed draws the same.
 */
export type Curve = (day: number, hour: number, rand: () => number) => number;

/** Mulberry32: small, fast, and the same numbers on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const jitter = (rand: () => number, share = 0.15) => 1 + (rand() - 0.5) * 2 * share;
const isWorkday = (day: number) => weekdayOf(day) !== 0; // small workshops work Monday to Saturday
const within = (hour: number, from: number, to: number) =>
  from <= to ? hour >= from && hour < to : hour >= from || hour < to;

/** A workshop on a day shift (08–18, an hour for lunch), with its standby load at other times. */
export const dayShift =
  (workKw: number, baseKw: number): Curve =>
  (day, hour, rand) => {
    if (!isWorkday(day) || !within(hour, 8, 18)) return baseKw * jitter(rand);
    return (hour >= 12 && hour < 13 ? workKw / 3 : workKw) * jitter(rand) + baseKw;
  };

/** A workshop that moved its loud work to the night (22–02) to keep it from inspectors, from `fromDay` on. */
export const nightShiftFrom =
  (fromDay: number, before: Curve, nightKw: number, dayKw: number, baseKw: number): Curve =>
  (day, hour, rand) => {
    if (day < fromDay) return before(day, hour, rand);
    if (within(hour, 22, 2)) return nightKw * jitter(rand) + baseKw;
    if (isWorkday(day) && within(hour, 8, 18)) return dayKw * jitter(rand) + baseKw;
    return baseKw * jitter(rand);
  };

/** Power cut on `cutDay` (the meter sealed: nothing at all), and back from `backDay` with night work (22–05). */
export const cutThenBack =
  (before: Curve, cutDay: number, backDay: number, nightKw: number, baseKw: number): Curve =>
  (day, hour, rand) => {
    if (day < cutDay) return before(day, hour, rand);
    if (day < backDay) return 0;
    return (within(hour, 22, 5) ? nightKw * jitter(rand) : 0) + baseKw * jitter(rand);
  };

/** A household: a small standby load, breakfast, lunch, the evening's cooking, television and air conditioning. */
export const household =
  (scale: number): Curve =>
  (day, hour, rand) => {
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    let kw = 0.15;
    if (within(hour, 6, 8)) kw = 0.7;
    else if (within(hour, 11, 13)) kw = 0.5;
    else if (within(hour, 18, 23)) kw = 1.1;
    else if (weekend && within(hour, 8, 18)) kw = 0.45;
    return kw * scale * jitter(rand, 0.3);
  };

/** An electric heater on winter evenings and nights: a house well above its neighbours, but a house's shape. */
export const heatedHousehold =
  (scale: number): Curve =>
  (day, hour, rand) =>
    household(scale)(day, hour, rand) + (within(hour, 19, 7) ? 1.2 * jitter(rand) : 0);

/**
 * A house that became a workshop on `fromDay`: machines through a weekday's daytime (Monday to Friday, lunch too:
 * piece work) besides the family's own use.
 */
export const houseTurnedWorkshop =
  (fromDay: number, workKw: number): Curve =>
  (day, hour, rand) => {
    const home = household(1)(day, hour, rand);
    const weekday = weekdayOf(day) !== 0 && weekdayOf(day) !== 6;
    if (day < fromDay || !weekday || !within(hour, 8, 18)) return home;
    return home + workKw * jitter(rand, 0.1);
  };

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A day's 96 quarter-hour readings (kWh) of a curve. */
export const quarterHours = (curve: Curve, day: number, rand: () => number): number[] =>
  Array.from({ length: 96 }, (_, q) => round2(curve(day, Math.floor(q / 4), rand) / 4));
