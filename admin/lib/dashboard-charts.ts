import type { Counts } from '../../api/domain/assessment/dashboard-counts.ts';
import { renderChart } from '../../site/lib/svg-chart.ts';

const INK = '#1c2622';
const LINE = '#d5ded9';
/** Received, finished, overdue: the public stats' greens for work, red for what is late. */
const COLORS = ['#4fa386', '#0f5e4a', '#b3261e'];

const axis = { axisLabel: { color: INK, fontSize: 12 }, axisLine: { lineStyle: { color: LINE } } };

/** Each month's intake as bars (received, of those finished), the part overdue now as a line. */
export function trendChart(months: ({ label: string } & Counts)[], width = 720): string {
  return renderChart(
    {
      color: COLORS,
      legend: { top: 0, left: 0, itemWidth: 11, itemHeight: 11, textStyle: { color: INK, fontSize: 12 } },
      grid: { left: 4, right: 8, top: 34, bottom: 4, containLabel: true },
      xAxis: { type: 'category', data: months.map((m) => m.label), axisTick: { show: false }, ...axis },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: LINE } }, ...axis },
      series: [
        { type: 'bar', name: '收到', barMaxWidth: 18, data: months.map((m) => m.received) },
        { type: 'bar', name: '其中已办结', barMaxWidth: 18, data: months.map((m) => m.done) },
        { type: 'line', name: '其中超期未办结', data: months.map((m) => m.overdue), symbolSize: 6 },
      ],
    },
    { width, height: 280 },
  );
}

/** The ranking as horizontal bars, best at the top. */
export function rankingChart(rows: { name: string; total: number }[], width = 720): string {
  return renderChart(
    {
      color: ['#0f5e4a'],
      grid: { left: 4, right: 40, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 100, splitLine: { lineStyle: { color: LINE } }, ...axis },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisTick: { show: false }, ...axis },
      series: [
        {
          type: 'bar',
          name: '总分',
          barMaxWidth: 18,
          label: { show: true, position: 'right', color: INK, fontSize: 12 },
          data: rows.map((r) => Math.round(r.total * 10) / 10),
        },
      ],
    },
    { width, height: 30 + rows.length * 28 },
  );
}
