import ExcelJS from 'exceljs';

/** Every cell of every sheet of a downloaded .xlsx, one a line: an .xlsx is zipped, so its bytes say nothing. */
export async function sheetText(res: Response): Promise<string> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(await res.arrayBuffer());
  const cells: string[] = [];
  book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))));
  return cells.join('\n');
}
