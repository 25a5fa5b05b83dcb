import { PART_LABELS, PARTS, type Breakdown, type Part } from '../../api/domain/public/stats.ts';
import { renderChart } from './svg-chart.ts';

/** One colour per part, dark for finished work, light for what left the process otherwise. */
export const PART_COLORS: Record<Part, string> = {
  resolved: '#0f5e4a',
  inHand: '#4fa386',
  pending: '#d99a16',
  rejected: '#8a9691',
  merged: '#c5cfca',
};

const INK = '#1c2622';
/** Room a month's label ("12月") needs on the axis, with a gap. */
const MONTH_LABEL_PX = 36;
const LINE = '#d5ded9';

/**
 * A bar per row, stacked by where its complaints stand (the same five parts everywhere).
 * Vertical for months; horizontal for named rows, whose labels are long.
 */
export function stackedPartsChart(
  rows: { label: string; counts: Breakdown }[],
  opts: { horizontal: boolean; width?: number },
): string {
  const width = opts.width ?? 360;
  const height = opts.horizontal ? 70 + rows.length * 32 : 270;
  // Months: as many labels as fit (ECharts' 'auto' drops from the end, so the newest month went
  // unlabelled); counted back from the newest, which always has its label.
  const step = Math.max(1, Math.ceil((rows.length * MONTH_LABEL_PX) / (width - 40)));
  const category = {
    type: 'category',
    data: rows.map((r) => r.label),
    inverse: opts.horizontal,
    axisLabel: {
      color: INK,
      fontSize: 12,
      interval: opts.horizontal ? 0 : (i: number) => (rows.length - 1 - i) % step === 0,
    },
    axisTick: { show: false },
    axisLine: { lineStyle: { color: LINE } },
  };
  const value = {
    type: 'value',
    minInterval: 1,
    axisLabel: { color: INK, fontSize: 12 },
    splitLine: { lineStyle: { color: LINE } },
  };
  return renderChart(
    {
      color: PARTS.map((p) => PART_COLORS[p]),
      legend: { top: 0, left: 0, itemWidth: 11, itemHeight: 11, itemGap: 8, textStyle: { color: INK, fontSize: 12 } },
      grid: { left: 4, right: opts.horizontal ? 22 : 8, top: 34, bottom: 4, containLabel: true },
      xAxis: opts.horizontal ? value : category,
      yAxis: opts.horizontal ? category : value,
      series: PARTS.map((p) => ({
        type: 'bar',
        name: PART_LABELS[p],
        stack: 'all',
        barMaxWidth: 22,
        data: rows.map((r) => r.counts[p]),
      })),
    },
    { width, height },
  );
}
