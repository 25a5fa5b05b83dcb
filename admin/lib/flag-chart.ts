import { dateOfDay } from '../../api/domain/watch/days.ts';
import type { FlagChartData } from '../../api/domain/watch/flag-chart-data.ts';
import { renderChart } from '../../site/lib/svg-chart.ts';

const INK = '#1c2622';
const LINE = '#d5ded9';
const COLORS = ['#0f5e4a', '#8a9691'];
const THRESHOLD = '#b3261e';
const FLAGGED = '#d99a16';
/** Room a date label ("11-30") needs on the axis, with a gap. */
const LABEL_PX = 44;

const shortDate = (day: number) => dateOfDay(day).slice(5);
const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

/**
 * A flag's meter series as an SVG drawn on the server: each line of the data, the rule's threshold dashed, the
 * flagged days as dots on the first line and their span shaded. The page shows the same numbers as a table.
 */
export function flagChartSvg(data: FlagChartData, width: number): string {
  const labels = data.days.map(shortDate);
  const first = data.lines[0]!;
  const flaggedAt = data.days.flatMap((_, i) => (data.flagged[i] ? [i] : []));
  const step = Math.max(1, Math.ceil((labels.length * LABEL_PX) / (width - 60)));
  const line = (name: string, values: (number | null)[], color: string, dashed = false) => ({
    type: 'line',
    name,
    data: values.map(round),
    showSymbol: false,
    connectNulls: false,
    lineStyle: { color, width: dashed ? 1.5 : 2, type: dashed ? 'dashed' : 'solid' },
    itemStyle: { color },
  });
  const series: Record<string, unknown>[] = data.lines.map((l, i) => line(l.name, l.values, COLORS[i % 2]!));
  if (flaggedAt.length)
    series[0]!.markArea = {
      silent: true,
      itemStyle: { color: 'rgba(217, 154, 22, 0.15)' },
      data: [[{ xAxis: labels[flaggedAt[0]!] }, { xAxis: labels[flaggedAt.at(-1)!] }]],
    };
  if (data.threshold) series.push(line(data.threshold.name, data.threshold.values, THRESHOLD, true));
  series.push({
    type: 'scatter',
    name: '计入标记的日子',
    symbolSize: 7,
    z: 3,
    itemStyle: { color: FLAGGED },
    data: first.values.map((v, i) => (data.flagged[i] ? round(v) : null)),
  });
  return renderChart(
    {
      legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: INK, fontSize: 12 } },
      grid: { left: 4, right: 12, top: 36, bottom: 4, containLabel: true },
      xAxis: {
        type: 'category',
        data: labels,
        axisLabel: { color: INK, fontSize: 11, interval: (i: number) => (labels.length - 1 - i) % step === 0 },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: LINE } },
      },
      yAxis: {
        type: 'value',
        axisLabel: { color: INK, fontSize: 11 },
        splitLine: { lineStyle: { color: LINE } },
      },
      series,
    },
    { width, height: 300 },
  );
}

/** The chart's numbers as table rows: the date, each line, the threshold, and whether the day counts. */
export function flagChartTable(data: FlagChartData) {
  const head = ['日期', ...data.lines.map((l) => `${l.name}（kWh）`)];
  if (data.threshold) head.push(data.threshold.name);
  head.push('计入标记');
  const cell = (v: number | null) => (v === null ? '—' : String(round(v)));
  const rows = data.days.map((day, i) => [
    dateOfDay(day),
    ...data.lines.map((l) => cell(l.values[i] ?? null)),
    ...(data.threshold ? [cell(data.threshold.values[i] ?? null)] : []),
    data.flagged[i] ? '是' : '',
  ]);
  return { head, rows };
}

/** The chart twice, wide for a desk and narrow for a phone (watch.css shows one), so its words stay legible. */
export const flagChartSvgs = (data: FlagChartData) =>
  `<div class="chart-wide">${flagChartSvg(data, 720)}</div><div class="chart-narrow">${flagChartSvg(data, 360)}</div>`;
