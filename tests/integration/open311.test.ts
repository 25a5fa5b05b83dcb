import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { count, eq } from 'drizzle-orm';
import { auditLog, complaintContacts, complaints, villages } from '../../db/schema.ts';
import { apiKeys, apiSubmissions } from '../../db/schema-public.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { toXml } from '../../api/domain/open311/format.ts';
import { MAX_IDS } from '../../api/domain/open311/requests.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const { ctx, app } = await freshContext();
const admin = signIn(ctx, 'admin');
const shouli = signIn(ctx, 'shouli');
const BASE = '/api/open311/v2';
const LISTS = ['service', 'request', 'error', 'endpoint', 'format', 'attribute'];
const xml = new XMLParser({ parseTagValue: false, isArray: (name) => LISTS.includes(name) });
const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const DAY = 86_400_000;

const get = (path: string) => app.request(`${BASE}${path}`);
const getJson = async (path: string) => {
  const res = await get(path);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, body: await res.json() };
};
const getXml = async (path: string) => {
  const res = await get(path);
  expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  const text = await res.text();
  expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
  return { status: res.status, doc: xml.parse(text), text };
};
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...headers },
  body: new URLSearchParams(fields).toString(),
});
const postRequest = (format: 'json' | 'xml', fields: Record<string, string>, headers: Record<string, string> = {}) =>
  app.request(`${BASE}/requests.${format}`, form(fields, headers));
const complaintCount = () => ctx.db.select({ n: count() }).from(complaints).get()!.n;
const rowOf = (trackingCode: string) =>
  ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;

async function issueKey(name: string): Promise<{ id: number; key: string; prefix: string }> {
  const res = await app.request('/api/admin/api-keys', { method: 'POST', ...json({ name }, admin) });
  expect(res.status).toBe(201);
  return res.json();
}

// A resident's confidential details, each unique so that any leak is found by a plain search.
const SECRET = {
  name: '欧阳秘密',
  phone: '13987654321',
  description: '金丝猴作坊夜里偷排废水，老板电话 13811112222',
  address: '秘密巷九十九号后院',
};
/** The description as the public reads it: the phone removed, as typical cases remove it. */
const PUBLIC_DESCRIPTION = '金丝猴作坊夜里偷排废水，老板电话 （电话已隐去）';
const exactLat = (ZHULIN.lat + 0.00123).toFixed(5);
const exactLng = (ZHULIN.lng - 0.00117).toFixed(5);

async function fileSite(over: Record<string, string> = {}) {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({
      anonymous: '0',
      name: SECRET.name,
      phone: SECRET.phone,
      description: SECRET.description,
      address: SECRET.address,
      lat: exactLat,
      lng: exactLng,
      ...over,
    }),
  });
  expect(res.status).toBe(201);
  const { trackingCode } = await res.json();
  return { trackingCode: trackingCode as string, id: rowOf(trackingCode).id };
}

async function act(id: number, action: Record<string, unknown>) {
  const { version } = ctx.db
    .select({ version: complaints.version })
    .from(complaints)
    .where(eq(complaints.id, id))
    .get()!;
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ ...action, version }, shouli),
  });
  expect(res.status).toBe(200);
}

const zhulin = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.name, '竹林村')).get()!.id;
// Six complaints in every public state and some that must stay out of the list.
const submitted = await fileSite();
const accepted = await fileSite();
await act(accepted.id, { action: 'accept', reply: `已受理，${SECRET.name}您好` });
const assigned = await fileSite({ category: 'noise' });
await act(assigned.id, { action: 'accept' });
await act(assigned.id, { action: 'assign', villageId: zhulin, departmentIds: [1] });
const resolved = await fileSite();
await act(resolved.id, { action: 'accept' });
await act(resolved.id, { action: 'assign', villageId: zhulin, departmentIds: [] });
await act(resolved.id, { action: 'resolve', reply: '已关停' });
const rejected = await fileSite();
await act(rejected.id, { action: 'reject', reason: '信息不全无法核实' });
const old = await fileSite({ category: 'water' });
await act(old.id, { action: 'accept' });
const oldCreated = new Date(Date.now() - 120 * DAY);
ctx.db.update(complaints).set({ createdAt: oldCreated }).where(eq(complaints.id, old.id)).run();
const seeded = [submitted, accepted, assigned, resolved, rejected, old];
const key = await issueKey('县级 12345 平台');

