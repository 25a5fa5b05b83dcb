import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { beijingDate } from '../../api/domain/shared/time.ts';

// 发现时间 as zh-CN browsers send it: a date field's 2026-11-22, a datetime-local's 2026-11-22T08:30 (Beijing time),
// and the same typed by hand where there is no picker (a space for the T); anything else a Chinese error saying how.
// The form's rules read the real clock: the days are two days ago, the day after tomorrow and over a year ago, Beijing
// calendar. Not tomorrow: a date alone is its first minute, and within ten minutes of Beijing midnight (the slack for a
// phone's clock) tomorrow's is not yet refused; a run at 15:50 UTC failed so.
const { app, ctx } = await freshContext();
const day = (offsetDays: number) => beijingDate(new Date(Date.now() + offsetDays * 86_400_000));
const D = day(-2);
const utc = (local: string) => new Date(Date.parse(`${local}+08:00`)).toISOString();

async function seen(value: string) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm({ seenAt: value }) });
  const body = await res.json();
  if (res.status !== 201) return { status: res.status, error: body.error.fields?.seenAt as string | undefined };
  const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, body.trackingCode)).get()!;
  return { status: 201, at: row.seenAt?.toISOString() };
}

describe('发现时间 (seenAt)', () => {
  it.each([
    [D, utc(`${D}T00:00`)], // a date alone: its first minute, Beijing time
    [`${D}T08:30`, utc(`${D}T08:30`)],
    [`${D}T08:30:15`, utc(`${D}T08:30:15`)],
    [`${D} 08:30`, utc(`${D}T08:30`)],
    [`${D}T08:30Z`, new Date(`${D}T08:30Z`).toISOString()],
    [`${D}T08:30+08:00`, utc(`${D}T08:30`)],
  ])('accepts %s', async (value, iso) => {
    expect(await seen(value)).toEqual({ status: 201, at: iso });
  });

  it.each([
    D.replaceAll('-', '/'),
    `${D.slice(8)}/${D.slice(5, 7)}/${D.slice(0, 4)}`,
    `${D.slice(0, 4)}年${D.slice(5, 7)}月${D.slice(8)}日`,
    '2026-02-30',
    `${D}T24:00`,
    `${D}T08:61`,
    `${D} 8:30`,
    'yesterday',
  ])('refuses %s in Chinese, saying the format', async (value) => {
    const r = await seen(value);
    expect(r.status).toBe(400);
    expect(r.error).toContain('发现时间格式不正确');
    expect(r.error).toContain('年-月-日');
  });

  it('refuses a time in the future or over a year ago', async () => {
    expect((await seen(day(2))).error).toBe('发现时间不能晚于现在');
    expect((await seen(day(-370))).error).toBe('发现时间不能早于一年前');
  });
});
