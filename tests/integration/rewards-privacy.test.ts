import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../../api/domain/shared/time.ts';
import { complaints } from '../../db/schema.ts';
import { rewards } from '../../db/schema-reporter.ts';
import { loopContext, ZHULIN_POINT } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';
import { listenWithPages } from '../security/site-server.ts';

// A reward paid to a named reporter and one waiting for an anonymous one: none of it on any public page or API.
const L = await loopContext();
const { ctx, app, clock, post } = L;
const NAME = '钱奖金',
  PHONE = '13912345678',
  WRONG = '13911112222';
const SCHEME = '隐私测试奖励办法',
  TIER = '隐私档次甲',
  REASON = '隐私测试申报理由：首位举报属实',
  VOUCHER = '隐私凭证XYZ-778899';
const TRACES = [SCHEME, TIER, REASON, VOUCHER, '1,234.56', '1234.56', '举报奖励', '兑付', NAME, PHONE];

async function verifiedReport(fields: Record<string, string>) {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(ZHULIN_POINT.lat), lng: String(ZHULIN_POINT.lng), ...fields }),
  });
  expect(res.status).toBe(201);
  const code = (await res.json()).trackingCode as string;
  const id = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
  await L.complaintAction(id, { action: 'accept' });
  await L.complaintAction(id, { action: 'assign', villageId: L.ids.zhulin, departmentIds: [] });
  const item = L.itemsOf(id)[0]!.id;
  expect((await L.act(item, { action: 'acknowledge' }, 'zhulin')).status).toBe(200);
  expect((await L.answer(item, {}, 'zhulin')).status).toBe(200);
  expect((await L.act(item, { action: 'approve' }, 'shouli')).status).toBe(200);
  return { id, code };
}
const version = (id: number) => ctx.db.select().from(rewards).where(eq(rewards.id, id)).get()!.version;
async function approvedReward(complaintId: number, tierId: number) {
  const p = await post(`/api/admin/complaints/${complaintId}/reward`, { tierId, reason: REASON }, 'shouli');
  expect(p.status, await p.clone().text()).toBe(201);
  const { id } = (await p.json()) as { id: number };
  const a = await post(`/api/admin/rewards/${id}/actions`, { action: 'approve', version: 1 }, 'admin');
  expect(a.status).toBe(200);
  return id;
}

const s = await (await post('/api/admin/reward-schemes', { name: SCHEME, claimDays: 60 }, 'admin')).json();
const tier = await post(
  `/api/admin/reward-schemes/${s.id}/tiers`,
  { version: s.version, name: TIER, amountYuan: 1234.56 },
  'admin',
);
const tierId = ((await tier.json()) as { id: number }).id;
const named = await verifiedReport({ anonymous: '0', name: NAME, phone: PHONE });
const anonymous = await verifiedReport({ anonymous: '1' });
const namedReward = await approvedReward(named.id, tierId);
await approvedReward(anonymous.id, tierId);

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

const fetchPage = (path: string, init: RequestInit = {}) =>
  fetch(`${site.base}${path}`, { redirect: 'manual', ...init });
const claimForm = (code: string, contact: string) =>
  fetchPage('/track/reward', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code, contact }).toString(),
  });
const phoneForms = (p: string) => [
  p,
  `${p.slice(0, 3)} ${p.slice(3, 7)} ${p.slice(7)}`,
  `${p.slice(0, 3)}****${p.slice(7)}`,
];

describe('the reporter side: only the holder of the code sees the reward, and never the contact back', () => {
  it('the claim page refuses a wrong contact without showing it, and claims with the right one', async () => {
    const track = await (await fetchPage(`/track?code=${named.code}`)).text();
    expect(track).toContain('1,234.56 元');
    expect(track).toContain('申领奖励');
    for (const p of phoneForms(PHONE)) expect(track).not.toContain(p);

    const wrong = await claimForm(named.code, WRONG);
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain('查询码或联系方式不正确');
    expect(html.match(/查询码或联系方式不正确/g)).toHaveLength(1); // shown once, beside the field
    for (const p of [...phoneForms(WRONG), ...phoneForms(PHONE)]) expect(html).not.toContain(p);

    const right = await claimForm(named.code, `+86 ${PHONE.slice(0, 3)} ${PHONE.slice(3, 7)} ${PHONE.slice(7)}`);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe(`/track?code=${named.code}#reward`);
    const after = await (await fetchPage(`/track?code=${named.code}`)).text();
    expect(after).toContain('已于');
    expect(after).not.toContain('name="contact"');
    for (const p of phoneForms(PHONE)) expect(after).not.toContain(p);
    expect(after).not.toContain(NAME);
    expect(ctx.db.select().from(rewards).where(eq(rewards.id, namedReward)).get()!.status).toBe('claimed');

    const paid = await post(
      `/api/admin/rewards/${namedReward}/actions`,
      { action: 'pay', version: version(namedReward), paymentRef: VOUCHER },
      'shouli',
    );
    expect(paid.status).toBe(200);
  });

  it('an anonymous reporter sees the amount and is sent to the office: no form', async () => {
    const html = await (await fetchPage(`/track?code=${anonymous.code}`)).text();
    expect(html).toContain('1,234.56 元');
    expect(html).toContain('到青溪镇整治办现场申领');
    expect(html).not.toContain('name="contact"');
  });
});

describe('public surfaces say nothing of rewards or who was rewarded', () => {
  it('/, /cases, /stats, /results, feeds and Open311 requests carry no trace', async () => {
    const month = beijingDate(new Date(clock.now)).slice(0, 7);
    const paths = ['/', '/cases', '/stats', '/results', `/results/${month}`, '/feed.xml', '/sitemap.xml'];
    for (const format of ['json', 'xml']) {
      paths.push(`/api/open311/v2/requests.${format}?start_date=2000-01-01T00:00:00Z`);
      for (const id of [named.id, anonymous.id]) paths.push(`/api/open311/v2/requests/${id}.${format}`);
    }
    paths.push('/api/case-map');
    for (const path of paths) {
      const res = await fetchPage(path);
      expect(res.status, path).toBeLessThan(400);
      const body = await res.text();
      for (const trace of TRACES) expect(body, `${path} shows ${trace}`).not.toContain(trace);
    }
    // The requests themselves are there: the check looked at the right answers.
    const one = await (await fetchPage(`/api/open311/v2/requests/${named.id}.json`)).text();
    expect(one).toContain(`"service_request_id":"${named.id}"`);
  });

  it('staff: no panel for a village officer; leaders read it without the contact or the code', async () => {
    const cookie = (user: string) => ({ headers: { cookie: L.cookie(user) } });
    const village = await (await fetchPage(`/admin/complaints/${named.id}`, cookie('zhulin'))).text();
    expect(village).toContain(`举报 #${named.id}`);
    for (const trace of [SCHEME, TIER, VOUCHER, '举报奖励']) expect(village).not.toContain(trace);
    for (const path of [`/admin/complaints/${named.id}`, '/admin/rewards']) {
      const html = await (await fetchPage(path, cookie('lingdao'))).text();
      expect(html, path).toContain(TIER);
      const codes = [named.code, anonymous.code].flatMap((c) => [c, `${c.slice(0, 5)}-${c.slice(5)}`]);
      for (const secret of [...phoneForms(PHONE), NAME, ...codes]) expect(html, path).not.toContain(secret);
    }
  });
});
