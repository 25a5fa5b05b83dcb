import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { complaintEvents, complaints, villages } from '../../db/schema.ts';
import { CELL_M, gridCell } from '../../api/domain/shared/public-grid.ts';
import { distanceM, DUPLICATE_RULE } from '../../api/domain/complaints/neighbours.ts';
import { FOLLOW_DESCRIPTION } from '../../api/domain/complaints/follow.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

// "附近 N 条同类举报正在处理" while the pin is placed, and following one instead of filing a duplicate.
const NOW = Date.parse('2026-11-20T02:00:00Z');
let clock = NOW;
const { ctx, app } = await freshContext({ TRUST_PROXY: 'true' }, { now: () => clock });
const triage = signIn(ctx, 'shouli');
const zhulinId = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!.id;
const MAIN = {
  name: '关注金丝雀乙',
  phone: '13933334444',
  text: '关注金丝雀的原举报描述',
  reply: '关注金丝雀写给原举报人的答复',
};

const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
let address = 0;
/** Each call from its own address unless told: the per-address limits are tested on their own. */
const from = (ip = `10.1.0.${++address % 250}`) => ({ 'x-forwarded-for': ip });

async function file(p: { lat: number; lng: number }, over: Record<string, string> = {}, ip?: string) {
  const body = reportForm({ lat: String(p.lat), lng: String(p.lng), ...over });
  return app.request('/api/complaints', { method: 'POST', body, headers: from(ip) });
}
async function filed(p: { lat: number; lng: number }, over: Record<string, string> = {}) {
  const res = await file(p, over);
  expect(res.status, await res.clone().text()).toBe(201);
  const { trackingCode } = await res.json();
  return {
    id: ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!.id,
    code: trackingCode as string,
  };
}
async function act(id: number, body: Record<string, unknown>) {
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, triage),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
const nearby = (p: { lat: number; lng: number }, category?: string, ip?: string) =>
  app.request(
    `/api/nearby-reports?${new URLSearchParams({
      lat: String(p.lat),
      lng: String(p.lng),
      ...(category && { category }),
    })}`,
    { headers: from(ip) },
  );

const cell = gridCell(ZHULIN.lat, ZHULIN.lng);
const DLAT = CELL_M / 111_320;
/** A point in the cell `rows` north of 竹林村's, off its centre. */
const north = (rows: number) => ({ lat: cell.lat + rows * DLAT + 0.0002, lng: cell.lng + 0.0002 });
const pin = { lat: cell.lat + 0.00005, lng: cell.lng };

const main = await filed(north(1), {
  anonymous: '0',
  name: MAIN.name,
  phone: MAIN.phone,
  description: `${MAIN.text}，冒黑烟。`,
});
await act(main.id, { action: 'accept', reply: MAIN.reply });
await act(main.id, { action: 'assign', villageId: zhulinId, departmentIds: [] });
const two = await filed(north(2));
await act(two.id, { action: 'accept' });
// Not offered: too far, another category, unreviewed, finished, refused.
const far = await filed(north(3));
await act(far.id, { action: 'accept' });
const noise = await filed(north(1), { category: 'noise' });
await act(noise.id, { action: 'accept' });
await filed(north(0));
const done = await filed(north(1));
await act(done.id, { action: 'accept' });
await act(done.id, { action: 'assign', villageId: zhulinId, departmentIds: [] });
await act(done.id, { action: 'resolve' });
const refused = await filed(north(1));
await act(refused.id, { action: 'reject', reason: '不属于受理范围' });

describe('the nearby hint', () => {
  it('counts the similar reports being handled within DUPLICATE_RULE of the pin, to their public cells', async () => {
    const res = await nearby(pin, 'air');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const hint = await res.json();
    expect(hint.rule).toEqual(DUPLICATE_RULE);
    expect(hint.count).toBe(2);
    expect(hint.items).toHaveLength(2);
    for (const item of hint.items)
      expect(Object.keys(item).sort()).toEqual(['category', 'categoryCode', 'distance', 'month', 'status', 'token']);
    expect(hint.items.map((i: { distance: string }) => i.distance)).toEqual(['约 100 米内', '约 200 米内']);
    expect(hint.items[0]).toMatchObject({
      categoryCode: 'air',
      category: '废气/异味/烟尘',
      status: '已交办属地处理',
      month: '2026-11',
    });
    expect(hint.items[1].status).toBe('已受理');
    // The rule decides: the report three cells north is just beyond it, the one two cells north within.
    expect(distanceM(pin, gridCell(north(2).lat, north(2).lng))).toBeLessThanOrEqual(DUPLICATE_RULE.metres);
    expect(distanceM(pin, gridCell(north(3).lat, north(3).lng))).toBeGreaterThan(DUPLICATE_RULE.metres);
    // Without a category, every category: the noise report too.
    expect((await (await nearby(pin)).json()).count).toBe(3);
  });

  it('says nothing private: no id, code, point, text, reply or reporter; the token is opaque', async () => {
    const text = await (await nearby(pin, 'air')).text();
    for (const s of [MAIN.name, MAIN.phone, MAIN.text, MAIN.reply, main.code, `"id"`, String(row(main.id).lat)])
      expect(text).not.toContain(s);
    const { items } = JSON.parse(text);
    expect(items[0].token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // One per report, and nothing of the id in it to read: a MAC, not an encoding.
    expect(new Set(items.map((i: { token: string }) => i.token)).size).toBe(items.length);
    expect(items[0].token).not.toBe(Buffer.from(String(main.id)).toString('base64url'));
    // The same report's token changes with the hour.
    clock = NOW + 3_600_000;
    const later = (await (await nearby(pin, 'air')).json()).items[0].token;
    clock = NOW;
    expect(later).not.toBe(items[0].token);
  });

  it('forgets reports older than DUPLICATE_RULE.days', async () => {
    clock = NOW + (DUPLICATE_RULE.days + 1) * 86_400_000;
    expect((await (await nearby(pin, 'air')).json()).count).toBe(0);
    clock = NOW;
  });

  it('refuses a bad point or category in Chinese, naming the field', async () => {
    const bad = await app.request('/api/nearby-reports?lat=abc&lng=119.9', { headers: from() });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.lat).toContain('纬度');
    const cat = await nearby(pin, 'nope');
    expect(cat.status).toBe(400);
    expect((await cat.json()).error.fields.category).toBe('问题类别不正确');
  });

  it('is limited per address: the 61st ask in a minute is refused with Retry-After', async () => {
    for (let i = 0; i < 60; i++) expect((await nearby(pin, 'air', '10.9.9.9')).status).toBe(200);
    const limited = await nearby(pin, 'air', '10.9.9.9');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await nearby(pin, 'air', '10.9.9.8')).status).toBe(200);
  });
});

