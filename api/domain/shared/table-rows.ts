import { open } from 'node:fs/promises';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { CsvSplitter, TableError, type TableRow } from './csv-split.ts';
import { DEFAULT_READ_LIMITS, readSheet, XlsxError, type CellValue, type ReadLimits } from './xlsx/read.ts';

/**
 * The rows of an uploaded table, CSV or .xlsx, for imports of other people's data (the power
 * company's readings, a department's register). A CSV may be UTF-8 (with or without BOM) or
 * GBK/GB18030 (what Excel and WPS save on a Chinese Windows), separated by commas, tabs or
 * semicolons. Rows come in batches so a large file costs no promise per row; between batches the
 * reader gives the event loop a turn whenever it has held it for YIELD_MS.
 */
export interface TableLimits {
  maxBytes: number;
  maxRows: number;
  /** For an .xlsx: what its parts may inflate to and hold (shared/xlsx/read.ts). */
  xlsx?: Partial<ReadLimits>;
}

export { TableError, type TableRow };

export type TableSource = { bytes: Uint8Array } | { path: string };

const CHUNK = 1024 * 1024;
const YIELD_MS = 20;
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
