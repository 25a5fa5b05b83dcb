import { statSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { meters } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import { TableError, TableRows, type TableRow } from '../shared/table-rows.ts';
import {
  finish,
  MAX_ERRORS,
  type ImportJob,
  type ImportProgress,
  type ImportResult,
  type LineError,
} from './import-run.ts';
import { writeReadings } from './readings-write.ts';
import { dateOfDay, dayOf, minuteOf } from './days.ts';
import {
  findReadingHeader,
  HEADER_MISSING,
  parseDay,
  parseKwh,
  parseMinute,
  type ReadingHeader,
} from './readings-columns.ts';

/**
 * The power company's readings, daily totals or 15-minute/hourly curves, imported from a file on disk (the upload,
 * spooled there). Every row is read and checked first, into typed arrays; only a file without a single error is
 * written, as upserts in transactions of WRITE_MS, so a re-import changes nothing and other writers wait at most
 * that long. An unknown 户号 is an error naming its first line: readings never register meters (a typo would
 * create a meter no one watches); the utility's meter list does (meter-list-import.ts).
 */
export type { ImportJob, ImportProgress, ImportResult, LineError } from './import-run.ts';
const HEADER_ROWS = 10;

/** Rows held as columns of numbers: 20 bytes a row instead of an object's ~100. */
class Held {
  n = 0;
  slot: Int32Array;
  key: Int32Array;
  kwh: Float64Array;
  line: Int32Array;
  constructor(capacity: number) {
    this.slot = new Int32Array(capacity);
    this.key = new Int32Array(capacity);
    this.kwh = new Float64Array(capacity);
    this.line = new Int32Array(capacity);
  }
  push(slot: number, key: number, kwh: number, line: number) {
    if (this.n === this.slot.length) this.grow();
    this.slot[this.n] = slot;
    this.key[this.n] = key;
    this.kwh[this.n] = kwh;
    this.line[this.n++] = line;
  }
  private grow() {
    const size = this.slot.length * 2;
    const more = <T extends Int32Array | Float64Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    this.slot = more(this.slot, new Int32Array(size));
    this.key = more(this.key, new Int32Array(size));
    this.kwh = more(this.kwh, new Float64Array(size));
    this.line = more(this.line, new Int32Array(size));
  }
}

/** The township's power meters by 户号, and its water 户号 (named in their own error). */
function meterIndex(db: Db, townshipId: number) {
  const rows = db
    .select({ id: meters.id, kind: meters.kind, accountNo: meters.accountNo })
    .from(meters)
    .where(eq(meters.townshipId, townshipId))
    .all();
  const slots = new Map<string, number>();
  const ids: number[] = [];
  const water = new Set<string>();
  for (const r of rows) {
    if (r.kind === 'water') water.add(r.accountNo);
    else slots.set(r.accountNo, ids.push(r.id) - 1);
  }
  return { slots, ids, water };
}

type Errors = { list: LineError[]; full: () => boolean; add: (line: number, message: string) => void };
function errorList(): Errors {
  const list: LineError[] = [];
  return {
    list,
    full: () => list.length >= MAX_ERRORS,
    add: (line, message) => {
      if (list.length < MAX_ERRORS) list.push({ line, message: `第 ${line} 行：${message}` });
    },
  };
}

/** Reads and checks every row; writes nothing. */
async function readAll(db: Db, job: ImportJob, progress: (p: ImportProgress) => void) {
  const table = new TableRows({ path: job.path }, job.limits);
  const { slots, ids, water } = meterIndex(db, job.townshipId);
  const errors = errorList();
  const unknown = new Map<string, { line: number; count: number }>();
  // Room for the rows a file of this size holds (~20 bytes a row at least), so the columns are not regrown.
  const held = new Held(Math.max(1 << 16, Math.min(job.limits.maxRows, Math.ceil(statSync(job.path).size / 20))));
  const last = new Float64Array(ids.length).fill(-Infinity);
  const unsorted = new Set<number>();
  const today = dayOf(job.now);
  const nowMinute = minuteOf(job.now);
  // Dates and times repeat (365 days, 2,880 quarter hours): each text is parsed once.
  const whenCache = new Map<string, ReturnType<typeof parseDay>>();
  let header: ReadingHeader | null = null;
  const top: TableRow[] = [];
  let rowsRead = 0;
  let sentAt = 0;
  const row = (r: TableRow, h: ReadingHeader, xlsx: { date1904: boolean } | null) => {
    const account = r.cells[h.account] ?? '';
    const whenText = r.cells[h.when] ?? '';
    const kwhText = r.cells[h.kwh] ?? '';
    rowsRead++;
    let when = whenCache.get(whenText);
    if (!when) {
      when = h.curve ? parseMinute(whenText, xlsx, nowMinute) : parseDay(whenText, xlsx, today);
      if (whenCache.size < 100_000) whenCache.set(whenText, when);
    }
    const kwh = parseKwh(kwhText);
    const slot = slots.get(account);
    if (slot === undefined) {
      if (account === '') return errors.add(r.line, '户号为空');
      if (water.has(account)) return errors.add(r.line, `户号 ${account} 是水表，不能导入电量`);
      const u = unknown.get(account);
      if (u) u.count++;
      else unknown.set(account, { line: r.line, count: 1 });
      return;
    }
    if (!when.ok) return errors.add(r.line, when.message);
    if (!kwh.ok) return errors.add(r.line, kwh.message);
    // A meter's rows usually come in time order; those that do not are checked for repeats at the end.
    if (when.value <= last[slot]!) unsorted.add(slot);
    else last[slot] = when.value;
    held.push(slot, when.value, kwh.value, r.line);
  };
  try {
    for await (const batch of table.batches()) {
      for (const r of batch) {
        if (header) row(r, header, table.format === 'xlsx' ? table : null);
        else if (top.length < HEADER_ROWS) {
          top.push(r);
          const found = findReadingHeader([r]);
          header = found && { ...found, index: top.length - 1 };
        } else return { ok: false as const, rowsRead, errors: [{ line: 1, message: HEADER_MISSING }] };
        if (errors.full()) break;
      }
      if (errors.full()) break;
      if (table.bytesRead !== sentAt) {
        sentAt = table.bytesRead;
        progress({ phase: 'reading', done: table.bytesRead, total: table.totalBytes });
      }
    }
  } catch (e) {
    if (e instanceof TableError)
      return { ok: false as const, rowsRead, errors: [{ line: e.line ?? 0, message: e.message }] };
    throw e;
  }
  if (!header) return { ok: false as const, rowsRead, errors: [{ line: 1, message: HEADER_MISSING }] };
  for (const [account, u] of unknown)
    errors.add(
      u.line,
      `户号 ${account} 未登记${u.count > 1 ? `（共 ${u.count} 行）` : ''}：请先在“电表户号”中登记，或导入供电公司的户号清单`,
    );
  if (unsorted.size) repeats(held, unsorted, header.curve, errors);
  if (rowsRead === 0) errors.add(top.length + 1, '表头下面没有数据');
  errors.list.sort((a, b) => a.line - b.line);
  if (errors.list.length) return { ok: false as const, rowsRead, errors: errors.list };
  return { ok: true as const, rowsRead, held, ids, curve: header.curve };
}

/** Rows of a meter naming the same day (or time) twice: the file cannot say which value is right. */
function repeats(held: Held, unsorted: Set<number>, curve: boolean, errors: Errors) {
  const bySlot = new Map<number, number[]>();
  for (let i = 0; i < held.n; i++) {
    const s = held.slot[i]!;
    if (unsorted.has(s)) (bySlot.get(s) ?? bySlot.set(s, []).get(s)!).push(i);
  }
  for (const rows of bySlot.values()) {
    rows.sort((a, b) => held.key[a]! - held.key[b]! || held.line[a]! - held.line[b]!);
    for (let j = 1; j < rows.length; j++) {
      const [a, b] = [rows[j - 1]!, rows[j]!];
      if (held.key[a] !== held.key[b]) continue;
      const what = curve ? '时间' : `日期 ${dateOfDay(held.key[b]!)}`;
      errors.add(held.line[b]!, `同一户号的${what}与第 ${held.line[a]} 行重复`);
    }
  }
}

/** Imports one readings file (on the import thread): all of it, or nothing and its errors by line. */
export async function importReadings(
  db: Db,
  job: ImportJob & { userId: number; userLabel: string },
  progress: (p: ImportProgress) => void = () => {},
): Promise<ImportResult> {
  const read = await readAll(db, job, progress);
  if (!read.ok) {
    finish(db, job.importId, { status: 'failed', rowsRead: read.rowsRead, errors: read.errors });
    return read;
  }
  const { held, ids, curve } = read;
  const minutes = curve ? minutesOf(held) : 0;
  const counts = await writeReadings(db, job.importId, held, ids, curve, minutes, progress);
  const kind = curve ? 'interval' : 'daily';
  finish(db, job.importId, { status: 'done', kind, rowsRead: read.rowsRead, counts, errors: [] });
  audit(
    db,
    { id: job.userId, label: job.userLabel },
    { action: 'readings.import', objectType: 'data_import', objectId: job.importId, details: { kind, ...counts } },
    new Date(job.now),
  );
  return { ok: true, kind, counts: { rowsRead: read.rowsRead, ...counts }, errors: [] };
}

/** A curve's interval: hourly when every point is on the hour, else 15 minutes. */
function minutesOf(held: Held): 15 | 60 {
  for (let i = 0; i < held.n; i++) if (held.key[i]! % 60 !== 0) return 15;
  return 60;
}
