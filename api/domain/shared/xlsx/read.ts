import { NOT_XLSX, ZipError, ZipReader, type ZipLimits } from './zip.ts';
import { isUtf8 } from 'node:buffer';
import { decodeText, XmlError, XmlScanner, type XmlHandler } from './xml-scan.ts';

/**
 * Reads the cell values of the first visible worksheet of an .xlsx, and nothing else (no styles,
 * no formulas): a dynamic list needs only its strings and numbers (decision 007). The file is
 * hostile until read (decision 011): every part is inflated within limits that count real
 * output, scanned in linear time as it is decoded, and what it holds (strings, rows, cells) is
 * counted, so a bomb is refused in Chinese long before it fills memory or the import's time.
 */
export type CellValue = string | number | boolean | Date | null;
export interface SheetLine {
  /** The spreadsheet's own row number, 1-based, as the person sees it. */
  row: number;
  cells: CellValue[];
}

export class XlsxError extends Error {}
export class TooManyRows extends XlsxError {}

export interface ReadLimits extends ZipLimits {
  /** Entries of the shared string table (one for the whole workbook). */
  maxSharedStrings: number;
  /** <c> elements read, and separately the width of every line kept (its last column), summed. */
  maxCells: number;
}

const MB = 1024 * 1024;
export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxEntries: 1_000,
  maxPartBytes: 64 * MB,
  maxTotalBytes: 100 * MB,
  // A list of 20,000 lines of 15 columns holds at most 300,000 different strings.
  maxSharedStrings: 500_000,
  maxCells: 2_000_000,
};
let defaults = DEFAULT_READ_LIMITS;
/** The import thread sets these once, from the configuration (api/env.ts). */
export function setReadLimits(limits: Partial<ReadLimits>): void {
  defaults = { ...DEFAULT_READ_LIMITS, ...limits };
}

const MAX_COLUMNS = 16_384; // XFD, Excel's last column
const MAX_ROW = 1_048_576; // Excel's last row
const MAX_CELL_CHARS = 32_767; // what Excel lets a cell hold
const MAX_RAW_CHARS = MAX_CELL_CHARS * 10; // before decoding: &#x4E2D; is eight characters for one
const MAX_TAG_CHARS = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;

const tooLong = () => new XlsxError(`单元格内容过长（超过 ${MAX_CELL_CHARS} 个字符），无法导入`);
const tooManyCells = (n: number) => new XlsxError(`单元格过多（超过 ${n} 个），无法导入：请只保留清单所在的工作表和列`);

/** Decodes a part's UTF-8 in pieces into the scanner: the whole part never becomes one string. */
function scan(bytes: Buffer, handler: XmlHandler): void {
  if (!isUtf8(bytes)) throw new XlsxError(`${NOT_XLSX}（文字编码有误）`);
  const scanner = new XmlScanner(handler, MAX_TAG_CHARS);
  for (let at = 0; at < bytes.length; ) {
    let end = Math.min(bytes.length, at + CHUNK_BYTES);
    while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
    scanner.feed(bytes.toString('utf8', at, end));
    at = end;
  }
  scanner.end();
}

/** Collects character data while `on`, up to Excel's cell limit. */
class Capture {
  on = false;
  private raw = '';
  start() {
    this.on = true;
  }
  add(s: string, from: number, to: number) {
    if (!this.on) return;
    if (this.raw.length + (to - from) > MAX_RAW_CHARS) throw tooLong();
    this.raw += s.slice(from, to);
  }
  stop() {
    this.on = false;
  }
  take(): string {
    const t = decodeText(this.raw);
    this.raw = '';
    this.on = false;
    if (t.length > MAX_CELL_CHARS) throw tooLong();
    return t;
  }
}

/** The text of every <si>: each <t> in it, leaving out phonetic guides (<rPh>). */
function sharedStrings(bytes: Buffer | undefined, max: number): string[] {
  const out: string[] = [];
  if (!bytes) return out;
  const text = new Capture();
  let inSi = false;
  let phonetic = 0;
  scan(bytes, {
    open(name, _tag, selfClosing) {
      if (name === 'si') {
        if (inSi) throw new XlsxError(NOT_XLSX);
        if (out.length >= max)
          throw new XlsxError(`共享字符串过多（超过 ${max} 个），无法导入：请只保留清单所在的工作表后重新保存`);
        if (selfClosing) out.push('');
        else inSi = true;
      } else if (name === 'rPh' && !selfClosing) phonetic++;
      else if (name === 't' && inSi && !phonetic && !selfClosing) text.start();
    },
    close(name) {
      if (name === 't') text.stop();
      else if (name === 'rPh') phonetic = Math.max(0, phonetic - 1);
      else if (name === 'si' && inSi) {
        out.push(text.take());
        inSi = false;
      }
    },
    text: (s, from, to) => text.add(s, from, to),
  });
  if (inSi) throw new XlsxError(NOT_XLSX); // an unclosed <si>
  return out;
}

