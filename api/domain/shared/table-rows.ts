import { open } from 'node:fs/promises';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { DEFAULT_READ_LIMITS, readSheet, XlsxError, type CellValue, type ReadLimits } from './xlsx/read.ts';

/**
 * The rows of an uploaded table, CSV or .xlsx, for imports of other people's data (the power
 * company's readings, a department's register). A CSV may be UTF-8 (with or without BOM) or
 * GBK/GB18030 (what Excel and WPS save on a Chinese Windows), separated by commas, tabs or
 * semicolons. Rows come in batches so a large file costs no promise per row; between batches the
 * reader gives the event loop a turn whenever it has held it for YIELD_MS.
 */
export interface TableRow {
  /** The row as the person sees it: the line of a CSV (a quoted field's line breaks not counted), Excel's row. */
  line: number;
  /** Trimmed text of each cell; an .xlsx number as written (a date is a serial: see `xlsxDate`). */
  cells: string[];
}

export interface TableLimits {
  maxBytes: number;
  maxRows: number;
  /** For an .xlsx: what its parts may inflate to and hold (shared/xlsx/read.ts). */
  xlsx?: Partial<ReadLimits>;
}

/** The file's fault, said in Chinese; `line` when one row is to blame. */
export class TableError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `第 ${line} 行：${message}`);
    this.line = line;
  }
}

export type TableSource = { bytes: Uint8Array } | { path: string };

const CHUNK = 1024 * 1024;
const YIELD_MS = 20;
// A record still open after this much text is an unclosed quote, not a long cell.
const MAX_RECORD_CHARS = 1024 * 1024;
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const mb = (n: number) => Number((n / 1024 / 1024).toFixed(1));

export class TableRows {
  /** Bytes of the file parsed so far, and in all: the import's progress bar. */
  bytesRead = 0;
  totalBytes = 0;
  /** 'xlsx' once the first bytes are seen to be a zip. */
  format: 'csv' | 'xlsx' = 'csv';
  /** An .xlsx counting its date serials from 1904. */
  date1904 = false;
  private rows = 0;
  private lastYield = performance.now();
  private readonly source: TableSource;
  private readonly limits: TableLimits;

  constructor(source: TableSource, limits: TableLimits) {
    this.source = source;
    this.limits = limits;
  }

  /** Every non-blank row, one at a time (for small lists; a large import reads `batches`). */
  async *[Symbol.asyncIterator](): AsyncGenerator<TableRow> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The non-blank rows in file order, in batches of up to a few thousand. Throws TableError. */
  async *batches(): AsyncGenerator<TableRow[]> {
    const chunks = this.chunks();
    const first = await chunks.next();
    if (first.done) throw new TableError('文件是空的');
    const head = first.value;
    if (ZIP_MAGIC.every((b, i) => head[i] === b)) {
      this.format = 'xlsx';
      const parts = [head];
      for await (const c of chunks) parts.push(c);
      yield* this.xlsxBatches(Buffer.concat(parts));
      return;
    }
    yield* this.csvBatches(head, chunks);
  }

  private count(batch: TableRow[]) {
    this.rows += batch.length;
    if (this.rows > this.limits.maxRows)
      throw new TableError(`超过 ${this.limits.maxRows} 行，无法一次导入：请分成几个文件`);
  }

  private async pause() {
    if (performance.now() - this.lastYield < YIELD_MS) return;
    await yieldLoop();
    this.lastYield = performance.now();
  }

  private async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const { maxBytes } = this.limits;
    const tooLarge = () => new TableError(`文件超过 ${mb(maxBytes)} MB 上限，无法导入：请分成几个文件`);
    if ('bytes' in this.source) {
      const { bytes } = this.source;
      this.totalBytes = bytes.byteLength;
      if (bytes.byteLength > maxBytes) throw tooLarge();
      for (let at = 0; at < bytes.byteLength; at += CHUNK) {
        const end = Math.min(bytes.byteLength, at + CHUNK);
        yield bytes.subarray(at, end);
      }
      return;
    }
    const file = await open(this.source.path, 'r');
    try {
      this.totalBytes = (await file.stat()).size;
      if (this.totalBytes > maxBytes) throw tooLarge();
      for (;;) {
        const buf = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await file.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) return;
        this.lastYield = performance.now(); // the read was a turn of the loop
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }

  private async *xlsxBatches(bytes: Buffer): AsyncGenerator<TableRow[]> {
    let read: ReturnType<typeof readSheet>;
    try {
      read = readSheet(bytes, this.limits.maxRows, { ...DEFAULT_READ_LIMITS, ...this.limits.xlsx });
    } catch (e) {
      if (e instanceof XlsxError) throw new TableError(e.message);
      throw e;
    }
    this.date1904 = read.date1904;
    const { lines } = read;
    for (let at = 0; at < lines.length; at += BATCH) {
      const batch: TableRow[] = [];
      for (const l of lines.slice(at, at + BATCH)) {
        const cells = Array.from(l.cells, cellText);
        if (cells.some((c) => c !== '')) batch.push({ line: l.row, cells });
      }
      this.count(batch);
      this.bytesRead = Math.round((bytes.length * Math.min(lines.length, at + BATCH)) / lines.length);
      yield batch;
      await this.pause();
    }
  }

