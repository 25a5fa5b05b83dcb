import type { DailyPoint } from '../series.ts';
import type { RuleParams } from '../rule-params.ts';
import { episodes, type Finding, findingOf, median, r2, sortedMedian } from './episodes.ts';

/** MAD × 1.4826 estimates the standard deviation of normal data: k then reads as "k sigmas", robustly. */
const MAD_SCALE = 1.4826;

interface Hit {
  day: number;
  kwh: number;
  threshold: number;
  med: number;
  mad: number;
}

/**
 * Rule 3: after a shutdown, a jump against the meter's own normal since the closure (Songyuan's alert). Each day
 * is judged against the `baselineDays` ordinary days before it (after closure and grace, never the days already
 * over): over median + max(k·MAD·1.4826, floorKwh). Median and MAD, not mean and standard deviation, so one odd
 * reading neither raises the bar nor is flagged alone; the floor keeps a meter that reads ~0 from being flagged
 * for a kettle. Only runs of `minRunDays` consecutive days count. Judging each day by the days before it keeps a
 * finding's first day the same on every later pass.
 */
export function jumpAfterClosure(
  series: readonly DailyPoint[],
  closureDay: number,
  p: RuleParams['jump_after_closure'],
): Finding[] {
  // The last baselineDays ordinary days, in a ring (order does not matter to a median), and a buffer to sort:
  // this runs for every day of every shut meter, so it allocates nothing.
  const ring = new Float64Array(p.baselineDays);
  const work = new Float64Array(p.baselineDays);
  let seen = 0;
  const hits: Hit[] = [];
  for (const pt of series) {
    if (pt.day <= closureDay + p.graceDays) continue;
    const n = Math.min(seen, p.baselineDays);
    if (seen >= p.minBaselineDays) {
      work.set(ring.subarray(0, n));
      const med = sortedMedian(work.subarray(0, n).sort());
      for (let i = 0; i < n; i++) work[i] = Math.abs((ring[i] as number) - med);
      const dev = sortedMedian(work.subarray(0, n).sort());
      const threshold = med + Math.max(p.k * MAD_SCALE * dev, p.floorKwh);
      if (pt.kwh > threshold) {
        hits.push({ day: pt.day, kwh: pt.kwh, threshold, med, mad: dev });
        continue;
      }
    }
    ring[seen++ % p.baselineDays] = pt.kwh;
  }
  const runs = episodes(
    hits.map((h) => h.day),
    0,
  ).filter(([from, to]) => to - from >= p.minRunDays);
  const kept = runs.flatMap(([from, to]) => hits.slice(from, to));
  const days = kept.map((h) => h.day);
  return episodes(days, p.gapDays).map((range) => {
    const span = kept.slice(...range);
    const first = span[0] as Hit;
    const med = median(span.map((h) => h.kwh));
    return findingOf(days, range, med / first.threshold, first.threshold, {
      closureDay,
      baselineMedian: r2(first.med),
      baselineMad: r2(first.mad),
      k: p.k,
      floorKwh: p.floorKwh,
      medianKwh: r2(med),
      maxKwh: r2(Math.max(...span.map((h) => h.kwh))),
    });
  });
}