/** Every element `name` of a small part, with its attributes. */
function elements(bytes: Buffer, wanted: string): Map<string, string>[] {
  const found: Map<string, string>[] = [];
  scan(bytes, {
    open(name, tag) {
      if (name === wanted) found.push(tag.all());
    },
    close() {},
    text() {},
  });
  return found;
}

const decodedAttr = (a: Map<string, string>, name: string) => {
  const v = a.get(name);
  return v === undefined ? undefined : decodeText(v);
};

/** A relationship's target, relative to xl/ (where the workbook lives), as a part name. */
function partName(target: string): string {
  const parts: string[] = [];
  for (const seg of (target.startsWith('/') ? target.slice(1) : `xl/${target}`).split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

function locateParts(zip: ZipReader) {
  const workbook = zip.read('xl/workbook.xml');
  const rels = zip.read('xl/_rels/workbook.xml.rels');
  if (!workbook || !rels) throw new XlsxError(`${NOT_XLSX}（缺少工作簿）`);
  const sheets = elements(workbook, 'sheet');
  const visible = sheets.find((a) => !/^(hidden|veryHidden)$/.test(a.get('state') ?? '')) ?? sheets[0];
  const idKey = visible && ([...visible.keys()].find((k) => k === 'r:id' || k.endsWith(':id')) ?? 'id');
  const id = visible && idKey && decodedAttr(visible, idKey);
  const links = elements(rels, 'Relationship').filter((r) => r.get('TargetMode') !== 'External');
  const target = links.find((r) => decodedAttr(r, 'Id') === id)?.get('Target');
  if (!target) throw new XlsxError(`${NOT_XLSX}（找不到工作表）`);
  const strings = links.find((r) => (r.get('Type') ?? '').endsWith('/sharedStrings'))?.get('Target');
  // <workbookPr date1904="1"/>: the workbook counts its date serials from 1904 (old Mac Excel, Numbers).
  const date1904 = /^(1|true)$/.test(elements(workbook, 'workbookPr')[0]?.get('date1904') ?? '');
  return {
    sheet: partName(decodeText(target)),
    strings: strings ? partName(decodeText(strings)) : 'xl/sharedStrings.xml',
    date1904,
  };
}

const DAY_MS = 86_400_000;
// Day 0 of each date system. The 1900 system counts a 29 February 1900 that never was, so from
// 1 March 1900 on (serial 61) its day 0 is 30 December 1899.
const EPOCH_1900_MS = Date.UTC(1899, 11, 30);
const EPOCH_1904_MS = Date.UTC(1904, 0, 1);

/** The day a date serial stands for in a workbook of that date system (a UTC midnight), or null if none. */
export function serialDate(serial: number, date1904: boolean): Date | null {
  if (!Number.isFinite(serial) || serial < (date1904 ? 0 : 1)) return null;
  const d = new Date((date1904 ? EPOCH_1904_MS : EPOCH_1900_MS) + Math.floor(serial) * DAY_MS);
  return d.getUTCFullYear() <= 9999 ? d : null;
}

function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
    // "ZZZZZZ1" would make a sparse array of 300 million cells.
    if (n > MAX_COLUMNS) throw new XlsxError(`${NOT_XLSX}（单元格位置无效）`);
  }
  return n - 1;
}

// A plain decimal, as spreadsheets write numbers; anchored and unambiguous, so linear.
const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function cellValue(type: string | undefined, raw: string, shared: string[]): CellValue {
  switch (type) {
    case 'inlineStr':
    case 'str':
      return raw;
    case 's': {
      const i = Number(raw);
      return raw !== '' && Number.isInteger(i) && i >= 0 ? (shared[i] ?? null) : null;
    }
    case 'b':
      return raw === '1';
    case 'd': {
      const d = new Date(raw);
      return Number.isNaN(d.getTime()) ? raw : d; // not a date after all: the text, for the row's error
    }
    case 'e':
      return null;
    default:
      return raw === '' ? null : NUMBER.test(raw) ? Number(raw) : raw;
  }
}

