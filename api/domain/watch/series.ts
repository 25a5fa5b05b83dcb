import { and, asc, between, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { meterDaily, meterIntervals } from '../../../db/schema-watch.ts';

export interface DailyPoint {
  day: number;
  kwh: number;
}
export interface IntervalPoint {
  minute: number;
  minutes: number;
  kwh: number;
}

/** A meter's daily totals over [fromDay, toDay], oldest first, read along the primary key. Days absent are absent. */
export const dailySeries = (db: Db, meterId: number, fromDay: number, toDay: number): DailyPoint[] =>
  db
    .select({ day: meterDaily.day, kwh: meterDaily.kwh })
    .from(meterDaily)
    .where(and(eq(meterDaily.meterId, meterId), between(meterDaily.day, fromDay, toDay)))
    .orderBy(asc(meterDaily.day))
    .all();

/** A meter's intervals starting within [fromMinute, toMinute], oldest first. */
export const intervalSeries = (db: Db, meterId: number, fromMinute: number, toMinute: number): IntervalPoint[] =>
  db
    .select({ minute: meterIntervals.minute, minutes: meterIntervals.minutes, kwh: meterIntervals.kwh })
    .from(meterIntervals)
    .where(and(eq(meterIntervals.meterId, meterId), between(meterIntervals.minute, fromMinute, toMinute)))
    .orderBy(asc(meterIntervals.minute))
    .all();