describe('following a report instead of filing a duplicate', () => {
  const tokenFor = async (p = pin) => (await (await nearby(p, 'air')).json()).items[0].token as string;

  it('files his own short report merged into it, with his own code; /track shows its progress, not him', async () => {
    const token = await tokenFor();
    const res = await file(pin, { follow: token, description: '', anonymous: '0', phone: '13955556666' });
    expect(res.status, await res.clone().text()).toBe(201);
    const { trackingCode } = await res.json();
    expect(trackingCode).not.toBe(main.code);
    const mine = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
    expect(mine).toMatchObject({ status: 'merged', mergedIntoId: main.id, description: FOLLOW_DESCRIPTION });
    const events = ctx.db
      .select()
      .from(complaintEvents)
      .where(eq(complaintEvents.complaintId, mine.id))
      .orderBy(asc(complaintEvents.id))
      .all();
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.action])).toEqual([
      [null, 'submitted', 'submit'],
      ['submitted', 'merged', 'merge'],
    ]);

    const view = await (await app.request(`/api/complaints/${trackingCode}`, { headers: from() })).json();
    expect(view.status).toBe('merged');
    expect(view.followed).toMatchObject({ status: 'assigned', statusLabel: '已交办属地处理' });
    expect(view.followed.timeline.map((e: { statusLabel: string }) => e.statusLabel)).toEqual([
      '已提交，待受理',
      '已受理',
      '已交办属地处理',
    ]);
    for (const secret of [MAIN.name, MAIN.phone, MAIN.text, MAIN.reply, main.code])
      expect(JSON.stringify(view)).not.toContain(secret);
    // The office sees it merged into the one it follows, as if a staff member had merged it.
    const office = await (
      await app.request(`/api/admin/complaints/${mine.id}`, { headers: { cookie: triage } })
    ).json();
    expect(office.complaint.status).toBe('merged');
    expect(office.mergedInto).toMatchObject({ id: main.id });
  });

  it('keeps his own words when he wrote a description, and the standard sentence before a short note', async () => {
    const long = await file(pin, { follow: await tokenFor(), description: '我家后面就是这个作坊，晚上也在开工。' });
    expect(long.status).toBe(201);
    const short = await file(pin, { follow: await tokenFor(), description: '晚上也开' });
    const code = (await short.json()).trackingCode;
    expect(ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.description).toBe(
      `${FOLLOW_DESCRIPTION}补充：晚上也开`,
    );
  });

  it('refuses a forged, stale or far token, another category, and a report no longer being handled', async () => {
    const refusedWith = async (res: Response) => {
      expect(res.status).toBe(400);
      return (await res.json()).error.fields.follow as string;
    };
    const before = ctx.db.select({ id: complaints.id }).from(complaints).all().length;
    expect(await refusedWith(await file(pin, { follow: 'A'.repeat(22) }))).toContain('请重新在地图上选点');
    expect(await refusedWith(await file(pin, { follow: 'not a token' }))).toContain('请重新在地图上选点');
    const token = await tokenFor();
    // Good for the hour it was given in and the next, not after.
    clock = NOW + 2 * 3_600_000 + 1;
    expect(await refusedWith(await file(pin, { follow: token }))).toContain('请重新在地图上选点');
    clock = NOW + 3_600_000;
    expect((await file(pin, { follow: token })).status).toBe(201);
    clock = NOW;
    // From a pin beyond the rule, or for another category, it names nothing.
    expect(await refusedWith(await file(north(5), { follow: token }))).toContain('请重新在地图上选点');
    expect(await refusedWith(await file(pin, { follow: token, category: 'noise' }))).toContain('请重新在地图上选点');
    const finished = await tokenFor(north(2));
    const target = (await (await nearby(north(2), 'air')).json()).items[0];
    expect(target.token).toBe(finished);
    await act(main.id, { action: 'resolve' });
    await act(two.id, { action: 'assign', villageId: zhulinId, departmentIds: [] });
    await act(two.id, { action: 'resolve' });
    expect(await refusedWith(await file(north(2), { follow: finished }))).toContain('已办结');
    expect(ctx.db.select({ id: complaints.id }).from(complaints).all().length).toBe(before + 1);
  });

  it('counts against the filing limit, as filing does', async () => {
    const limited = await freshContext({ TRUST_PROXY: 'true', REPORT_RATE_LIMIT: '2' }, { now: () => clock });
    const send = () =>
      limited.app.request('/api/complaints', {
        method: 'POST',
        body: reportForm({ follow: 'A'.repeat(22) }),
        headers: { 'x-forwarded-for': '10.7.7.7' },
      });
    expect((await send()).status).toBe(400);
    expect((await send()).status).toBe(400);
    expect((await send()).status).toBe(429);
  });
});