/** The lines of a worksheet part: one pass, a line kept only if it has a value. */
function sheetLines(bytes: Buffer, shared: string[], maxRows: number, maxCells: number): SheetLine[] {
  const lines: SheetLine[] = [];
  const text = new Capture();
  let inData = false;
  let row: CellValue[] | null = null;
  let rowNo = 0;
  let col = -1;
  // The open <c>: its type, whether it is an inline string, whether its <v> was read.
  let inCell = false;
  let type: string | undefined;
  let inline = false;
  let hasValue = false;
  let phonetic = 0;
  let cellCount = 0;
  let width = 0;
  scan(bytes, {
    open(name, tag, selfClosing) {
      if (inCell) {
        if (selfClosing) return;
        if (name === 'v') {
          if (!inline && !hasValue) text.start();
        } else if (name === 't') {
          if (inline && !phonetic) text.start();
        } else if (name === 'is') inline = true;
        else if (name === 'rPh') phonetic++;
        else if (name === 'c') throw new XlsxError(NOT_XLSX);
      } else if (name === 'c') {
        if (!row) {
          if (inData) throw new XlsxError(NOT_XLSX);
          return;
        }
        if (++cellCount > maxCells) throw tooManyCells(maxCells);
        const ref = tag.attr('r');
        col = ref ? columnIndex(ref) : col + 1;
        if (col < 0 || col >= MAX_COLUMNS) throw new XlsxError(`${NOT_XLSX}（单元格位置无效）`);
        if (selfClosing) return; // <c/>: an empty, styled cell
        inCell = true;
        type = tag.attr('t');
        inline = hasValue = false;
      } else if (name === 'row') {
        if (!inData) return;
        if (row) throw new XlsxError(NOT_XLSX);
        const r = tag.attr('r');
        rowNo = r === undefined ? rowNo + 1 : Number(r);
        if (!(Number.isInteger(rowNo) && rowNo >= 1 && rowNo <= MAX_ROW))
          throw new XlsxError(`${NOT_XLSX}（行号无效）`);
        col = -1;
        if (!selfClosing) row = [];
      } else if (name === 'sheetData') inData = !selfClosing;
    },
    close(name) {
      if (inCell) {
        if (name === 'v') {
          if (text.on) {
            text.stop();
            hasValue = true;
          }
        } else if (name === 't') text.stop();
        else if (name === 'rPh') phonetic = Math.max(0, phonetic - 1);
        else if (name === 'c') {
          const raw = text.take();
          const value = hasValue || inline ? cellValue(inline ? 'inlineStr' : type, raw, shared) : null;
          if (value !== null && value !== '') row![col] = value;
          inCell = false;
        } else if (name === 'row') throw new XlsxError(NOT_XLSX);
      } else if (name === 'row' && row) {
        if (row.length > 0) {
          if (lines.length >= maxRows) throw new TooManyRows(`表格超过 ${maxRows} 行`);
          width += row.length;
          if (width > maxCells) throw tooManyCells(maxCells);
          lines.push({ row: rowNo, cells: row });
        }
        row = null;
      } else if (name === 'sheetData') inData = false;
    },
    text: (s, from, to) => text.add(s, from, to),
  });
  if (row || inCell) throw new XlsxError(`${NOT_XLSX}（工作表不完整）`);
  return lines;
}

export interface SheetRead {
  lines: SheetLine[];
  /** Whether the workbook's date serials count from 1904 (see serialDate): dates are numbers here. */
  date1904: boolean;
}

/**
 * The lines of the first visible sheet and the workbook's date system; more than `maxRows`
 * non-empty lines throws TooManyRows. Every refusal is an XlsxError whose message says, in
 * Chinese, what is wrong with the file.
 */
export function readSheet(bytes: Buffer, maxRows: number, limits: ReadLimits = defaults): SheetRead {
  try {
    const zip = new ZipReader(bytes, limits);
    const parts = locateParts(zip);
    const shared = sharedStrings(zip.read(parts.strings), limits.maxSharedStrings);
    const sheet = zip.read(parts.sheet);
    if (!sheet) throw new XlsxError(`${NOT_XLSX}（找不到工作表）`);
    return { lines: sheetLines(sheet, shared, maxRows, limits.maxCells), date1904: parts.date1904 };
  } catch (e) {
    if (e instanceof XlsxError) throw e;
    if (e instanceof ZipError) throw new XlsxError(e.message);
    if (e instanceof XmlError) throw new XlsxError(`${NOT_XLSX}（${e.message}）`);
    // A damaged file fails anywhere (an offset past the end, a bad character code): it is the file's fault.
    if (e instanceof RangeError || e instanceof TypeError) throw new XlsxError(NOT_XLSX);
    throw e;
  }
}

/** The lines of the first visible sheet (readSheet without the date system). */
export function readFirstSheet(bytes: Buffer, maxRows: number, limits: ReadLimits = defaults): SheetLine[] {
  return readSheet(bytes, maxRows, limits).lines;
}
