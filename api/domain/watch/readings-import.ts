import { setImmediate as yieldLoop } from 'node:timers/promises';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { dataImports, meters } from '../../../db/schema-watch.ts';
import { TableError, TableRows, type TableLimits, type TableRow } from '../shared/table-rows.ts';
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
export interface ImportJob {
  importId: number;
  townshipId: number;
  path: string;
  limits: TableLimits;
  /** Epoch ms: dates after today are refused. */
  now: number;
}
export interface ImportProgress {
  phase: 'reading' | 'writing';
  done: number;
  total: number;
}
export interface LineError {
  line: number;
  message: string;
}
export interface ImportCounts {
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
}
export type ImportResult =
  | { ok: true; kind: 'daily' | 'interval' | 'meters'; counts: ImportCounts; errors: LineError[] }
  | { ok: false; rowsRead: number; errors: LineError[] };

/** Errors kept and shown; reading stops once there are this many. */
export const MAX_ERRORS = 100;
const WRITE_MS = 50;
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
  const held = new Held(1 << 16);
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
  job: ImportJob,
  progress: (p: ImportProgress) => void = () => {},
): Promise<ImportResult> {
  const read = await readAll(db, job, progress);
  if (!read.ok) {
    finish(db, job.importId, { status: 'failed', rowsRead: read.rowsRead, errors: read.errors });
    return read;
  }
  const { held, ids, curve } = read;
  const minutes = curve ? minutesOf(held) : 0;
  const counts = await writeAll(db, job.importId, held, ids, curve, minutes, progress);
  const kind = curve ? 'interval' : 'daily';
  finish(db, job.importId, { status: 'done', kind, rowsRead: read.rowsRead, counts, errors: [] });
  return { ok: true, kind, counts: { rowsRead: read.rowsRead, ...counts }, errors: [] };
}

/** A curve's interval: hourly when every point is on the hour, else 15 minutes. */
function minutesOf(held: Held): 15 | 60 {
  for (let i = 0; i < held.n; i++) if (held.key[i]! % 60 !== 0) return 15;
  return 60;
}

const SQL = {
  daily: {
    insert: 'INSERT INTO meter_daily (meter_id, day, kwh, import_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    update: 'UPDATE meter_daily SET kwh = ?, import_id = ? WHERE meter_id = ? AND day = ? AND kwh IS NOT ?',
  },
  interval: {
    insert: `INSERT INTO meter_intervals (meter_id, minute, minutes, kwh, import_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT DO NOTHING`,
    update: `UPDATE meter_intervals SET kwh = ?, minutes = ?, import_id = ? WHERE meter_id = ? AND minute = ?
      AND (kwh IS NOT ? OR minutes IS NOT ?)`,
  },
};

/**
 * Insert, and where the row exists, update it only if its value differs: inserted, updated and unchanged are
 * counted from what SQLite says it changed. Transactions of WRITE_MS, the thread's loop turning between them.
 */
async function writeAll(
  db: Db,
  importId: number,
  held: Held,
  ids: number[],
  curve: boolean,
  minutes: number,
  progress: (p: ImportProgress) => void,
) {
  const client = db.$client;
  const sql = curve ? SQL.interval : SQL.daily;
  const insert = client.prepare(sql.insert);
  const update = client.prepare(sql.update);
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  const { slot, key, kwh } = held;
  const chunk = client.transaction((from: number): number => {
    const started = performance.now();
    let i = from;
    for (; i < held.n; i++) {
      if ((i & 1023) === 0 && i > from && performance.now() - started > WRITE_MS) break;
      const meterId = ids[slot[i]!]!;
      const inserted = curve
        ? insert.run(meterId, key[i], minutes, kwh[i], importId).changes
        : insert.run(meterId, key[i], kwh[i], importId).changes;
      if (inserted) counts.inserted++;
      else if (
        curve
          ? update.run(kwh[i], minutes, importId, meterId, key[i], kwh[i], minutes).changes
          : update.run(kwh[i], importId, meterId, key[i], kwh[i]).changes
      )
        counts.updated++;
      else counts.unchanged++;
    }
    return i;
  });
  for (let i = 0; i < held.n; ) {
    i = chunk.immediate(i);
    progress({ phase: 'writing', done: i, total: held.n });
    await yieldLoop();
  }
  return counts;
}

/** The import's row once it ends: its counts, or its errors. */
export function finish(
  db: Db,
  importId: number,
  r: {
    status: 'done' | 'failed';
    kind?: 'daily' | 'interval' | 'meters';
    rowsRead: number;
    counts?: Omit<ImportCounts, 'rowsRead'>;
    errors: LineError[];
  },
) {
  db.update(dataImports)
    .set({
      status: r.status,
      ...(r.kind ? { kind: r.kind } : {}),
      rowsRead: r.rowsRead,
      rowsInserted: r.counts?.inserted ?? 0,
      rowsUpdated: r.counts?.updated ?? 0,
      rowsUnchanged: r.counts?.unchanged ?? 0,
      errors: r.errors.slice(0, MAX_ERRORS),
      finishedAt: new Date(),
    })
    .where(and(eq(dataImports.id, importId), eq(dataImports.status, 'running')))
    .run();
}