describe('API keys', () => {
  it('are issued by an admin only, shown once, stored as SHA-256 hash and 8-character prefix, audited', async () => {
    expect(key.key).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(key.prefix).toBe(key.key.slice(0, 8));
    const row = ctx.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)).get()!;
    expect(row.keyHash).toBe(createHash('sha256').update(key.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.key);
    const list = await app.request('/api/admin/api-keys', { headers: { cookie: admin } });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(key.key);
    expect(JSON.parse(text)[0]).toMatchObject({
      id: key.id,
      name: '县级 12345 平台',
      prefix: key.prefix,
      revokedAt: null,
    });
    expect(
      ctx.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'api_key.issue'))
        .all()
        .map((a) => a.objectId),
    ).toContain(String(key.id));
    for (const who of [shouli, signIn(ctx, 'lingdao')]) {
      expect((await app.request('/api/admin/api-keys', { headers: { cookie: who } })).status).toBe(403);
      expect(
        (await app.request('/api/admin/api-keys', { method: 'POST', ...json({ name: '不该签发' }, who) })).status,
      ).toBe(403);
    }
    const bad = await app.request('/api/admin/api-keys', { method: 'POST', ...json({ name: '' }, admin) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('使用方名称');
  });

  it('refuse a request without a key, with a wrong key and with a revoked key (403), filing nothing', async () => {
    const doomed = await issueKey('将被吊销');
    const fields = {
      service_code: 'air',
      lat: String(ZHULIN.lat),
      long: String(ZHULIN.lng),
      description: '河边作坊排放黑烟，气味刺鼻难闻。',
    };
    expect((await postRequest('json', { ...fields, api_key: doomed.key })).status).toBe(201);
    const noReason = await app.request(`/api/admin/api-keys/${doomed.id}/revoke`, {
      method: 'POST',
      ...json({}, admin),
    });
    expect(noReason.status).toBe(400);
    expect(
      (
        await app.request(`/api/admin/api-keys/${doomed.id}/revoke`, {
          method: 'POST',
          ...json({ reason: '合作结束' }, admin),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await app.request(`/api/admin/api-keys/${doomed.id}/revoke`, {
          method: 'POST',
          ...json({ reason: '再次吊销' }, admin),
        })
      ).status,
    ).toBe(409);
    expect(
      (await app.request('/api/admin/api-keys/9999/revoke', { method: 'POST', ...json({ reason: '不存在' }, admin) }))
        .status,
    ).toBe(404);
    expect(ctx.db.select().from(auditLog).where(eq(auditLog.action, 'api_key.revoke')).get()).toMatchObject({
      objectId: String(doomed.id),
      reason: '合作结束',
    });
    const before = complaintCount();
    const cases: [Record<string, string>, string][] = [
      [fields, '缺少 api_key'],
      [{ ...fields, api_key: `${key.key.slice(0, -1)}x` }, 'api_key 无效'],
      [{ ...fields, api_key: doomed.key }, '已被吊销'],
    ];
    for (const [body, message] of cases) {
      const res = await postRequest('json', body);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual([{ code: 403, description: expect.stringContaining(message) }]);
      const x = await postRequest('xml', body);
      expect(x.status).toBe(403);
      expect(xml.parse(await x.text()).errors.error[0]).toEqual({
        code: '403',
        description: expect.stringContaining(message),
      });
    }
    expect(complaintCount()).toBe(before);
  });
});

describe('service discovery', () => {
  it('names the GeoReport v2 endpoint, its formats and how to get a key, in JSON and XML', async () => {
    const { status, body } = await getJson('/discovery.json');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['changeset', 'contact', 'endpoints', 'key_service']);
    expect(body.changeset).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(body.contact).toMatch(/整治办公室/);
    expect(body.key_service).toMatch(/api_key/);
    expect(body.endpoints).toEqual([
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: 'http://localhost:4321/api/open311/v2', // no PUBLIC_BASE_URL (not production): the listener's
        changeset: body.changeset,
        type: 'test', // NODE_ENV=test; production says "production"
        formats: ['application/json', 'text/xml'],
      },
    ]);
    const { doc } = await getXml('/discovery.xml');
    expect(doc.discovery).toMatchObject({
      changeset: body.changeset,
      contact: body.contact,
      key_service: body.key_service,
    });
    expect(doc.discovery.endpoints.endpoint[0]).toEqual({
      ...body.endpoints[0],
      formats: { format: body.endpoints[0].formats },
    });
  });

  it('names the configured PUBLIC_BASE_URL, never what the Host header says', async () => {
    const spoofed = await app.request(`${BASE}/discovery.json`, { headers: { host: 'evil.example' } });
    expect((await spoofed.json()).endpoints[0].url).toBe('http://localhost:4321/api/open311/v2');
    const configured = await freshContext({ PUBLIC_BASE_URL: 'https://jubao.example.gov.cn/' });
    const res = await configured.app.request(`${BASE}/discovery.json`, { headers: { host: 'evil.example:8080' } });
    expect((await res.json()).endpoints[0].url).toBe('https://jubao.example.gov.cn/api/open311/v2');
  });
});

