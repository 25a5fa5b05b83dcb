import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assignments, notifications } from '../../db/schema-supervision.ts';
import { auditLog, complaintEvents, complaints, townships, users, villages } from '../../db/schema.ts';
import { cellCenter, villageBoundary, westEdgeMiddle } from '../../api/seed/demo-geography.ts';
import { countyAreas, routeInCounty } from '../../api/domain/shared/county-routing.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const { ctx, app } = await freshContext();
const idOf = (table: typeof townships | typeof villages, code: string) =>
  ctx.db.select({ id: table.id }).from(table).where(eq(table.code, code)).get()!.id;
const QINGXI = idOf(townships, 'qingxi'),
  SHIQIAO = idOf(townships, 'shiqiao-zhen'),
  CHENGDONG = idOf(townships, 'chengdong');
const cookies = Object.fromEntries(
  ['shouli', 'shiqiao', 'chengdong', 'xianban', 'lingdao', 'shiqiao-cun'].map((u) => [u, signIn(ctx, u)]),
);
const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;

async function file(p: { lat: number; lng: number }) {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(p.lat), lng: String(p.lng) }),
  });
  expect(res.status).toBe(201);
  const { trackingCode } = await res.json();
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
}

// ~48 m either side of the bend in the middle of 青溪镇's west border (下塘村 | 石桥镇's 东村).
const edge = westEdgeMiddle(0, 0);
const WEST_OF_EDGE = { lat: edge.lat, lng: edge.lng - 0.0005 };
const EAST_OF_EDGE = { lat: edge.lat, lng: edge.lng + 0.0005 };
// Where 青溪镇, 石桥镇 and 城东街道 meet: 下塘村's south-west corner; just north-west of it lies in 石桥镇, near both.
const corner = (villageBoundary(0, 0).coordinates as number[][][])[0]!.reduce((a, b) =>
  a[0]! + a[1]! <= b[0]! + b[1]! ? a : b,
);
const NEAR_THREE = { lat: corner[1]! + 0.0003, lng: corner[0]! - 0.0003 };

const handover = (id: number, body: Record<string, unknown>, who: string) =>
  app.request(`/api/admin/complaints/${id}/handover`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, cookies[who]),
  });
const sees = async (who: string, id: number) =>
  (await app.request(`/api/admin/complaints/${id}`, { headers: { cookie: cookies[who]! } })).status === 200;
const queueIds = async (who: string, query = '') =>
  (
    (await (await app.request(`/api/admin/complaints?${query}`, { headers: { cookie: cookies[who]! } })).json())
      .rows as { id: number }[]
  ).map((r) => r.id);

describe('a report is routed over the whole county', () => {
  it('inside a village: that village and its township, near no border', async () => {
    const c = await file(cellCenter(-2, 1));
    expect([c.townshipId, c.villageId, c.borderTownshipId]).toEqual([SHIQIAO, idOf(villages, 'shiqiao-beishan'), null]);
  });

  it('near the border, on either side: held where it lies, the neighbour flagged', async () => {
    const west = await file(WEST_OF_EDGE);
    expect([west.townshipId, west.villageId, west.borderTownshipId]).toEqual([
      SHIQIAO,
      idOf(villages, 'shiqiao-dongcun'),
      QINGXI,
    ]);
    const east = await file(EAST_OF_EDGE);
    expect([east.townshipId, east.villageId, east.borderTownshipId]).toEqual([
      QINGXI,
      idOf(villages, 'qingxi-xiatang'),
      SHIQIAO,
    ]);
  });

  it('200 m from the border is not a border report', async () => {
    const c = await file({ lat: edge.lat, lng: edge.lng - 0.0021 });
    expect([c.townshipId, c.borderTownshipId]).toEqual([SHIQIAO, null]);
  });

  it('outside every township: held by the nearest, at township level', async () => {
    const beyond = cellCenter(3, 1); // east of 青溪镇, the county border
    const c = await file({ lat: beyond.lat, lng: beyond.lng + 0.01 });
    expect([c.townshipId, c.villageId, c.outsideVillages, c.borderTownshipId]).toEqual([QINGXI, null, true, null]);
  });

  it('where three townships meet: the nearer neighbour is flagged', () => {
    const r = routeInCounty(countyAreas(ctx.db, ctx.villageAreas()), NEAR_THREE.lat, NEAR_THREE.lng)!;
    expect(r.townshipId).toBe(SHIQIAO);
    expect([QINGXI, CHENGDONG]).toContain(r.borderTownshipId);
  });

  it('moving the point (确定位置) decides township, village and border again', async () => {
    const c = await file(cellCenter(1, 1));
    const res = await app.request(`/api/admin/complaints/${c.id}/actions`, {
      method: 'POST',
      ...json({ action: 'locate', version: c.version, ...WEST_OF_EDGE }, cookies.shouli),
    });
    expect(res.status).toBe(200);
    expect([row(c.id).townshipId, row(c.id).villageId, row(c.id).borderTownshipId]).toEqual([
      SHIQIAO,
      idOf(villages, 'shiqiao-dongcun'),
      QINGXI,
    ]);
  });
});

describe('镇街交界: both offices see it', () => {
  it('in both queues, with the border filter, and not in a third township', async () => {
    const c = await file(WEST_OF_EDGE);
    expect(await queueIds('shiqiao')).toContain(c.id);
    expect(await queueIds('shouli')).toContain(c.id);
    expect(await queueIds('shouli', 'border=yes')).toContain(c.id);
    expect(await queueIds('chengdong')).not.toContain(c.id);
    const inner = await file(cellCenter(1, 1));
    expect(await queueIds('shouli', 'border=yes')).not.toContain(inner.id);
  });
});

