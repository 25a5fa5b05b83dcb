/**
 * What a rule found on one meter: a span of days, how far past its threshold (1 = just at it), and the numbers
 * that explain it. `evidence` always has `threshold` (the line on the flag's chart, in the chart's unit) and
 * `flaggedDays` (the days past it); each rule adds its own.
 */
export interface Finding {
  firstDay: number;
  lastDay: number;
  strength: number;
  evidence: { threshold: number; flaggedDays: number[] } & Record<string, unknown>;
}

/**
 * Qualifying days (ascending) grouped into episodes: a silence of more than `gapDays` days between two of them
 * starts a new one. Answers [start, end) index ranges into `days`.
 */
export function episodes(days: readonly number[], gapDays: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= days.length; i++)
    if (i === days.length || (days[i] as number) - (days[i - 1] as number) - 1 > gapDays) {
      if (i > start) out.push([start, i]);
      start = i;
    }
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  // A typed array sorts numerically without a comparator: several times faster.
  return sortedMedian(Float64Array.from(values).sort());
}

/** The median of values already sorted. */
export function sortedMedian(s: Float64Array): number {
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Rounded for the evidence a person reads (kWh to 0.01). */
export const r2 = (x: number) => Math.round(x * 100) / 100;

/** A finding over `days[from..to)`: its span, its strength rounded, and its evidence with the threshold first. */
export const findingOf = (
  days: readonly number[],
  [from, to]: [number, number],
  strength: number,
  threshold: number,
  evidence: Record<string, unknown>,
): Finding => ({
  firstDay: days[from] as number,
  lastDay: days[to - 1] as number,
  strength: r2(strength),
  evidence: { threshold: r2(threshold), flaggedDays: days.slice(from, to), ...evidence },
});
