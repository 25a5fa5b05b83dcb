import type { Db } from '../../../db/client.ts';
import type { DailyPoint } from './series.ts';

/** Day offset and kWh (to the Wh) in one exact integer below 2^53: 2^40 Wh is 1.1 × 10^9 kWh a day. */
const PACK = 2 ** 40;

/**
 * A detection pass's reader of daily totals, a meter at a time along the primary key, into two reused columns.
 * Each row comes as one number, so better-sqlite3 builds no object per row: the watt-hours when no day is missing
 * (the days then follow from the first), else day offset × 2^40 + Wh. That halves the cost of reading a township's
 * year and keeps the garbage collector's pauses short. Detection needs no finer than a watt-hour.
 */
export class DailyReader {
  days = new Int32Array(1024);
  kwh = new Float64Array(1024);
  private readonly span;
  private readonly wh;
  private readonly packed;

  constructor(db: Db) {
    const where = 'from meter_daily where meter_id = ? and day between ? and ?';
    this.span = db.$client.prepare(`select min(day), max(day), count(*) ${where}`).raw();
    this.wh = db.$client.prepare(`select cast(round(max(kwh, 0) * 1000) as integer) ${where} order by day`).pluck();
    this.packed = db.$client
      .prepare(`select (day - ?) * ${PACK} + round(max(kwh, 0) * 1000) ${where} order by day`)
      .pluck();
  }

  /** Reads a meter's days in [fromDay, toDay] into `days` and `kwh`; answers how many. */
  read(meterId: number, fromDay: number, toDay: number): number {
    const [first, last, n] = this.span.get(meterId, fromDay, toDay) as [number | null, number | null, number];
    if (n > this.days.length) {
      this.days = new Int32Array(n);
      this.kwh = new Float64Array(n);
    }
    if (first === null || last === null) return 0;
    if (last - first + 1 === n) {
      // No day missing (the usual case): watt-hours alone, small integers, which V8 keeps without allocating.
      const wh = this.wh.all(meterId, fromDay, toDay) as number[];
      for (let i = 0; i < n; i++) {
        this.days[i] = first + i;
        this.kwh[i] = (wh[i] as number) / 1000;
      }
      return n;
    }
    const rows = this.packed.all(fromDay, meterId, fromDay, toDay) as number[];
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i] as number;
      const offset = Math.floor(v / PACK);
      this.days[i] = fromDay + offset;
      this.kwh[i] = (v - offset * PACK) / 1000;
    }
    return rows.length;
  }

  /** The first `n` read as points, from `fromDay` on, for the rules' own functions. */
  points(n: number, fromDay: number): DailyPoint[] {
    const out: DailyPoint[] = [];
    for (let i = 0; i < n; i++)
      if ((this.days[i] as number) >= fromDay) out.push({ day: this.days[i] as number, kwh: this.kwh[i] as number });
    return out;
  }
}
