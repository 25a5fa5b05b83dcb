/** Time in this product is Beijing time: deadlines count its calendar days, pages show its clock. */
export const DAY_MS = 86_400_000;
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Whole days until a deadline (negative when overdue), counted on the Beijing calendar. */
export function daysLeft(due: Date, now: Date): number {
  const day = (d: Date) => Math.floor((d.getTime() + BEIJING_OFFSET_MS) / DAY_MS);
  return day(due) - day(now);
}

export const fmtTime = (d: Date) =>
  d.toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });

/** The Beijing calendar date of an instant, as YYYY-MM-DD. */
export const beijingDate = (d: Date) => new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

/** The last millisecond of a Beijing calendar day: a deadline "by 2026-12-01" runs to its end. */
export const startOfBeijingDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - BEIJING_OFFSET_MS);
export const endOfBeijingDay = (date: string) => new Date(startOfBeijingDay(date).getTime() + DAY_MS - 1);

/** "2026-02-30" passes a pattern but is no day; this is true only for a real calendar date. */
export const isCalendarDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

const isWeekend = (d: Date) => [0, 6].includes(new Date(d.getTime() + BEIJING_OFFSET_MS).getUTCDay());

/**
 * The end of the n-th working day after an instant, on the Beijing calendar: "签收 within 1 working day"
 * of a Friday's 交办 runs to Monday night. Weekends only; public holidays and 调休 are not modelled.
 */
export function afterWorkdays(from: Date, n: number): Date {
  let day = new Date(startOfBeijingDay(beijingDate(from)).getTime());
  for (let left = n; left > 0; ) {
    day = new Date(day.getTime() + DAY_MS);
    if (!isWeekend(day)) left--;
  }
  return endOfBeijingDay(beijingDate(day));
}
