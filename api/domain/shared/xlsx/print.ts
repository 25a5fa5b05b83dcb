import type { HeaderFooter, PageSetup } from 'exceljs';

/**
 * How every exported sheet prints (tests/integration/print-layout.test.ts prints them with
 * LibreOffice): A4 landscape, all columns across one page and as many pages down as it takes,
 * centred, with narrow margins; the header rows repeat on each page (each sheet names its own).
 */
export const A4_ACROSS: Partial<PageSetup> = {
  paperSize: 9,
  orientation: 'landscape',
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  horizontalCentered: true,
  margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
};

/** 第 1 页，共 3 页 at the foot of every page. */
export const PAGE_NUMBERS: Partial<HeaderFooter> = { oddFooter: '&C第 &P 页，共 &N 页' };

// A Han character, kana, hangul or full-width form is about twice as wide as a digit, the unit
// spreadsheets measure column widths in (a CJK glyph beside Calibri's 7-pixel "0" is ~15 pixels).
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;
// Per line of 11 pt text with CJK fonts (Excel's 等线 and WPS's 宋体 rows are 14.25-14.4 pt;
// LibreOffice's Noto Sans CJK needs ~15): a little more, never less, and the cell's own padding.
const LINE_PT = 15.5 / 11;
const PADDING_PT = 3;

/** The width of a text in column units: wide characters two, the rest one. */
export function textUnits(text: string): number {
  let n = 0;
  for (const ch of text) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

/** The lines a text takes in a wrapped cell `width` units wide, at `fontPt`. */
export function wrappedLines(text: string, width: number, fontPt = 11): number {
  // A character or so of each line goes to the cell's margins, and breaks rarely fall at the very end.
  const perLine = Math.max(1, (width - 1.5) * (11 / fontPt));
  return text.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil((textUnits(part) * 1.04) / perLine)), 0);
}

const shown = (v: unknown): string => (v == null ? '' : v instanceof Date ? '0000-00-00 00:00' : String(v));

/**
 * The height (points) of a row whose cells wrap: enough lines for its longest cell. Spreadsheets
 * do not grow a row for wrapped text by themselves when printing (LibreOffice keeps the default
 * height, and no program does for merged cells), so every exported row says its height.
 */
export function rowHeight(cells: readonly unknown[], widths: readonly number[], fontPt = 11): number {
  let lines = 1;
  cells.forEach((v, i) => {
    const text = shown(v);
    if (text) lines = Math.max(lines, wrappedLines(text, widths[i] ?? 10, fontPt));
  });
  return Math.ceil((lines * LINE_PT * fontPt + PADDING_PT) * 4) / 4;
}
