import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import { A4_ACROSS, PAGE_NUMBERS, rowHeight } from '../../shared/xlsx/print.ts';
import { headerBands, type TableColumn } from './progress.ts';

export interface TitledTable {
  sheetName: string;
  title: string;
  /** Under the title: the township, the period, when it was made. */
  subtitle: string;
  columns: TableColumn[];
  rows: (string | number)[][];
  /** A last row of totals, in bold. */
  footer?: (string | number)[];
  /** Indexes of rows that are subtotals (a township's, in a table compiled by 镇街), in bold too. */
  subtotals?: number[];
}

/**
 * Text a spreadsheet reads as a formula once someone edits the cell and presses Enter (OWASP
 * "CSV injection", which xlsx shares on editing): = + - @, a tab or line break before them, and
 * the full-width ＝＋－＠ that Excel and WPS turn into their ASCII forms as they are typed.
 */
export const FORMULA_START = /^[=+\-@\t\r\n＝＋－＠]/;
const TEXT_FORMAT = '@';
const TEXT_FORMAT_ID = 49; // the built-in number format "@"

/**
 * A cell of user text that starts like a formula keeps its exact value and is marked as text:
 * the Text number format, which Excel, WPS and LibreOffice keep as text when the cell is edited,
 * and the quote prefix (below), Excel's own mark for text typed after an apostrophe.
 */
export function keepAsText(cell: ExcelJS.Cell): void {
  if (typeof cell.value === 'string' && FORMULA_START.test(cell.value)) cell.numFmt = TEXT_FORMAT;
}

type XmlStream = { openNode(name: string, attributes?: Record<string, unknown>): void };
type XfPrototype = { render(xml: XmlStream, model: { numFmtId?: number }): void; quotePrefixWritten?: boolean };

/**
 * exceljs 4.4 cannot write an xf's quotePrefix attribute (ISO/IEC 29500-1 §18.8.45: the cell's
 * text is shown as if typed after a single quote, which is not stored in the string). Every cell
 * format with the Text number format gets it here, as the xf element opens. The exports test
 * reads it back from styles.xml, so a change inside exceljs cannot drop it silently.
 */
function writeQuotePrefix(): void {
  const xf = (
    createRequire(import.meta.url)('exceljs/lib/xlsx/xform/style/style-xform.js') as { prototype: XfPrototype }
  ).prototype;
  if (xf.quotePrefixWritten) return;
  const render = xf.render;
  xf.render = function (xml, model) {
    if (model.numFmtId === TEXT_FORMAT_ID) {
      xml.openNode = (name, attributes) => {
        delete (xml as Partial<XmlStream>).openNode; // once: the xf element itself
        return xml.openNode(name, { ...attributes, quotePrefix: '1' });
      };
    }
    return render.call(this, xml, model);
  };
  xf.quotePrefixWritten = true;
}
writeQuotePrefix();

const THIN = { style: 'thin' } as const;
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** One worksheet as a paper form: a title, a line of context, a bordered table with a bold (grouped) header. */
function addTitledTable(wb: ExcelJS.Workbook, t: TitledTable): void {
  const ws = wb.addWorksheet(t.sheetName, { pageSetup: A4_ACROSS, headerFooter: PAGE_NUMBERS });
  const width = t.columns.length;
  const widths = t.columns.map((c) => c.width ?? 10);
  ws.columns = widths.map((w) => ({ width: w }));
  const allWidth = widths.reduce((a, b) => a + b, 0);
  // Merged across the table: no program sizes a merged row to its text, so it is sized here.
  const banner = (row: number, text: string, font: Partial<ExcelJS.Font> & { size: number }) => {
    ws.mergeCells(row, 1, row, width);
    const cell = ws.getCell(row, 1);
    cell.value = text;
    keepAsText(cell);
    cell.font = font;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    ws.getRow(row).height = rowHeight([text], [allWidth], font.size);
  };
  banner(1, t.title, { bold: true, size: 16 });
  banner(2, t.subtitle, { size: 11 });

  const grouped = t.columns.some((c) => c.group);
  const headerTop = 3,
    headerBottom = grouped ? 4 : 3;
  let col = 1;
  for (const band of headerBands(t.columns)) {
    if (band.grouped) {
      if (band.span > 1) ws.mergeCells(headerTop, col, headerTop, col + band.span - 1);
      ws.getCell(headerTop, col).value = band.label;
      t.columns.slice(col - 1, col - 1 + band.span).forEach((c, i) => {
        ws.getCell(headerBottom, col + i).value = c.header;
      });
    } else {
      if (grouped) ws.mergeCells(headerTop, col, headerBottom, col);
      ws.getCell(headerTop, col).value = band.label;
    }
    col += band.span;
  }
  for (let r = headerTop; r <= headerBottom; r++) {
    const labels = t.columns.map((c) => (r === headerBottom ? c.header : (c.group ?? '')));
    // A group's label spans its columns; an ungrouped header spans both rows (sized on the lower).
    const spans = t.columns.map((c) => (c.group ? widths.filter((_, i) => t.columns[i]!.group === c.group) : []));
    ws.getRow(r).height = rowHeight(
      labels,
      widths.map((w, i) => (r === headerTop && grouped ? spans[i]!.reduce((a, b) => a + b, 0) || w : w)),
    );
    for (let c = 1; c <= width; c++) {
      const cell = ws.getCell(r, c);
      cell.font = { bold: true };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF3F0' } };
      cell.border = BORDER;
    }
  }

  const body = t.footer ? [...t.rows, t.footer] : t.rows;
  body.forEach((values, i) => {
    const row = ws.addRow(values);
    row.height = rowHeight(values, widths);
    const isFooter = (t.footer !== undefined && i === body.length - 1) || !!t.subtotals?.includes(i);
    for (let c = 1; c <= width; c++) {
      const cell = row.getCell(c);
      const numFmt = t.columns[c - 1]!.numFmt;
      cell.border = BORDER;
      keepAsText(cell);
      if (numFmt && typeof cell.value === 'number') cell.numFmt = numFmt;
      cell.alignment = {
        vertical: 'top',
        wrapText: true,
        horizontal: typeof cell.value === 'number' || numFmt ? 'center' : 'left',
      };
      if (isFooter) cell.font = { bold: true };
    }
  });
  ws.views = [{ state: 'frozen', ySplit: headerBottom }];
  ws.pageSetup.printTitlesRow = `${headerTop}:${headerBottom}`;
}

/** An .xlsx of one or more titled tables, one per worksheet. */
export async function reportWorkbook(tables: TitledTable[]): Promise<Uint8Array<ArrayBuffer>> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '散乱污整治工作台';
  for (const t of tables) addTitledTable(wb, t);
  return new Uint8Array((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}