  private async *csvBatches(head: Uint8Array, rest: AsyncGenerator<Uint8Array>): AsyncGenerator<TableRow[]> {
    const csv = new CsvSplitter(head);
    for (let chunk: Uint8Array | undefined = head; chunk; ) {
      const next = await rest.next();
      const batch = csv.feed(chunk, next.done === true);
      this.bytesRead += chunk.byteLength; // the chunk read ahead is not counted until parsed
      this.count(batch);
      if (batch.length) yield batch;
      await this.pause();
      chunk = next.done ? undefined : next.value;
    }
  }
}

const BATCH = 4096;

function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v).trim();
}

const XLSX_EPOCH_1900 = Date.UTC(1899, 11, 30);
const XLSX_EPOCH_1904 = Date.UTC(1904, 0, 1);
/**
 * An .xlsx date or date-time cell (a serial: days, with the time as the fraction) as the wall-clock
 * time it shows, in milliseconds of a UTC Date; null when the text is no serial.
 */
export function xlsxDate(text: string, date1904: boolean): number | null {
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const serial = Number(text);
  if (serial < 1 || serial > 2_958_465) return null; // 9999-12-31
  return Math.round((date1904 ? XLSX_EPOCH_1904 : XLSX_EPOCH_1900) + serial * 86_400_000);
}

const QUOTE = 34,
  CR = 13,
  LF = 10;

/** Splits CSV text into rows, chunk by chunk: the separator and the encoding are fixed by the first chunk. */
class CsvSplitter {
  private readonly decoder: TextDecoder;
  private readonly sep: number;
  private rest = '';
  private line = 1;

  constructor(head: Uint8Array) {
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const encoding = bom || isUtf8Prefix(head) ? 'utf-8' : 'gb18030';
    this.decoder = new TextDecoder(encoding, { fatal: true });
    const firstLine = new TextDecoder(encoding).decode(head.subarray(0, Math.min(head.length, 4096)));
    this.sep = separatorOf(firstLine.split(/\r?\n/)[0] ?? '');
  }

  feed(bytes: Uint8Array, last: boolean): TableRow[] {
    let text: string;
    try {
      text = this.rest + this.decoder.decode(bytes, { stream: !last });
    } catch {
      throw new TableError('文字编码有误：请另存为 UTF-8 或 GBK 编码的 CSV', this.line);
    }
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const out: TableRow[] = [];
    let at = 0;
    const n = text.length;
    while (at < n) {
      const start = at;
      const startLine = this.line;
      const cells: string[] = [];
      let complete = false;
      let lines = 0;
      for (;;) {
        if (at < n && text.charCodeAt(at) === QUOTE) {
          // A quoted field: "" is one quote; line breaks inside it belong to the cell.
          let value = '';
          let from = at + 1;
          let closed = false;
          for (;;) {
            const q = text.indexOf('"', from);
            if (q < 0) break;
            if (text.charCodeAt(q + 1) === QUOTE) {
              value += text.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            if (q + 1 === n && !last) break; // "" may be split across chunks
            value += text.slice(from, q);
            at = q + 1;
            closed = true;
            break;
          }
          if (!closed) break;
          // Anything between the closing quote and the separator is kept, as Excel does.
          let end = at;
          while (end < n && text.charCodeAt(end) !== this.sep && !isBreak(text.charCodeAt(end))) end++;
          cells.push((value + text.slice(at, end)).trim());
          at = end;
        } else {
          let end = at;
          while (end < n && text.charCodeAt(end) !== this.sep && !isBreak(text.charCodeAt(end))) end++;
          cells.push(text.slice(at, end).trim());
          at = end;
        }
        if (at >= n) {
          complete = last;
          break;
        }
        const c = text.charCodeAt(at);
        if (c === this.sep) {
          at++;
          continue;
        }
        // A line break: \r\n, \n or \r; a \r at the chunk's end may be half of \r\n.
        if (c === CR && at + 1 === n && !last) break;
        at += c === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
        lines = 1;
        complete = true;
        break;
      }
      if (!complete) {
        if (last) throw new TableError('引号没有配对（"）：单元格未结束', startLine);
        this.rest = text.slice(start);
        if (this.rest.length > MAX_RECORD_CHARS) throw new TableError('一行过长或引号没有配对（"）', startLine);
        return out;
      }
      this.line = startLine + lines;
      if (cells.some((c) => c !== '')) out.push({ line: startLine, cells });
    }
    this.rest = '';
    return out;
  }
}

const isBreak = (c: number) => c === LF || c === CR;

/** Whether the bytes are UTF-8, allowing a character cut off at the end. */
function isUtf8Prefix(head: Uint8Array): boolean {
  let end = head.length;
  for (let back = 0; back < 3 && end > 0 && (head[end - 1]! & 0xc0) === 0x80; back++) end--;
  if (end > 0 && head[end - 1]! >= 0xc0) end--;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The separator the header uses most: comma, tab or semicolon (quotes not looked into). */
function separatorOf(header: string): number {
  const counts = [',', '\t', ';'].map((s) => header.replace(/"[^"]*"/g, '').split(s).length);
  const best = counts.indexOf(Math.max(...counts));
  return [44, 9, 59][best]!;
}
