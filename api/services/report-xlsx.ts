import ExcelJS from 'exceljs';
import { headerBands, type ReportColumn } from './progress-report.ts';

export interface TitledTable {
  sheetName: string;
  title: string;
  /** Under the title: the township, the period, when it was made. */
  subtitle: string;
  columns: ReportColumn[];
  rows: (string | number)[][];
  /** A last row of totals, in bold. */
  footer?: (string | number)[];
}

const THIN = { style: 'thin' } as const;
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** One worksheet as a paper form: a title, a line of context, a bordered table with a bold (grouped) header. */
function addTitledTable(wb: ExcelJS.Workbook, t: TitledTable): void {
  const ws = wb.addWorksheet(t.sheetName, { pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 } });
  const width = t.columns.length;
  ws.columns = t.columns.map((c) => ({ width: c.width ?? 10 }));
  const banner = (row: number, text: string, font: Partial<ExcelJS.Font>) => {
    ws.mergeCells(row, 1, row, width);
    const cell = ws.getCell(row, 1);
    cell.value = text;
    cell.font = font;
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
  };
  banner(1, t.title, { bold: true, size: 16 });
  ws.getRow(1).height = 28;
  banner(2, t.subtitle, { size: 11 });

  const grouped = t.columns.some((c) => c.group);
  const headerTop = 3, headerBottom = grouped ? 4 : 3;
  let col = 1;
  for (const band of headerBands(t.columns)) {
    if (band.grouped) {
      if (band.span > 1) ws.mergeCells(headerTop, col, headerTop, col + band.span - 1);
      ws.getCell(headerTop, col).value = band.label;
      t.columns.slice(col - 1, col - 1 + band.span).forEach((c, i) => (ws.getCell(headerBottom, col + i).value = c.header));
    } else {
      if (grouped) ws.mergeCells(headerTop, col, headerBottom, col);
      ws.getCell(headerTop, col).value = band.label;
    }
    col += band.span;
  }
  for (let r = headerTop; r <= headerBottom; r++) {
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
    const isFooter = t.footer !== undefined && i === body.length - 1;
    for (let c = 1; c <= width; c++) {
      const cell = row.getCell(c);
      cell.border = BORDER;
      cell.alignment = { vertical: 'top', wrapText: true, horizontal: typeof cell.value === 'number' ? 'center' : 'left' };
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
