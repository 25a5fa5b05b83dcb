import { createHash } from 'node:crypto';
import { cellText } from './cells.ts';
import { columnOfHeader, fromSheetRow, type ColumnKey, type ParsedLine } from './columns.ts';
import { readSheet, TooManyRows, XlsxError, type SheetRead } from '../../shared/xlsx/read.ts';

export const MAX_IMPORT_ROWS = 20_000;
export const TOO_MANY = `一次最多导入 ${MAX_IMPORT_ROWS} 行，请分批导入`;
// A title and a header above the lines, a few notes below them.
const MAX_SHEET_LINES = MAX_IMPORT_ROWS + 20;

/** A dynamic-list file read: what its title says, and each line's fields (not yet checked against the database). */
export interface ParsedSheet {
  sha256: string;
  title: string;
  lines: ({ row: number } & ParsedLine)[];
}
type SheetResult = { ok: true; sheet: ParsedSheet } | { ok: false; message: string };

/** The header row: the first of the top five lines with a 企业名称 column. */
function findHeader(lines: SheetRead['lines']) {
  for (const [i, line] of lines.slice(0, 5).entries()) {
    const columns = new Map<number, ColumnKey>();
    line.cells.forEach((v, col) => {
      const key = typeof v === 'string' ? columnOfHeader(v) : undefined;
      if (key && ![...columns.values()].includes(key)) columns.set(col, key);
    });
    if ([...columns.values()].includes('name')) return { index: i, columns };
  }
  return null;
}

const blankLine = (cells: Partial<Record<ColumnKey, unknown>>) =>
  Object.entries(cells).every(([k, v]) => k === 'seq' || cellText(v) === '');

function parse(bytes: Buffer, sha256: string): SheetResult {
  let read: SheetRead;
  try {
    read = readSheet(bytes, MAX_SHEET_LINES);
  } catch (e) {
    if (e instanceof TooManyRows) return { ok: false, message: TOO_MANY };
    if (e instanceof XlsxError) return { ok: false, message: e.message };
    throw e;
  }
  const { lines, date1904 } = read;
  const header = findHeader(lines);
  if (!header) return { ok: false, message: '没有找到表头：前 5 行中应有“企业名称”一列（动态管理整治企业清单格式）' };
  const data = lines
    .slice(header.index + 1)
    .map((l) => {
      const cells: Partial<Record<ColumnKey, unknown>> = {};
      for (const [col, key] of header.columns) cells[key] = l.cells[col] ?? null;
      return { row: l.row, cells };
    })
    .filter((l) => !blankLine(l.cells));
  if (data.length === 0) return { ok: false, message: '表格中没有企业：表头下面没有内容' };
  if (data.length > MAX_IMPORT_ROWS) return { ok: false, message: TOO_MANY };
  return {
    ok: true,
    sheet: {
      sha256,
      title: lines
        .slice(0, header.index)
        .flatMap((l) => l.cells.map(cellText))
        .join(' '),
      lines: data.map((l) => ({ row: l.row, ...fromSheetRow(l.cells, { date1904 }) })),
    },
  };
}

// A preview and then its commit send the same file. Reading it depends on its bytes alone, so
// the last file read is kept, by its hash, for ten minutes: the commit checks it against the
// database again but does not decode it twice (a fifth of a 10,000-line import).
const KEEP_MS = 10 * 60_000;
let recent: { sha256: string; at: number; result: SheetResult } | null = null;

/** Reads an uploaded dynamic list; never throws for a bad file, says in Chinese what is wrong. */
export function readDynamicList(bytes: Buffer, now: Date): SheetResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (recent && recent.sha256 === sha256 && now.getTime() - recent.at < KEEP_MS) return recent.result;
  const result = parse(bytes, sha256);
  recent = { sha256, at: now.getTime(), result };
  return result;
}

/** After a commit the file is done with: its lines need not stay in memory. */
export function forgetDynamicList(sha256: string): void {
  if (recent?.sha256 === sha256) recent = null;
}
