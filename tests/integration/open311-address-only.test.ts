import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaints, villages } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// The spec lets a request name an address and no lat/long. No geocoder is reachable here, so the
// office places it on the map; until then its stored point is a placeholder (the township's
// centre, decision 016) that no public view may show as its place, and nothing is "near" it.
const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

const BASE = '/api/open311/v2';
const keyRes = await app.request('/api/admin/api-keys', {
  method: 'POST',
  ...json({ name: '县级 12345 平台' }, signIn(ctx, 'admin')),
});
const apiKey = (await keyRes.json()).key as string;
const row = (id: number) => ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
const post = (fields: Record<string, string>) =>
  app.request(`${BASE}/requests.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ api_key: apiKey, service_code: 'air', ...fields }).toString(),
  });
async function act(id: number, body: Record<string, unknown>) {
  return app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, triage),
  });
}

// As FixMyStreet sends a report its user did not pin: address_string, and no lat/long at all.
const filed = await post({
  address_string: '青溪镇竹林村河边老粮站后面',
  description: '老粮站后面的塑料作坊夜里开工，冒黑烟，气味刺鼻。',
  first_name: '三',
  last_name: '张',
});
const body = await filed.json();
const id = Number(body[0].service_request_id);
const code = row(id).trackingCode;
const placeholder = { lat: row(id).lat, lng: row(id).lng };

describe('an Open311 request with an address and no lat/long', () => {
  it('is accepted into the queue, flagged, held at township level with a placeholder point', async () => {
    expect(filed.status).toBe(201);
    expect(body[0].service_notice).toMatch(/未提供经纬度：整治办将按地址描述在地图上确定位置/);
    expect(row(id)).toMatchObject({
      status: 'submitted',
      needsLocation: true,
      villageId: null,
      outsideVillages: false, // not "outside every village": nobody knows where it is yet
      possibleDuplicate: false,
      address: '青溪镇竹林村河边老粮站后面',
    });
    // The placeholder is the centre of the township's villages (the county's first township holds it).
    const centres = ctx
      .villageAreas()
      .filter((a) => a.townshipId === row(id).townshipId)
      .map((a) => a.centre);
    const mean = (k: 'lat' | 'lng') => centres.reduce((s, c) => s + c[k], 0) / centres.length;
    expect(placeholder.lat).toBeCloseTo(mean('lat'), 9);
    expect(placeholder.lng).toBeCloseTo(mean('lng'), 9);
    const queue = await app.request('/api/admin/complaints?status=submitted', { headers: { cookie: triage } });
    expect((await queue.json()).rows.find((r: { id: number }) => r.id === id)).toMatchObject({ needsLocation: true });
  });

  it('is refused without an address either, naming both ways to say where', async () => {
    const res = await post({ description: '老粮站后面的塑料作坊夜里开工，冒黑烟。' });
    expect(res.status).toBe(400);
    expect((await res.json())[0].description).toBe(
      '请提供 lat 和 long（WGS-84 经纬度），或 address_string（地址描述）',
    );
    const half = await post({
      lat: String(ZHULIN.lat),
      address_string: '竹林村',
      description: '作坊冒黑烟气味刺鼻很多天了。',
    });
    expect(half.status).toBe(400); // one coordinate without the other is a mistake, not an address
  });

  it('is near nothing: a report at the placeholder is no duplicate of it, and it has no neighbours', async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({ lat: String(placeholder.lat), lng: String(placeholder.lng), category: 'air' }),
    });
    expect(res.status).toBe(201);
    const other = ctx.db
      .select()
      .from(complaints)
      .where(eq(complaints.trackingCode, (await res.json()).trackingCode))
      .get()!;
    expect(other.possibleDuplicate).toBe(false);
    const detail = async (n: number) =>
      (await app.request(`/api/admin/complaints/${n}`, { headers: { cookie: triage } })).json();
    expect((await detail(other.id)).neighbours.map((n: { id: number }) => n.id)).not.toContain(id);
    expect((await detail(id)).neighbours).toEqual([]);
  });

  it('shows the office a flag on the queue and the complaint page, and a form to place it', async () => {
    const queue = await (await fetch(`${site.base}/admin/complaints`, { headers: { cookie: triage } })).text();
    const line = new RegExp(`href="/admin/complaints/${id}"[\\s\\S]*?</tr>`).exec(queue)![0];
    expect(line).toContain('位置待定');
    const page = await (await fetch(`${site.base}/admin/complaints/${id}`, { headers: { cookie: triage } })).text();
    expect(page).toContain('id="needs-location"');
    expect(page).toContain('只有地址描述，没有坐标');
    expect(page).toContain('id="action-locate"');
    expect(page).not.toContain(placeholder.lat.toFixed(6)); // the placeholder is no coordinate to show
    expect(page).not.toContain('不在任何村范围内');
  });

  it('shows no public view the placeholder, nor any point, while it waits', async () => {
    expect((await act(id, { action: 'accept' })).status).toBe(200); // accepted: in the public list now
    const [one] = await (await app.request(`${BASE}/requests/${id}.json`)).json();
    expect(one).toMatchObject({ lat: null, long: null, address: '青溪镇（具体位置待整治办确定）' });
    const listed = (await (await app.request(`${BASE}/requests.json`)).json()).find(
      (r: { service_request_id: string }) => r.service_request_id === String(id),
    );
    expect(listed).toMatchObject({ lat: null, long: null });
    const xml = await (await app.request(`${BASE}/requests/${id}.xml`)).text();
    expect(xml).toContain('<lat/>');
    expect(xml).toContain('<long/>');
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const forms = [6, 5].flatMap((d) => [placeholder.lat.toFixed(d), placeholder.lng.toFixed(d)]);
    forms.push(String(placeholder.lat), String(placeholder.lng));
    for (const path of [
      '/',
      '/stats',
      '/cases',
      `/results/${month}`,
      '/feed.xml',
      '/sitemap.xml',
      `/track?code=${code}`,
      `/api/complaints/${code}`,
      `${BASE}/requests/${id}.json`,
      `${BASE}/requests/${id}.xml`,
      '/api/case-map',
    ]) {
      const res = await fetch(`${site.base}${path}`);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      for (const f of forms) expect(text, `${path} shows ${f}`).not.toContain(f);
    }
    const track = await (await fetch(`${site.base}/api/complaints/${code}`)).json();
    expect(JSON.stringify(track)).not.toMatch(/"(lat|lng)"/);
  });

  it('cannot be assigned until the office places it; placing it routes it to its village', async () => {
    const zhulin = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.name, '竹林村')).get()!.id;
    const early = await act(id, { action: 'assign', villageId: zhulin, departmentIds: [] });
    expect(early.status).toBe(400);
    expect((await early.json()).error.message).toBe('这条举报只有地址描述，请先在地图上确定位置，再交办');
    const bad = await act(id, { action: 'locate', lat: '48.85', lng: '2.35' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/位置不在服务范围内/);
    expect((await act(id, { action: 'locate', lat: String(ZHULIN.lat), lng: String(ZHULIN.lng) })).status).toBe(200);
    expect(row(id)).toMatchObject({
      needsLocation: false,
      lat: ZHULIN.lat,
      lng: ZHULIN.lng,
      villageId: zhulin,
      status: 'accepted',
    });
    const [one] = await (await app.request(`${BASE}/requests/${id}.json`)).json();
    expect(one.address).toBe('竹林村, 青溪镇');
    expect(typeof one.lat).toBe('number');
    expect((await act(id, { action: 'assign', villageId: zhulin, departmentIds: [] })).status).toBe(200);
  });
});
