import { BEIJING_OFFSET_MS, DAY_MS } from '../shared/time.ts';

/**
 * Readings are kept by day number: the Beijing calendar day as days since 1970-01-01 (meter_daily.day), and
 * intervals by their start in minutes since the epoch (meter_intervals.minute). One integer each, no zone to get
 * wrong; these convert them.
 */
export const dayOf = (d: Date | number) =>
  Math.floor(((typeof d === 'number' ? d : d.getTime()) + BEIJING_OFFSET_MS) / DAY_MS);

/** Day number of a YYYY-MM-DD Beijing date (no check: callers validate the text first). */
export const dayOfDate = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** The YYYY-MM-DD of a day number. */
export const dateOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The instant a Beijing day starts. */
export const startOfDay = (day: number) => new Date(day * DAY_MS - BEIJING_OFFSET_MS);

/** 0 = Sunday … 6 = Saturday, on the Beijing calendar. */
export const weekdayOf = (day: number) => (day + 4) % 7;

export const minuteOf = (d: Date | number) => Math.floor((typeof d === 'number' ? d : d.getTime()) / 60_000);

/** The Beijing day and hour (0–23) an interval starting at `minute` belongs to. */
export function beijingHourOf(minute: number): { day: number; hour: number } {
  const local = minute + BEIJING_OFFSET_MS / 60_000;
  return { day: Math.floor(local / 1440), hour: Math.floor((local % 1440) / 60) };
}
