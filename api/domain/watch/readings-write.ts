import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Db } from '../../../db/client.ts';
import type { ImportProgress } from './import-run.ts';

const WRITE_MS = 50;

/** Checked rows as columns of numbers (readings-import.ts). */
export interface HeldRows {
  n: number;
  slot: Int32Array;
  key: Int32Array;
  kwh: Float64Array;
}

// One statement a row: a new row is inserted, an existing one updated only if its value differs, so SQLite's
// `changes` is 1 for both and 0 for an unchanged row.
const SQL = {
  daily: {
    upsert: `INSERT INTO meter_daily (meter_id, day, kwh, import_id) VALUES (?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET kwh = excluded.kwh, import_id = excluded.import_id WHERE kwh IS NOT excluded.kwh`,
    count: 'SELECT count(*) FROM meter_daily WHERE meter_id = ?',
  },
  interval: {
    upsert: `INSERT INTO meter_intervals (meter_id, minute, minutes, kwh, import_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET kwh = excluded.kwh, minutes = excluded.minutes, import_id = excluded.import_id
      WHERE kwh IS NOT excluded.kwh OR minutes IS NOT excluded.minutes`,
    count: 'SELECT count(*) FROM meter_intervals WHERE meter_id = ?',
  },
};

/**
 * Writes checked rows in transactions of WRITE_MS, the thread's loop turning between them. Changed rows are
 * counted by SQLite; which of them were new, by the rows its meters have before and after (one import at a time
 * per township writes them, and a file names each meter's day once).
 */
export async function writeReadings(
  db: Db,
  importId: number,
  held: HeldRows,
  ids: number[],
  curve: boolean,
  minutes: number,
  progress: (p: ImportProgress) => void,
) {
  const client = db.$client;
  const sql = curve ? SQL.interval : SQL.daily;
  const upsert = client.prepare(sql.upsert);
  const count = client.prepare(sql.count).pluck();
  const { slot, key, kwh } = held;
  const used = new Set<number>();
  for (let i = 0; i < held.n; i++) used.add(ids[slot[i]!]!);
  const rowsOf = () => [...used].reduce((sum, id) => sum + (count.get(id) as number), 0);
  const before = rowsOf();
  let changed = 0;
  const chunk = client.transaction((from: number): number => {
    const started = performance.now();
    let i = from;
    for (; i < held.n; i++) {
      if ((i & 1023) === 0 && i > from && performance.now() - started > WRITE_MS) break;
      const meterId = ids[slot[i]!]!;
      changed += curve
        ? upsert.run(meterId, key[i], minutes, kwh[i], importId).changes
        : upsert.run(meterId, key[i], kwh[i], importId).changes;
    }
    return i;
  });
  for (let i = 0; i < held.n; ) {
    i = chunk.immediate(i);
    progress({ phase: 'writing', done: i, total: held.n });
    await yieldLoop();
  }
  const inserted = rowsOf() - before;
  return { inserted, updated: changed - inserted, unchanged: held.n - changed };
}