describe('GET services and service definitions', () => {
  it('lists our complaint categories with every field the spec names', async () => {
    const { body } = await getJson('/services.json');
    expect(body.map((s: { service_code: string }) => s.service_code)).toEqual([
      'air',
      'water',
      'noise',
      'waste',
      'unlicensed',
      'safety',
      'resumed',
      'other',
    ]);
    for (const s of body) {
      expect(Object.keys(s).sort()).toEqual([
        'description',
        'group',
        'keywords',
        'metadata',
        'service_code',
        'service_name',
        'type',
      ]);
      expect(s).toMatchObject({ metadata: false, type: 'realtime', group: '散乱污' });
      for (const f of ['service_code', 'service_name', 'description', 'keywords']) expect(typeof s[f]).toBe('string');
    }
    expect(body[0]).toEqual({
      service_code: 'air',
      service_name: '废气/异味/烟尘',
      description: '冒黑烟、刺鼻气味、粉尘',
      metadata: false,
      type: 'realtime',
      keywords: '废气, 异味, 烟尘, 冒黑烟, 刺鼻气味, 粉尘',
      group: '散乱污',
    });
    const { doc } = await getXml('/services.xml');
    expect(doc.services.service).toHaveLength(body.length);
    expect(doc.services.service[0]).toEqual({ ...body[0], metadata: 'false' });
  });

  it("answers a definition with no attributes, and 404 in the spec's error shape for an unknown code", async () => {
    expect((await getJson('/services/air.json')).body).toEqual({ service_code: 'air', attributes: [] });
    const { doc, text } = await getXml('/services/air.xml');
    expect(doc.service_definition).toEqual({ service_code: 'air', attributes: '' });
    expect(text).toContain('<attributes/>');
    const missing = await getJson('/services/nosuch.json');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual([{ code: 404, description: '没有这个 service_code：nosuch' }]);
    const missingXml = await getXml('/services/nosuch.xml');
    expect(missingXml.status).toBe(404);
    expect(missingXml.doc.errors.error).toEqual([{ code: '404', description: '没有这个 service_code：nosuch' }]);
    expect((await get('/services.html')).status).toBe(404);
    expect((await get('/services/air')).status).toBe(404);
  });
});

const ids = (list: { service_request_id: string }[]) => list.map((r) => r.service_request_id);
const idOf = (c: { id: number }) => String(c.id);

