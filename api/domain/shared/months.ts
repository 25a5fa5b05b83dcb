/** Months of the Beijing calendar as the public pages name them: "2026-11". */
import { BEIJING_OFFSET_MS, beijingDate } from './time.ts';

export type Month = string;

/** The month an instant falls in, on the Beijing calendar. */
export const monthOf = (d: Date): Month => beijingDate(d).slice(0, 7);

/** A well-formed month from 2000 on, or null. */
export function parseMonth(s: string | undefined): Month | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(s ?? '');
  return m && Number(m[1]) >= 2000 ? s! : null;
}

/** The month `k` months after `month` (k may be negative). */
export function addMonths(month: Month, k: number): Month {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + k;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The first instant of the month and of the next, Beijing time. */
export function monthBounds(month: Month): { start: Date; end: Date } {
  const startMs = (m: Month) => Date.parse(`${m}-01T00:00:00Z`) - BEIJING_OFFSET_MS;
  return { start: new Date(startMs(month)), end: new Date(startMs(addMonths(month, 1))) };
}

/** Every month from `first` to `last`, oldest first. */
export function monthRange(first: Month, last: Month): Month[] {
  const out: Month[] = [];
  for (let m = first; m <= last; m = addMonths(m, 1)) out.push(m);
  return out;
}

export const monthLabel = (month: Month) => `${Number(month.slice(0, 4))}年${Number(month.slice(5))}月`;
