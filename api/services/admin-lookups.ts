import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { complaintCategories, departments, villages } from '../../db/schema.ts';

/** The lists the back-office's selects offer. */
export function adminLookups(db: Db) {
  return {
    categories: db.select({ id: complaintCategories.id, name: complaintCategories.name }).from(complaintCategories).orderBy(asc(complaintCategories.sort)).all(),
    villages: db.select({ id: villages.id, name: villages.name }).from(villages).orderBy(asc(villages.id)).all(),
    departments: db.select({ id: departments.id, name: departments.name }).from(departments).orderBy(asc(departments.sort)).all(),
  };
}

export const DAY_MS = 86_400_000;

/** Whole days until a deadline (negative when overdue), counted on the Beijing calendar. */
export function daysLeft(due: Date, now: Date): number {
  const day = (d: Date) => Math.floor((d.getTime() + 8 * 3_600_000) / DAY_MS);
  return day(due) - day(now);
}

export const fmtTime = (d: Date) => d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
