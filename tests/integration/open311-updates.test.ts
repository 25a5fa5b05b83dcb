import { describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { MONDAY, loopContext, ZHULIN_POINT } from '../helpers/assignments.ts';
import { json, signIn } from '../helpers/staff.ts';

// "Closed, not fixed" as FixMyStreet reads it (perllib/Open311.pm map_state), and its
// servicerequestupdates extension: the public replies to a partner's requests, nothing else.
const L = await loopContext();
const { ctx, app, clock, act, answer, complaintAction } = L;
const BASE = '/api/open311/v2';
const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['request', 'request_update', 'error'].includes(name),
});
const DAY = 86_400_000;

async function issueKey(name: string): Promise<string> {
  const res = await app.request('/api/admin/api-keys', { method: 'POST', ...json({ name }, signIn(ctx, 'admin')) });
  expect(res.status).toBe(201);
  return (await res.json()).key;
}
const partner = await issueKey('县级 12345 平台');
const other = await issueKey('另一个平台');

/** A request the partner relays for a resident who gives his name and phone. */
async function relay(key = partner, description = '竹林村塑料作坊夜里冒黑烟，气味刺鼻。') {
  const res = await app.request(`${BASE}/requests.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      api_key: key,
      service_code: 'air',
      lat: String(ZHULIN_POINT.lat),
      long: String(ZHULIN_POINT.lng),
      first_name: '秘密',
      last_name: '欧阳',
      phone: '13987650000',
      description,
    }).toString(),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return Number((await res.json())[0].service_request_id);
}
const requestOf = async (id: number) => (await (await app.request(`${BASE}/requests/${id}.json`)).json())[0];
const updates = async (query: string) => {
  const res = await app.request(`${BASE}/servicerequestupdates.xml?${query}`);
  return { res, text: await res.clone().text(), doc: xml.parse(await res.text()) };
};
const at = (days: number) => new Date(MONDAY + days * DAY).toISOString();

// The story, a day a step: accepted with a reply naming the reporter, an internal note, assigned,
// the village finds nothing, the office approves; another refused as not ours; another merged.
clock.now = MONDAY;
const unfounded = await relay();
const refused = await relay();
const duplicate = await relay();
const onSite = (await L.file()).id; // filed on the site, not by the partner
const others = await relay(other);
clock.now = MONDAY + DAY;
await complaintAction(unfounded, { action: 'accept', reply: '欧阳秘密您好，已受理，请保持电话 13987650000 畅通。' });
await complaintAction(unfounded, { action: 'note', note: '内部：举报人是隔壁作坊老板，疑似报复' });
await complaintAction(refused, { action: 'reject', reason: '不属于受理范围', detail: '属交通噪声，请向交警反映' });
await complaintAction(duplicate, { action: 'merge', targetId: unfounded });
await complaintAction(onSite, { action: 'accept', reply: '站内举报的答复' });
await complaintAction(others, { action: 'accept', reply: '另一平台的答复' });
clock.now = MONDAY + 2 * DAY;
await complaintAction(unfounded, { action: 'assign', villageId: L.ids.zhulin, departmentIds: [] });
const [item] = L.itemsOf(unfounded).map((i) => i.id) as [number];
clock.now = MONDAY + 3 * DAY;
expect((await act(item, { action: 'acknowledge' }, 'zhulin')).status).toBe(200);
expect((await answer(item, { outcome: 'unfounded', finding: '现场未见生产' }, 'zhulin')).status).toBe(200);
expect((await act(item, { action: 'approve' }, 'shouli')).status).toBe(200);

describe('closed, not fixed', () => {
  it('keeps the spec status (closed) and says in status_notes what closed means', async () => {
    expect(await requestOf(unfounded)).toMatchObject({
      status: 'closed',
      status_notes: '已办结：经属地现场核查，未发现反映的问题',
    });
    expect(await requestOf(refused)).toMatchObject({ status: 'closed', status_notes: '不予受理：不属于受理范围' });
    expect(await requestOf(duplicate)).toMatchObject({
      status: 'closed',
      status_notes: `重复举报，已合并到 ${unfounded} 号举报一并办理（本条不单独处理）`,
    });
  });
});

describe('servicerequestupdates', () => {
  it("gives the partner each public step of its requests, FixMyStreet's extended statuses, oldest first", async () => {
    const { res, doc } = await updates(`api_key=${partner}&start_date=${at(0)}&end_date=${at(4)}&jurisdiction_id=qx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const list = doc.service_request_updates.request_update as Record<string, string>[];
    expect(list.map((u) => [Number(u.service_request_id), u.status])).toEqual([
      [unfounded, 'INVESTIGATING'],
      [refused, 'NOT_COUNCILS_RESPONSIBILITY'],
      [duplicate, 'DUPLICATE'],
      [unfounded, 'IN_PROGRESS'],
      [unfounded, 'NO_FURTHER_ACTION'],
    ]);
    for (const u of list) {
      expect(Object.keys(u).sort()).toEqual([
        'description',
        'media_url',
        'service_request_id',
        'status',
        'update_id',
        'updated_datetime',
      ]);
      expect(u.update_id).toMatch(/^\d+$/);
      expect(u.updated_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
      expect(u.media_url).toBe('');
    }
    const [accepted, rejected, merged, assigned, resolved] = list as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    // The reply as the reporter read it on /track, his name and phone taken out.
    expect(accepted.description).toBe('某某您好，已受理，请保持电话 （电话已隐去） 畅通。');
    expect(rejected.description).toBe('理由：不属于受理范围：属交通噪声，请向交警反映');
    expect(merged.description).toBe(`重复举报，已合并到 ${unfounded} 号举报一并办理（本条不单独处理）`);
    expect(assigned.description).toBe('已交办属地处理');
    expect(resolved.description).toMatch(/未发现您反映的问题/);
    expect(accepted.updated_datetime).toBe(`${new Date(MONDAY + DAY + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`);
  });

  it('never carries an internal note, the reporter, or another source’s requests', async () => {
    const { text } = await updates(`api_key=${partner}&start_date=${at(0)}&end_date=${at(4)}`);
    for (const secret of [
      '内部',
      '报复',
      '欧阳',
      '秘密',
      '13987650000',
      '站内举报',
      '另一平台',
      `<service_request_id>${onSite}<`,
    ])
      expect(text).not.toContain(secret);
    const theirs = await updates(`api_key=${other}&start_date=${at(0)}&end_date=${at(4)}`);
    expect(
      theirs.doc.service_request_updates.request_update.map((u: Record<string, string>) => u.service_request_id),
    ).toEqual([String(others)]);
  });

  it('reads the window FixMyStreet asks for, pages, and answers JSON', async () => {
    const day2 = await updates(`api_key=${partner}&start_date=${at(1.5)}&end_date=${at(2.5)}`);
    expect(day2.doc.service_request_updates.request_update.map((u: Record<string, string>) => u.status)).toEqual([
      'IN_PROGRESS',
    ]);
    const none = await updates(`api_key=${partner}&start_date=${at(10)}&end_date=${at(11)}`);
    expect(none.text).toContain('<service_request_updates/>');
    const res = await app.request(
      `${BASE}/servicerequestupdates.json?api_key=${partner}&start_date=${at(0)}&end_date=${at(4)}&page_size=2&page=2`,
    );
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await res.json()).map((u: { status: string }) => u.status)).toEqual(['DUPLICATE', 'IN_PROGRESS']);
  });

  it('needs a valid key, and refuses bad arguments and other methods in the spec’s error shape', async () => {
    for (const [query, status, message] of [
      [`start_date=${at(0)}`, 403, /缺少 api_key/],
      [`api_key=nope&start_date=${at(0)}`, 403, /api_key 无效/],
      [`api_key=${partner}&start_date=${at(5)}&end_date=${at(1)}`, 400, /start_date 不能晚于 end_date/],
      [`api_key=${partner}&start_date=yesterday`, 400, /W3C/],
      [`api_key=${partner}&start_date=${at(0)}&start_date=${at(1)}`, 400, /只能给一个值/],
    ] as const) {
      const { res, doc } = await updates(query);
      expect(res.status, query).toBe(status);
      expect(doc.errors.error[0]).toEqual({ code: String(status), description: expect.stringMatching(message) });
    }
    const post = await app.request(`${BASE}/servicerequestupdates.xml`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });
});