describe('移交 (handover)', () => {
  it('is the office’s: a leader, a village officer and a third township are refused', async () => {
    const c = await file(WEST_OF_EDGE);
    const body = { toTownshipId: QINGXI, reason: '作坊在青溪镇一侧' };
    expect((await handover(c.id, body, 'lingdao')).status).toBe(403);
    expect((await handover(c.id, body, 'shiqiao-cun')).status).toBe(403);
    expect((await handover(c.id, body, 'chengdong')).status).toBe(404);
    expect(row(c.id).townshipId).toBe(SHIQIAO);
  });

  it('needs a reason, a township other than the holder, and the version read (409 in Chinese)', async () => {
    const c = await file(WEST_OF_EDGE);
    const noReason = await handover(c.id, { toTownshipId: QINGXI }, 'shiqiao');
    expect([noReason.status, (await noReason.json()).error.message]).toEqual([400, '请填写理由']);
    const self = await handover(c.id, { toTownshipId: SHIQIAO, reason: '本镇的' }, 'shiqiao');
    expect(self.status).toBe(400);
    const stale = await app.request(`/api/admin/complaints/${c.id}/handover`, {
      method: 'POST',
      ...json({ version: c.version + 5, toTownshipId: QINGXI, reason: '作坊在青溪镇一侧' }, cookies.shiqiao),
    });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toMatch(/请刷新后再操作/);
    expect(row(c.id).townshipId).toBe(SHIQIAO);
  });

  it('to the border township: it holds it alone, evented, audited, its office told', async () => {
    const c = await file(WEST_OF_EDGE);
    const res = await handover(c.id, { toTownshipId: QINGXI, reason: '作坊在青溪镇一侧' }, 'shiqiao');
    expect(res.status).toBe(200);
    expect([row(c.id).townshipId, row(c.id).villageId, row(c.id).outsideVillages]).toEqual([QINGXI, null, true]);
    expect(row(c.id).borderTownshipId).toBeNull();
    expect(await sees('shiqiao', c.id)).toBe(false);
    expect(await queueIds('shiqiao')).not.toContain(c.id);
    expect(await sees('shouli', c.id)).toBe(true);
    const event = ctx.db.select().from(complaintEvents).where(eq(complaintEvents.complaintId, c.id)).all().at(-1)!;
    expect([event.action, event.internalNote]).toEqual(['handover', '作坊在青溪镇一侧']);
    const logged = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'complaint.handover'), eq(auditLog.objectId, String(c.id))))
      .get()!;
    expect(logged.reason).toBe('作坊在青溪镇一侧');
    expect(logged.details).toMatchObject({ fromTownshipId: SHIQIAO, toTownshipId: QINGXI });
    const told = ctx.db
      .select({ username: users.username, text: notifications.text })
      .from(notifications)
      .innerJoin(users, eq(users.id, notifications.userId))
      .where(eq(notifications.kind, 'handover'))
      .all()
      .filter((n) => n.text.includes(`#${c.id} `));
    expect(told.map((n) => n.username).sort()).toEqual(['shouli', 'xianban']);
    expect(told[0]!.text).toBe(`举报 #${c.id} 由石桥镇移交青溪镇办理`);
  });

  it('the border office may take it over; handed work is withdrawn with a note', async () => {
    const c = await file(WEST_OF_EDGE);
    const act = (body: Record<string, unknown>) =>
      app.request(`/api/admin/complaints/${c.id}/actions`, {
        method: 'POST',
        ...json({ version: row(c.id).version, ...body }, cookies.shiqiao),
      });
    expect((await act({ action: 'accept' })).status).toBe(200);
    expect((await act({ action: 'assign', villageId: idOf(villages, 'shiqiao-dongcun') })).status).toBe(200);
    const res = await handover(c.id, { toTownshipId: QINGXI, reason: '青溪镇接手' }, 'shouli');
    expect(res.status).toBe(200);
    expect(row(c.id).status).toBe('accepted');
    const items = ctx.db.select().from(assignments).where(eq(assignments.complaintId, c.id)).all();
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.status === 'withdrawn')).toBe(true);
    expect(await sees('shiqiao', c.id)).toBe(false);
    expect(await sees('shiqiao-cun', c.id)).toBe(false);
  });

  it('a third township near the point keeps seeing it; the county office may hand over anywhere', async () => {
    const c = await file(NEAR_THREE);
    expect(c.townshipId).toBe(SHIQIAO);
    expect((await handover(c.id, { toTownshipId: QINGXI, reason: '县里协调定由青溪镇办' }, 'xianban')).status).toBe(
      200,
    );
    expect(row(c.id).borderTownshipId).toBe(CHENGDONG);
    expect(await sees('chengdong', c.id)).toBe(true);
    expect(await sees('shiqiao', c.id)).toBe(false);
  });

  it('a plain form (no JavaScript) is answered with a redirect, or a page saying why not', async () => {
    const c = await file(WEST_OF_EDGE);
    const post = (fields: Record<string, string>) =>
      app.request(`/api/admin/complaints/${c.id}/handover`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.shiqiao! },
        body: new URLSearchParams(fields).toString(),
      });
    const refused = await post({ version: String(c.version), toTownshipId: String(QINGXI), reason: '' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('请填写理由');
    const done = await post({ version: String(c.version), toTownshipId: String(QINGXI), reason: '作坊在青溪镇一侧' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/admin/complaints?handedOver=${c.id}`);
    expect(row(c.id).townshipId).toBe(QINGXI);
  });
});
