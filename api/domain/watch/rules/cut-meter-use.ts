import type { DailyPoint } from '../series.ts';
import type { RuleParams } from '../rule-params.ts';
import { episodes, type Finding, findingOf, median, r2 } from './episodes.ts';

/**
 * Rule 1: power used on a meter whose 断电 was proven (a cut_power or cut_industrial_power line done, with its
 * photos, in an accepted task). The cut day itself and `graceDays` after it do not count (readings lag the cut);
 * a day counts when it reads at least `minKwh`, below which is a meter's own error; `minDays` such days close
 * together are a finding.
 */
export function cutMeterUse(series: readonly DailyPoint[], cutDay: number, p: RuleParams['cut_meter_use']): Finding[] {
  const days: number[] = [];
  const kwh: number[] = [];
  for (const pt of series)
    if (pt.day > cutDay + p.graceDays && pt.kwh >= p.minKwh) {
      days.push(pt.day);
      kwh.push(pt.kwh);
    }
  return episodes(days, p.gapDays)
    .filter(([from, to]) => to - from >= p.minDays)
    .map((range) => {
      const used = kwh.slice(...range);
      const med = median(used);
      return findingOf(days, range, med / p.minKwh, p.minKwh, {
        cutDay,
        daysUsed: used.length,
        medianKwh: r2(med),
        maxKwh: r2(Math.max(...used)),
        totalKwh: r2(used.reduce((a, b) => a + b, 0)),
      });
    });
}
