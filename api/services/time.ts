/** Time in this product is Beijing time: deadlines count its calendar days, pages show its clock. */
export const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Whole days until a deadline (negative when overdue), counted on the Beijing calendar. */
export function daysLeft(due: Date, now: Date): number {
  const day = (d: Date) => Math.floor((d.getTime() + BEIJING_OFFSET_MS) / DAY_MS);
  return day(due) - day(now);
}

export const fmtTime = (d: Date) =>
  d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
