import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { complaints, villages } from '../../db/schema.ts';
import { CELL_M, gridCell } from '../../api/domain/shared/public-grid.ts';
import { distanceM } from '../../api/domain/complaints/neighbours.ts';
import { reportMap } from '../../api/domain/public/report-map.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const NOW = Date.parse('2026-11-20T02:00:00Z');
let clock = NOW;
const { ctx, app } = await freshContext({}, { now: () => clock });
const triage = signIn(ctx, 'shouli');
const zhulinId = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!.id;

const CANARY = { name: '图层金丝雀甲', phone: '13911112222', text: '地图金丝雀描述文字不得公开' };
const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;

async function file(at: { lat: number; lng: number }, over: Record<string, string> = {}) {
  const body = reportForm({
    lat: String(at.lat),
    lng: String(at.lng),
    description: `${CANARY.text}，作坊冒黑烟。`,
    anonymous: '0',
    name: CANARY.name,
    phone: CANARY.phone,
    ...over,
  });
  const res = await app.request('/api/complaints', { method: 'POST', body });
  expect(res.status, await res.clone().text()).toBe(201);
  const { trackingCode } = await res.json();
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!.id;
}
async function act(id: number, body: Record<string, unknown>) {
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, triage),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
const to = async (id: number, steps: Record<string, unknown>[]) => {
  for (const s of steps) await act(id, s);
  return id;
};
const ACCEPT = { action: 'accept', reply: '地图金丝雀答复' };
const ASSIGN = { action: 'assign', villageId: zhulinId, departmentIds: [] };
const RESOLVE = { action: 'resolve' };

// A cell of the public grid inside 竹林村, and points around its centre.
const cell = gridCell(ZHULIN.lat, ZHULIN.lng);
const DLAT = CELL_M / 111_320;
const at = (rows: number, dLat = 0, dLng = 0) => ({ lat: cell.lat + rows * DLAT + dLat, lng: cell.lng + dLng });

describe('the public map of accepted reports', () => {
  it('snaps to a fixed ~100 m grid: every point of a cell gets its centre, within ~71 m', () => {
    for (let i = 0; i < 500; i++) {
      const p = { lat: 30 + Math.random(), lng: 119 + Math.random() };
      const c = gridCell(p.lat, p.lng);
      expect(distanceM(p, c)).toBeLessThanOrEqual((CELL_M * Math.SQRT2) / 2 + 0.5);
      // The centre is in its own cell: snapping is idempotent.
      expect(gridCell(c.lat, c.lng)).toEqual(c);
    }
    const a = gridCell(cell.lat + 0.0004, cell.lng + 0.0004);
    const b = gridCell(cell.lat - 0.0004, cell.lng - 0.0004);
    expect(a).toEqual(b);
    // The next cell north is ~100 m away.
    expect(distanceM(cell, gridCell(cell.lat + DLAT, cell.lng))).toBeCloseTo(100, -1);
  });

  it('shows accepted, assigned and resolved reports only, snapped, counted per cell, no private field', async () => {
    // Two in one cell (accepted; assigned), one two cells north (resolved), one of another category with them.
    const a1 = await to(await file(at(0, 0.0002, 0.0003)), [ACCEPT]);
    const a2 = await to(await file(at(0, -0.0003, -0.0001)), [ACCEPT, ASSIGN]);
    await to(await file(at(0, 0.0001, 0), { category: 'noise' }), [ACCEPT]);
    await to(await file(at(2, 0.0001, 0.0001)), [ACCEPT, ASSIGN, RESOLVE]);
    // Never on the map: unreviewed, refused, merged, archived, and one waiting to be placed.
    const elsewhere = at(6);
    await file(elsewhere);
    await to(await file(elsewhere), [{ action: 'reject', reason: '不属于受理范围' }]);
    await to(await file(elsewhere), [{ action: 'merge', targetId: a1 }]);
    await to(await file(elsewhere), [ACCEPT, ASSIGN, RESOLVE, { action: 'close' }]);
    const placeholder = await to(await file(at(8)), [ACCEPT]);
    ctx.db.update(complaints).set({ needsLocation: true }).where(eq(complaints.id, placeholder)).run();

    const res = await app.request('/api/report-map');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    const map = JSON.parse(text);
    expect(Object.keys(map).sort()).toEqual(['features', 'type']);
    expect(map.type).toBe('FeatureCollection');
    expect(map.features).toHaveLength(2);
    for (const f of map.features) {
      expect(Object.keys(f).sort()).toEqual(['geometry', 'properties', 'type']);
      expect(Object.keys(f.geometry).sort()).toEqual(['coordinates', 'type']);
      expect(Object.keys(f.properties).sort()).toEqual(['count', 'reports']);
      for (const g of f.properties.reports)
        expect(Object.keys(g).sort()).toEqual(['category', 'count', 'month', 'status']);
      // Each point is a grid cell's centre, not any report's own point.
      const [lng, lat] = f.geometry.coordinates;
      expect(gridCell(lat, lng)).toMatchObject({ lat, lng });
    }
    const [north, here] = map.features;
    expect(here.geometry.coordinates).toEqual([cell.lng, cell.lat]);
    expect(here.properties.count).toBe(3);
    expect(here.properties.reports).toEqual(
      expect.arrayContaining([
        { category: '废气/异味/烟尘', status: '已受理', month: '2026-11', count: 1 },
        { category: '废气/异味/烟尘', status: '已交办属地处理', month: '2026-11', count: 1 },
        expect.objectContaining({ status: '已受理', count: 1 }),
      ]),
    );
    expect(north.properties).toEqual({
      count: 1,
      reports: [{ category: '废气/异味/烟尘', status: '已办结', month: '2026-11', count: 1 }],
    });
    // No report's own coordinates, id, code, text, reply or reporter anywhere in the answer.
    for (const id of [a1, a2]) {
      const r = row(id);
      expect(text).not.toContain(String(r.lat).slice(0, 9));
      expect(text).not.toContain(r.trackingCode);
    }
    for (const s of [CANARY.name, CANARY.phone, CANARY.text, '地图金丝雀答复', '"id"', 'village', 'photo'])
      expect(text).not.toContain(s);
  });

  it('goes back twelve months, Beijing calendar', async () => {
    clock = Date.parse('2027-11-01T03:00:00Z'); // November 2027: November 2026 is the thirteenth month back
    expect((await reportMap(ctx.db, new Date(clock))).features).toEqual([]);
    clock = Date.parse('2027-10-31T15:00:00Z'); // 31 October, 23:00 in Beijing: still twelve months
    expect((await reportMap(ctx.db, new Date(clock))).features).toHaveLength(2);
    clock = NOW;
  });
});