describe('GET requests', () => {
  it('lists moderated requests of the last 90 days, newest first, with public fields only', async () => {
    const { status, body } = await getJson('/requests.json');
    expect(status).toBe(200);
    expect(ids(body)).toEqual([resolved, assigned, accepted].map(idOf)); // not submitted, rejected, nor 120 days old
    const FIELDS = [
      'address',
      'agency_responsible',
      'description',
      'expected_datetime',
      'lat',
      'long',
      'requested_datetime',
      'service_code',
      'service_name',
      'service_notice',
      'service_request_id',
      'status',
      'status_notes',
      'updated_datetime',
    ];
    for (const r of body) {
      expect(Object.keys(r).sort()).toEqual(FIELDS);
      expect(r.status).toMatch(/^(open|closed)$/);
      expect(r.requested_datetime).toMatch(W3C);
      expect(r.updated_datetime).toMatch(W3C);
      expect(Date.parse(r.updated_datetime)).toBeGreaterThanOrEqual(Date.parse(r.requested_datetime));
      expect(r.description).toBe(PUBLIC_DESCRIPTION); // the resident's words, the phone in them removed
      expect(r.service_notice).toBeNull();
      expect(typeof r.lat).toBe('number');
      expect(typeof r.long).toBe('number');
      expect(r.address).toBe('竹林村, 青溪镇');
    }
    const [res, asg, acc] = body;
    expect(acc).toMatchObject({
      status: 'open',
      status_notes: '已受理',
      service_code: 'air',
      service_name: '废气/异味/烟尘',
      agency_responsible: '青溪镇整治办',
    });
    expect(acc.expected_datetime).toMatch(W3C);
    expect(acc.requested_datetime).toBe(
      `${new Date(rowOf(accepted.trackingCode).createdAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`,
    );
    expect(asg).toMatchObject({
      status: 'open',
      status_notes: '已交办属地处理',
      service_code: 'noise',
      agency_responsible: '竹林村、生态环境',
    });
    expect(res).toMatchObject({
      status: 'closed',
      status_notes: '已办结',
      agency_responsible: '竹林村',
      expected_datetime: null,
    });
    // The village's centre, the same for every request there, never the reported point.
    expect(new Set(body.map((r: { lat: number; long: number }) => `${r.lat},${r.long}`)).size).toBe(1);
    expect(Math.abs(acc.lat - Number(exactLat)) + Math.abs(acc.long - Number(exactLng))).toBeGreaterThan(0.0005);

    const { doc } = await getXml('/requests.xml');
    const asXml = (r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)]));
    expect(doc.service_requests.request).toEqual(body.map(asXml));
  });

  it('filters by status, service_code, start and end date, and by a list of ids that overrides the rest', async () => {
    expect(ids((await getJson('/requests.json?status=open')).body)).toEqual([assigned, accepted].map(idOf));
    expect(ids((await getJson('/requests.json?status=closed')).body)).toEqual([idOf(resolved)]);
    expect(ids((await getJson('/requests.json?status=open,closed&service_code=noise,water')).body)).toEqual([
      idOf(assigned),
    ]);
    const start = new Date(oldCreated.getTime() - DAY).toISOString();
    const end = new Date(oldCreated.getTime() + DAY).toISOString();
    expect(ids((await getJson(`/requests.json?start_date=${start}&end_date=${end}`)).body)).toEqual([idOf(old)]);
    expect(ids((await getJson(`/requests.json?start_date=${start}&service_code=water`)).body)).toEqual([idOf(old)]);
    const { doc } = await getXml(
      `/requests.xml?start_date=${encodeURIComponent(start.replace('Z', '+00:00'))}&status=open`,
    );
    expect(doc.service_requests.request.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([
      idOf(old),
    ]);
    expect((await getJson('/requests.json?service_code=resumed')).body).toEqual([]);
    // "Optional" in the spec: an empty argument is the same as none.
    expect(ids((await getJson('/requests.json?status=&service_code=&start_date=')).body)).toEqual(
      [resolved, assigned, accepted].map(idOf),
    );
    const byIds = await getJson(
      `/requests.json?service_request_id=${submitted.id},${rejected.id},${old.id}&status=closed&service_code=noise`,
    );
    expect(ids(byIds.body)).toEqual([old, rejected, submitted].map(idOf));
    expect(
      byIds.body.find((r: { service_request_id: string }) => r.service_request_id === idOf(rejected)),
    ).toMatchObject({ status: 'closed', status_notes: '不予受理：信息不全无法核实' });
  });

  it('takes list arguments repeated, comma-separated or both; refuses another argument given two values', async () => {
    const all = [resolved, assigned, accepted].map(idOf);
    expect(ids((await getJson('/requests.json?status=open&status=closed')).body)).toEqual(all);
    expect(ids((await getJson('/requests.json?status=closed&status=open,closed')).body)).toEqual(all);
    expect(ids((await getJson('/requests.json?service_code=noise&service_code=air')).body)).toEqual(all);
    expect(ids((await getJson('/requests.json?service_code=noise&service_code=water,waste')).body)).toEqual([
      idOf(assigned),
    ]);
    expect(ids((await getJson('/requests.json?status=open&status=&service_code=air')).body)).toEqual([idOf(accepted)]);
    expect(
      ids(
        (await getJson(`/requests.json?service_request_id=${old.id}&service_request_id=${submitted.id},${accepted.id}`))
          .body,
      ),
    ).toEqual([old, accepted, submitted].map(idOf));
    // The same value twice is one value.
    expect(ids((await getJson('/requests.json?page_size=2&page_size=2')).body)).toEqual(all.slice(0, 2));
    for (const [query, message] of [
      ['status=open&status=pending', /status 只能是 open 或 closed/],
      ['page_size=2&page_size=3', /参数 page_size 只能给一个值（收到 2 个）/],
      ['start_date=2026-11-01&start_date=2026-11-02', /参数 start_date 只能给一个值/],
    ] as const) {
      const { status, doc } = await getXml(`/requests.xml?${query}`);
      expect(status, query).toBe(400);
      expect(doc.errors.error[0].description).toMatch(message);
    }
  });

  it('answers a poll of thousands of ids (newest first, in chunks); refuses more than MAX_IDS clearly', async () => {
    const known = seeded.map(idOf);
    // 2,000 ids as FixMyStreet polls them: the known ones scattered among ids that do not exist.
    const poll = Array.from({ length: 2000 }, (_, i) => String(100_000 + i * 7));
    poll.splice(3, 0, known[0]!);
    poll.splice(777, 0, known[1]!, known[2]!);
    poll.push(...known.slice(3), known[0]!); // a repeated id is answered once
    const { status, body } = await getJson(`/requests.json?service_request_id=${poll.join(',')}`);
    expect(status).toBe(200);
    expect(ids(body)).toEqual([...seeded].sort((a, b) => b.id - a.id).map(idOf));
    const { doc } = await getXml(`/requests.xml?service_request_id=${poll.join('%2C')}`);
    expect(doc.service_requests.request).toHaveLength(seeded.length);
    const tooMany = Array.from({ length: MAX_IDS + 1 }, (_, i) => String(i + 1)).join(',');
    const refused = await getXml(`/requests.xml?service_request_id=${tooMany}`);
    expect(refused.status).toBe(400);
    expect(refused.doc.errors.error[0].description).toBe(`一次最多查询 ${MAX_IDS} 个 service_request_id，请分批查询`);
  });

  it('pages with page and page_size (at most 1000)', async () => {
    const first = await getJson('/requests.json?page_size=2');
    const second = await getJson('/requests.json?page_size=2&page=2');
    expect(ids(first.body)).toEqual([resolved, assigned].map(idOf));
    expect(ids(second.body)).toEqual([idOf(accepted)]);
    expect((await getJson('/requests.json?page_size=2&page=3')).body).toEqual([]);
  });

  it("refuses malformed arguments with 400 and Chinese descriptions, in the path's format", async () => {
    const cases: [string, RegExp][] = [
      ['status=pending', /status 只能是 open 或 closed/],
      ['start_date=2026-13-40', /W3C/],
      ['start_date=2026-11-01T08:00:00', /时区/], // a time without its zone is ambiguous
      ['start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z', /不能超过 90 天/],
      ['start_date=2026-06-01T00:00:00Z&end_date=2026-05-01T00:00:00Z', /不能晚于/],
      ['page_size=1001', /1 到 1000/],
      ['page=0', /1 到 1000000 之间的整数/],
      ['page=99999999999999999999', /1 到 1000000 之间的整数/],
      ['start_date=2026-02-30T00:00:00Z', /start_date/],
      ['service_request_id=abc', /service_request_id 格式不正确/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await getJson(`/requests.json?${query}`);
      expect(status, query).toBe(400);
      expect(body[0].code).toBe(400);
      expect(body[0].description).toMatch(message);
      const x = await getXml(`/requests.xml?${query}`);
      expect(x.status).toBe(400);
      expect(x.doc.errors.error[0].description).toMatch(message);
    }
    // Many clients leave the "+" of a time zone unencoded; it arrives as a space.
    expect((await getJson('/requests.json?start_date=2026-11-01T00:00:00+08:00')).status).toBe(200);
  });

  it('answers one request by id in both formats; an unknown id, or a tracking code, is 404', async () => {
    const one = await getJson(`/requests/${accepted.id}.json`);
    expect(one.status).toBe(200);
    expect(one.body).toHaveLength(1);
    expect(one.body[0]).toMatchObject({
      service_request_id: idOf(accepted),
      status: 'open',
      description: PUBLIC_DESCRIPTION,
    });
    const { doc } = await getXml(`/requests/${accepted.id}.xml`);
    expect(doc.service_requests.request[0]).toMatchObject({
      service_request_id: idOf(accepted),
      status: 'open',
      description: PUBLIC_DESCRIPTION,
    });
    // Unmoderated ones are found by id (a client follows what it filed) but never listed.
    expect((await getJson(`/requests/${submitted.id}.json`)).body[0]).toMatchObject({
      status: 'open',
      status_notes: '已提交，待受理',
      agency_responsible: '青溪镇整治办',
    });
    for (const path of [
      '/requests/99999.json',
      `/requests/${accepted.trackingCode}.json`,
      '/requests/1.txt',
      '/tokens/1.json',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
    }
    expect((await getJson(`/requests/${accepted.trackingCode}.json`)).body).toEqual([
      { code: 404, description: `没有这个 service_request_id：${accepted.trackingCode}` },
    ]);
  });
});

describe('POST requests', () => {
  const fields = (over: Record<string, string> = {}) => ({
    api_key: key.key,
    jurisdiction_id: 'qingxi',
    service_code: 'waste',
    lat: String(ZHULIN.lat + 0.0007),
    long: String(ZHULIN.lng + 0.0004),
    description: '塑料作坊在河边露天焚烧垃圾，浓烟很大。',
    ...over,
  });

  it('names in its notice the township the point lies in, the office whose queue it joined (issue 14)', async () => {
    const notice = async (lat: number, lng: number) => {
      const res = await postRequest('json', fields({ lat: String(lat), long: String(lng) }));
      expect(res.status).toBe(201);
      return (await res.json())[0].service_notice as string;
    };
    expect(await notice(ZHULIN.lat + 0.0007, ZHULIN.lng + 0.0004)).toContain('进入青溪镇整治办受理队列');
    const shiqiao = cellCenter(-1, 1);
    expect(await notice(shiqiao.lat, shiqiao.lng)).toContain('进入石桥镇整治办受理队列');
  });

  it('files into the same moderation queue as the site, and a GET by the new id finds it (JSON)', async () => {
    const res = await postRequest(
      'json',
      fields({
        first_name: '三',
        last_name: '张',
        phone: '139 0000 1111',
        email: 'zhangsan@example.com',
        media_url: 'https://example.com/p.jpg',
        address_string: '竹林村河边',
      }),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await res.json();
    expect(body).toEqual([
      { service_request_id: expect.stringMatching(/^\d+$/), service_notice: expect.any(String), account_id: null },
    ]);
    const id = Number(body[0].service_request_id);
    const row = ctx.db.select().from(complaints).where(eq(complaints.id, id)).get()!;
    expect(row).toMatchObject({
      source: 'api',
      status: 'submitted',
      address: '竹林村河边',
      description: '塑料作坊在河边露天焚烧垃圾，浓烟很大。',
    });
    // The tracking code is the reporter's, handed to the filing app only; e-mail and media_url are not kept.
    expect(body[0].service_notice).toContain(`${row.trackingCode.slice(0, 5)}-${row.trackingCode.slice(5)}`);
    expect(body[0].service_notice).toMatch(/media_url/);
    expect(body[0].service_notice).toMatch(/电子邮箱/);
    expect(ctx.db.select().from(complaintContacts).where(eq(complaintContacts.complaintId, id)).get()).toMatchObject({
      name: '张三',
      phone: '13900001111',
    });
    expect(JSON.stringify(ctx.db.select().from(complaints).where(eq(complaints.id, id)).get())).not.toContain(
      'zhangsan@example.com',
    );
    expect(ctx.db.select().from(apiSubmissions).where(eq(apiSubmissions.complaintId, id)).get()).toEqual({
      complaintId: id,
      apiKeyId: key.id,
    });
    expect(ctx.db.select().from(apiKeys).where(eq(apiKeys.id, key.id)).get()!.lastUsedAt).toBeInstanceOf(Date);

    const back = await getJson(`/requests/${id}.json`);
    expect(back.status).toBe(200);
    expect(back.body[0]).toMatchObject({
      service_request_id: String(id),
      status: 'open',
      service_code: 'waste',
      description: null,
      address: '竹林村, 青溪镇',
    });
    expect(ids((await getJson('/requests.json')).body)).not.toContain(String(id)); // not moderated yet

    const queue = await app.request('/api/admin/complaints?status=submitted', { headers: { cookie: shouli } });
    expect((await queue.json()).rows.map((r: { id: number }) => r.id)).toContain(id);
    const detail = await app.request(`/api/admin/complaints/${id}`, { headers: { cookie: shouli } });
    const seen = await detail.text();
    expect(JSON.parse(seen).complaint).toMatchObject({ id, source: 'api' });
    expect(seen).not.toContain(row.trackingCode); // the reporter's key, never on a staff screen
  });

  it('answers in XML for requests.xml, anonymous without a name or phone, and round-trips in XML', async () => {
    const res = await postRequest('xml', fields({ service_code: 'noise' }));
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('<account_id/>');
    const request = xml.parse(text).service_requests.request[0];
    expect(request).toEqual({
      service_request_id: expect.stringMatching(/^\d+$/),
      service_notice: expect.stringContaining('查询码'),
      account_id: '',
    });
    const id = Number(request.service_request_id);
    expect(ctx.db.select().from(complaintContacts).where(eq(complaintContacts.complaintId, id)).get()).toBeUndefined();
    const { doc } = await getXml(`/requests/${id}.xml`);
    expect(doc.service_requests.request[0]).toMatchObject({
      service_request_id: String(id),
      status: 'open',
      service_code: 'noise',
      description: '',
    });
  });

  it("applies the site's validation with its Chinese messages (400), and 404 for an unknown service_code", async () => {
    const before = complaintCount();
    const site = async (over: Record<string, string>) => {
      const r = await app.request('/api/complaints', { method: 'POST', body: reportForm(over) });
      expect(r.status).toBe(400);
      return (await r.json()).error.message as string;
    };
    const cases: [Record<string, string>, Record<string, string>][] = [
      [
        { lat: '48.85', long: '2.35' },
        { lat: '48.85', lng: '2.35' },
      ], // Paris: outside China
      [{ description: '  ' }, { description: '  ' }],
      [{ description: '太短了' }, { description: '太短了' }],
      [{ description: '长'.repeat(2001) }, { description: '长'.repeat(2001) }],
      [{ lat: 'north' }, { lat: 'north' }],
      [{ service_code: '' }, { category: '' }],
      [{ phone: '12345' }, { anonymous: '0', phone: '12345' }],
    ];
    for (const [open311, web] of cases) {
      const expected = await site(web);
      const res = await postRequest('json', fields(open311));
      expect(res.status, JSON.stringify(open311)).toBe(400);
      const body = await res.json();
      expect(body.map((e: { description: string }) => e.description)).toContain(expected);
      expect(body.every((e: { code: number }) => e.code === 400)).toBe(true);
    }
    // Neither a point nor an address (one with an address only is filed: open311-address-only.test.ts).
    const { long: _long, lat: _lat, ...noPoint } = fields();
    const point = await postRequest('xml', noPoint);
    expect(point.status).toBe(400);
    expect(xml.parse(await point.text()).errors.error[0].description).toBe(
      '请提供 lat 和 long（WGS-84 经纬度），或 address_string（地址描述）',
    );
    const unknown = await postRequest('json', fields({ service_code: 'graffiti' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual([{ code: 404, description: await site({ category: 'graffiti' }) }]);
    // A field given twice is refused by name, never cut to one of its values.
    const twice = new URLSearchParams(fields());
    twice.append('media_url', 'https://example.com/a.jpg');
    twice.append('media_url', 'https://example.com/b.jpg');
    const repeated = await app.request(`${BASE}/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: twice.toString(),
    });
    expect(repeated.status).toBe(400);
    expect((await repeated.json())[0].description).toBe('media_url提交了不止一次');
    const asJson = await app.request(`${BASE}/requests.json`, { method: 'POST', ...json(fields()) });
    expect(asJson.status).toBe(400);
    expect((await asJson.json())[0].description).toMatch(/x-www-form-urlencoded/);
    expect(complaintCount()).toBe(before);
  });

  it('answers a broken multipart body with 400 in Open311 form, not a server error', async () => {
    const before = complaintCount();
    const res = await app.request(`${BASE}/requests.xml`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nabc',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(xml.parse(text).errors.error[0]).toEqual({
      code: '400',
      description: expect.stringMatching(/表单数据不完整/),
    });
    expect(complaintCount()).toBe(before);
  });

  it('refuses a cross-site browser post, while a server (no Origin) passes', async () => {
    const before = complaintCount();
    expect((await postRequest('json', fields(), { origin: 'https://evil.example' })).status).toBe(403);
    expect((await postRequest('json', fields(), { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(complaintCount()).toBe(before);
    expect((await postRequest('json', fields())).status).toBe(201);
  });
});

describe('rate limits', () => {
  it('limits keyed POSTs per key (OPEN311_KEY_RATE_LIMIT), never by the per-address limit residents fill', async () => {
    const limited = await freshContext({ REPORT_RATE_LIMIT: '2', OPEN311_KEY_RATE_LIMIT: '5', TRUST_PROXY: 'true' });
    const cookie = signIn(limited.ctx, 'admin');
    const issue = async (name: string) =>
      (
        await limited.app.request('/api/admin/api-keys', { method: 'POST', ...json({ name }, cookie) })
      ).json() as Promise<{ key: string }>;
    const [one, two] = [await issue('限流测试一'), await issue('限流测试二')];
    const body = {
      service_code: 'air',
      lat: String(ZHULIN.lat),
      long: String(ZHULIN.lng),
      description: '河边作坊排放黑烟，气味刺鼻难闻。',
    };
    const send = (ip: string, apiKey?: string) =>
      limited.app.request(
        `${BASE}/requests.json`,
        form(apiKey ? { ...body, api_key: apiKey } : body, { 'x-forwarded-for': ip }),
      );
    // Residents at the partner's address use up its per-address allowance with refused reports.
    for (let i = 0; i < 3; i++) {
      const site = await limited.app.request('/api/complaints', {
        method: 'POST',
        headers: { 'x-forwarded-for': '10.0.0.1' },
        body: reportForm({ description: '短' }),
      });
      expect([400, 429]).toContain(site.status);
    }
    expect((await send('10.0.0.1')).status).toBe(429); // no key: the address's limit
    for (let i = 0; i < 5; i++) expect((await send('10.0.0.1', one.key)).status).toBe(201);
    const over = await send('10.0.0.9', one.key); // another address does not reset the key's count
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await over.json())[0]).toEqual({
      code: 429,
      description: expect.stringMatching(/该 api_key 提交过于频繁/),
    });
    expect((await send('10.0.0.1', two.key)).status).toBe(201); // each key its own
    // Keyless attempts from elsewhere: the site's per-address limit, counted even when refused (403).
    expect((await send('10.0.3.1')).status).toBe(403);
    expect((await send('10.0.3.1')).status).toBe(403);
    const third = await send('10.0.3.1');
    expect(third.status).toBe(429);
    expect((await third.json())[0]).toEqual({ code: 429, description: expect.stringMatching(/^提交过于频繁/) });
  });
});

describe('errors on Open311 paths', () => {
  const errorsOf = async (res: Response, format: 'xml' | 'json') => {
    expect(res.headers.get('content-type')).toBe(
      format === 'xml' ? 'text/xml; charset=utf-8' : 'application/json; charset=utf-8',
    );
    const text = await res.text();
    if (format === 'json') return JSON.parse(text) as { code: number; description: string }[];
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<errors>')).toBe(true);
    return xml
      .parse(text)
      .errors.error.map((e: { code: string; description: string }) => ({ ...e, code: Number(e.code) }));
  };

  it("answers 404, 405, 413 and a refused cross-site post in the spec's shape, in the format of the path", async () => {
    for (const [path, init, status, format, message] of [
      ['/nothing.xml', {}, 404, 'xml', /没有这个接口资源/],
      ['/requests/1/2.xml', {}, 404, 'xml', /没有这个接口资源/],
      ['/nothing.json', {}, 404, 'json', /没有这个接口资源/],
      ['/requests', {}, 404, 'xml', /须以 .json 或 .xml 结尾/],
      ['/requests.xml', { method: 'PUT' }, 405, 'xml', /requests.xml 不接受 PUT 请求（只接受 GET, POST）/],
      ['/services.json', form({}), 405, 'json', /只接受 GET/],
      ['/discovery.xml', { method: 'DELETE' }, 405, 'xml', /只接受 GET/],
      ['/requests/1.xml', { method: 'PATCH' }, 405, 'xml', /只接受 GET/],
      [
        '/requests.xml',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(2 ** 30) },
        },
        413,
        'xml',
        /上限/,
      ],
      ['/requests.xml', form({ description: '长'.repeat(400_000) }), 413, 'xml', /过长|过大|上限/],
      ['/requests.xml', form({}, { origin: 'https://evil.example' }), 403, 'xml', /跨站/],
    ] as const) {
      const res = await app.request(`${BASE}${path}`, init as RequestInit);
      expect(res.status, `${init.method ?? 'GET'} ${path}`).toBe(status);
      const body = await errorsOf(res, format);
      expect(body[0]!.code).toBe(status);
      expect(body[0]!.description).toMatch(message);
      if (status === 405) expect(res.headers.get('allow')).toMatch(/^GET/);
    }
    // Outside v2, still under /api/open311/: no JSON of the rest of the API.
    const other = await app.request('/api/open311/v3/requests.xml');
    expect(other.status).toBe(404);
    expect((await errorsOf(other, 'xml'))[0]!.code).toBe(404);
    // The rest of the API keeps its own shape.
    expect(await (await app.request('/api/nothing')).json()).toEqual({ error: { message: '接口不存在' } });
  });

  it('answers a server error as Open311 XML, logging the stack only', async () => {
    const broken = await freshContext();
    broken.ctx.villageAreas = () => {
      throw new Error('boom');
    };
    const logged: unknown[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args) => void logged.push(...args));
    try {
      const res = await broken.app.request(`${BASE}/requests.xml`);
      expect(res.status).toBe(500);
      expect(await errorsOf(res, 'xml')).toEqual([{ code: 500, description: '服务器内部错误，请稍后再试' }]);
    } finally {
      spy.mockRestore();
    }
    expect(String(logged[0])).toMatch(/^\[open311\] GET \/api\/open311\/v2\/requests.xml failed/);
  });
});

describe('privacy', () => {
  it('never shows a contact, address, tracking code or the exact point in any GET answer', async () => {
    const everyId = seeded.map(idOf).join(',');
    const paths = [
      '/discovery.json',
      '/discovery.xml',
      '/services.json',
      '/services.xml',
      '/services/air.json',
      '/services/air.xml',
    ];
    for (const f of ['json', 'xml']) {
      paths.push(
        `/requests.${f}`,
        `/requests.${f}?status=closed`,
        `/requests.${f}?service_request_id=${everyId}`,
        `/requests.${f}?start_date=${new Date(Date.now() - 200 * DAY).toISOString()}` +
          `&end_date=${new Date(Date.now() - 111 * DAY).toISOString()}`,
      );
      for (const c of seeded) paths.push(`/requests/${c.id}.${f}`);
    }
    const secrets = [
      SECRET.name,
      SECRET.phone,
      SECRET.address,
      '13811112222',
      exactLat,
      exactLng,
      '张三',
      '13900001111',
      'zhangsan',
      '焚烧垃圾',
      ...seeded.map((c) => c.trackingCode),
    ];
    let answered = 0;
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      for (const secret of secrets) expect(text, `${path} shows ${secret}`).not.toContain(secret);
      answered += text.length;
    }
    expect(answered).toBeGreaterThan(5000);
  });
  it("describes accepted requests in the resident's words, redacted as cases are; others not at all", async () => {
    const own = await fileSite({
      description: `我是欧阳秘密，电话139-8765-4321，邮箱 ouyang.mimi@example.com，身份证 33010219800101123X，作坊夜里偷排废水。`,
    });
    await act(own.id, { action: 'accept' });
    const [one] = (await getJson(`/requests/${own.id}.json`)).body;
    expect(one.description).toBe(
      '我是某某，电话（电话已隐去），邮箱 （邮箱已隐去），身份证 （证件号码已隐去），作坊夜里偷排废水。',
    );
    // About an enterprise on file: its persons masked too, as on a typical case about it.
    const firm = ctx.db
      .insert(enterprises)
      .values({
        townshipId: rowOf(own.trackingCode).townshipId,
        villageId: zhulin,
        name: '钱大富塑料颗粒作坊',
        address: '竹林村工业路 3 号',
        personInCharge: '钱大富',
        status: 'listed',
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .returning()
      .get();
    const about = await fileSite({ description: `${firm.personInCharge}的作坊又开工了，气味很大。` });
    await act(about.id, { action: 'accept' });
    const linked = await app.request(`/api/admin/enterprises/${firm.id}/complaints`, {
      method: 'POST',
      ...json({ complaintIds: [about.id] }, shouli),
    });
    expect(linked.status).toBeLessThan(300);
    const [described] = (await getJson(`/requests/${about.id}.json`)).body;
    expect(described.description).not.toContain(firm.personInCharge);
    expect(described.description).toMatch(/某某的作坊又开工了/);
    // Not read by the office yet, refused, or merged: no description at all.
    for (const c of [submitted, rejected])
      expect((await getJson(`/requests/${c.id}.json`)).body[0].description).toBeNull();
  });
});

describe('XML serializer', () => {
  it('escapes markup, drops characters XML cannot carry, and writes empty elements for null and empty lists', () => {
    const out = toXml(
      'errors',
      [
        { code: 400, description: 'a<b>&"c"\'d\u0001e' },
        { code: 1, description: null },
      ],
      { errors: 'error' },
    );
    expect(out).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors>\n' +
        '  <error>\n    <code>400</code>\n' +
        '    <description>a&lt;b&gt;&amp;&quot;c&quot;&apos;de</description>\n  </error>\n' +
        '  <error>\n    <code>1</code>\n    <description/>\n  </error>\n</errors>\n',
    );
    expect(xml.parse(out).errors.error[0].description).toBe('a<b>&"c"\'de');
    expect(toXml('x', { list: [] }, { list: 'item' })).toContain('<list/>');
    expect(() => toXml('x', { list: [1] }, {})).toThrow(/item name/);
  });
});
