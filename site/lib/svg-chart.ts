import * as echarts from 'echarts';

/** A chart's size in SVG units; the page scales it to its width. */
export interface ChartSize {
  width: number;
  height: number;
}

/** SVG presentation attributes ECharts writes as inline style, which our CSP (style-src 'self') blocks. */
const PRESENTATION = new Set([
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'opacity',
  'font-size',
  'font-family',
  'font-weight',
  'font-style',
  'text-decoration',
  'visibility',
]);

function styleToAttributes(tag: string): string {
  const m = / style="([^"]*)"/.exec(tag);
  if (!m) return tag;
  const present = new Set([...tag.matchAll(/ ([a-z-]+)="/g)].map((a) => a[1]));
  const attrs = m[1]!.split(';').flatMap((decl) => {
    const i = decl.indexOf(':');
    const name = decl.slice(0, i).trim().toLowerCase();
    const value = decl.slice(i + 1).trim();
    return i > 0 && PRESENTATION.has(name) && !present.has(name) && value ? [` ${name}="${value}"`] : [];
  });
  return tag.replace(m[0], attrs.join(''));
}

/**
 * Makes ECharts' SSR output fit a strict CSP and a page: inline styles become presentation attributes,
 * the <style> block (hover effects only) and ECharts' bookkeeping attributes go, and the fixed
 * width and height give way to the viewBox so that CSS sizes it.
 */
export function cleanSvg(svg: string): string {
  return svg
    .replace(/<style[\s\S]*?<\/style>\s*/g, '')
    .replace(/<[a-z]+\b[^>]*>/g, styleToAttributes)
    .replace(/ (?:class|ecmeta_[a-z_]+|pointer-events)="[^"]*"/g, '')
    .replace(/^<svg width="[\d.]+" height="[\d.]+"/, '<svg aria-hidden="true" focusable="false"')
    .replace(/\n+/g, '');
}

/** Renders one ECharts option to an SVG string on the server: no animation, no script, no inline style. */
export function renderChart(option: echarts.EChartsCoreOption, size: ChartSize): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif' }, ...option });
    return cleanSvg(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}
