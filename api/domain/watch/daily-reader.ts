import type { Db } from '../../../db/client.ts';
import type { DailyPoint } from './series.ts';

/**
 * A detection pass's reader of daily totals, a meter at a time along the primary key, into two reused columns.
 * Rows come as plain numbers (better-sqlite3's pluck), so no object is built per row: the kWh alone when every day
 * of the range was read (the days then follow), the days too when some are missing. Measured on 7.3 M rows: about
 * half the cost of reading {day, kwh} rows.
 */
export class DailyReader {
  days = new Int32Array(1024);
  kwh = new Float64Array(1024);
  private readonly values;
  private readonly dayList;

  constructor(db: Db) {
    const where = 'from meter_daily where meter_id = ? and day between ? and ?';
    const c = db.$client;
    this.values = c.prepare(`select kwh ${where} order by day`).pluck();
    this.dayList = c.prepare(`select day ${where} order by day`).pluck();
  }

  /** Reads a meter's days in [fromDay, toDay] into `days` and `kwh`; answers how many. */
  read(meterId: number, fromDay: number, toDay: number): number {
    const kwh = this.values.all(meterId, fromDay, toDay) as number[];
    const n = kwh.length;
    if (n > this.days.length) {
      this.days = new Int32Array(n);
      this.kwh = new Float64Array(n);
    }
    this.kwh.set(kwh);
    if (n === toDay - fromDay + 1) for (let i = 0; i < n; i++) this.days[i] = fromDay + i;
    else this.days.set(this.dayList.all(meterId, fromDay, toDay) as number[]);
    return n;
  }

  /** The first `n` read as points, from `fromDay` on, for the rules' own functions. */
  points(n: number, fromDay: number): DailyPoint[] {
    const out: DailyPoint[] = [];
    for (let i = 0; i < n; i++)
      if ((this.days[i] as number) >= fromDay) out.push({ day: this.days[i] as number, kwh: this.kwh[i] as number });
    return out;
  }
}
