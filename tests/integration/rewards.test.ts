import { and, asc, eq, like } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { expireRewards } from '../../api/domain/rewards/rewards.ts';
import { containsIdNumber } from '../../api/domain/rewards/reward-workflow.ts';
import { auditLog, complaints } from '../../db/schema.ts';
import { enterpriseComplaints, enterprises, tasks } from '../../db/schema-enforcement.ts';
import { rewards } from '../../db/schema-reporter.ts';
import { outboxMessages } from '../../db/schema-messages.ts';
import { loopContext, ZHULIN_POINT } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';
import { json } from '../helpers/staff.ts';

// A fake clock throughout: claim deadlines and the claim limit's window move with it.
const L = await loopContext();
const { ctx, app, clock, post, get, item, act, answer, errorOf, complaint, complaintAction } = L;
const DAY = 86_400_000;
const PHONE = '13600005555'; // what loopContext's reporter gave
beforeEach(() => {
  clock.now += DAY; // each test on a day of its own, so that filings are ordered
});

/** Accepted, assigned to 竹林村, signed, answered with an outcome and approved by the office. */
async function decided(id: number, outcome: 'stopped' | 'needs_case' | 'unfounded' = 'stopped') {
  await complaintAction(id, { action: 'accept' });
  await complaintAction(id, { action: 'assign', villageId: L.ids.zhulin, departmentIds: [] });
  const itemId = L.itemsOf(id)[0]!.id;
  expect((await act(itemId, { action: 'acknowledge' }, 'zhulin')).status).toBe(200);
  const res = await answer(itemId, { outcome }, 'zhulin');
  expect(res.status, await res.clone().text()).toBe(200);
  expect((await act(itemId, { action: 'approve' }, 'shouli')).status).toBe(200);
  expect(item(itemId).status).toBe('approved');
  expect(complaint(id).status).toBe('resolved');
}
/** A resident's report, 赵举报 with his phone, verified 属实. */
async function verified() {
  const c = await L.file();
  await decided(c.id);
  return c;
}
async function anonymousVerified() {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(ZHULIN_POINT.lat), lng: String(ZHULIN_POINT.lng), anonymous: '1' }),
  });
  const code = (await res.json()).trackingCode as string;
  const id = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
  await decided(id);
  return { id, code };
}

async function scheme(name: string, opts: { claimDays?: number; relapseEligible?: boolean } = {}) {
  const res = await post(
    '/api/admin/reward-schemes',
    { name, claimDays: opts.claimDays ?? 30, relapseEligible: opts.relapseEligible ?? true, active: true },
    'admin',
  );
  expect(res.status, await res.clone().text()).toBe(201);
  let { id, version } = (await res.json()) as { id: number; version: number };
  const tiers: number[] = [];
  // Shandong's three tiers.
  for (const [tier, amountYuan] of [
    ['一般线索', 500],
    ['重要线索', 1000],
    ['重大线索', 2000],
  ] as const) {
    const t = await post(`/api/admin/reward-schemes/${id}/tiers`, { version, name: tier, amountYuan }, 'admin');
    expect(t.status, await t.clone().text()).toBe(201);
    const body = (await t.json()) as { id: number; version: number };
    tiers.push(body.id);
    version = body.version;
    clock.now += 1; // each save its own version
  }
  return { id, tiers, version };
}
const main = await scheme('青山县有奖举报办法', { claimDays: 30 });
const TIER_1000 = main.tiers[1]!;

const propose = (id: number, tierId = TIER_1000, user = 'shouli') =>
  post(`/api/admin/complaints/${id}/reward`, { tierId, reason: '首位举报，经核查属实已制止' }, user);
const rewardOf = (complaintId: number) =>
  ctx.db.select().from(rewards).where(eq(rewards.complaintId, complaintId)).orderBy(asc(rewards.id)).all().at(-1)!;
const decide = (rewardId: number, body: Record<string, unknown>, user: string) =>
  post(
    `/api/admin/rewards/${rewardId}/actions`,
    { version: ctx.db.select().from(rewards).where(eq(rewards.id, rewardId)).get()!.version, ...body },
    user,
  );
const claim = (code: string, contact: string) =>
  app.request('/api/track/reward-claim', { method: 'POST', ...json({ code, contact }) });
const audits = (rewardId: number) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.objectType, 'reward'), eq(auditLog.objectId, String(rewardId))))
    .orderBy(asc(auditLog.id))
    .all();
/** Proposed by the office's 受理员, approved by the admin: the reward's id. */
async function approved(id: number, tierId = TIER_1000) {
  const p = await propose(id, tierId);
  expect(p.status, await p.clone().text()).toBe(201);
  const rewardId = ((await p.json()) as { id: number }).id;
  expect((await decide(rewardId, { action: 'approve' }, 'admin')).status).toBe(200);
  return rewardId;
}

/** An enterprise file in 竹林村 with these complaints linked to it. */
function enterpriseOf(ids: number[], name = `测试${ids.join('-')}号作坊`) {
  const c = complaint(ids[0]!);
  const { id } = ctx.db
    .insert(enterprises)
    .values({ townshipId: c.townshipId, villageId: L.ids.zhulin, name, updatedAt: new Date(clock.now) })
    .returning({ id: enterprises.id })
    .get();
  for (const complaintId of ids) link(id, complaintId);
  return id;
}
const link = (enterpriseId: number, complaintId: number) =>
  ctx.db
    .insert(enterpriseComplaints)
    .values({ complaintId, enterpriseId, linkedAt: new Date(clock.now) })
    .run();

describe('four-eyes: the proposer never approves his own proposal', () => {
  it('the proposer deciding: 403 in Chinese, nothing changes; another approves, setting the deadline', async () => {
    const c = await verified();
    const p = await propose(c.id);
    expect(p.status).toBe(201);
    const r = rewardOf(c.id);
    expect(r).toMatchObject({ status: 'proposed', amountYuan: 1000, version: 1 });

    const own = await decide(r.id, { action: 'approve' }, 'shouli');
    expect(own.status).toBe(403);
    expect(await errorOf(own)).toContain('不能审核自己申报的奖励');
    const ownReject = await decide(r.id, { action: 'reject', note: '金额不对' }, 'shouli');
    expect(ownReject.status).toBe(403);
    expect(rewardOf(c.id)).toMatchObject({ status: 'proposed', version: 1, decidedBy: null });

    const ok = await decide(r.id, { action: 'approve', note: '同意' }, 'admin');
    expect(ok.status, await ok.clone().text()).toBe(200);
    const after = rewardOf(c.id);
    expect(after).toMatchObject({ status: 'approved', decidedBy: L.userId('admin'), version: 2 });
    expect(after.claimDeadline!.getTime()).toBe(clock.now + 30 * DAY);
  });

  it('an approval tells a reporter who asked to be told, once, without amount or code; a rejection not', async () => {
    const form = { anonymous: '0', phone: '13600006666', email: 'jiang@example.com', notify: '1' };
    const filed = async () => {
      const p = ZHULIN_POINT;
      const res = await app.request('/api/complaints', {
        method: 'POST',
        body: reportForm({ lat: String(p.lat), lng: String(p.lng), ...form }),
      });
      const code = (await res.json()).trackingCode as string;
      const id = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
      await decided(id);
      return { id, code };
    };
    const told = (id: number) =>
      ctx.db
        .select()
        .from(outboxMessages)
        .where(and(eq(outboxMessages.causeId, String(id)), like(outboxMessages.template, 'reporter.rewarded.%')))
        .all();
    const yes = await filed();
    await approved(yes.id);
    expect(told(yes.id).map((m) => [m.template, m.recipient])).toEqual([
      ['reporter.rewarded.email', 'jiang@example.com'],
      ['reporter.rewarded.sms', '13600006666'],
    ]);
    for (const m of told(yes.id)) expect(JSON.stringify(m.params)).not.toMatch(/1000|1,000|元/);
    for (const m of told(yes.id)) expect(JSON.stringify(m.params)).not.toContain(yes.code);
    const no = await filed();
    expect((await propose(no.id)).status).toBe(201);
    expect((await decide(rewardOf(no.id).id, { action: 'reject', note: '线索不足' }, 'admin')).status).toBe(200);
    expect(told(no.id)).toEqual([]);
  });

  it('a save that names an older version is refused with 409 naming who changed it', async () => {
    const c = await verified();
    await propose(c.id);
    const r = rewardOf(c.id);
    expect((await decide(r.id, { action: 'reject', note: '证据不足，请补充' }, 'admin')).status).toBe(200);
    const stale = await post(`/api/admin/rewards/${r.id}/actions`, { action: 'approve', version: 1 }, 'admin');
    expect(stale.status).toBe(409);
    expect(await errorOf(stale)).toContain('管理员');
    // A rejected proposal may be proposed again (one live reward per complaint).
    expect((await propose(c.id, main.tiers[0])).status).toBe(201);
    expect((await propose(c.id)).status).toBe(409);
  });

  it('village, department and leader can neither propose nor decide; the leader reads', async () => {
    const c = await verified();
    for (const user of ['zhulin', 'shengtai', 'lingdao'])
      expect((await propose(c.id, TIER_1000, user)).status).toBe(403);
    await propose(c.id);
    const r = rewardOf(c.id);
    for (const user of ['zhulin', 'shengtai', 'lingdao'])
      expect((await decide(r.id, { action: 'approve' }, user)).status, user).toBe(403);
    for (const user of ['zhulin', 'shengtai']) {
      expect((await get('/api/admin/rewards', user)).status).toBe(403);
      expect((await get(`/api/admin/complaints/${c.id}/reward`, user)).status).toBe(403);
    }
    const list = await get('/api/admin/rewards', 'lingdao');
    expect(list.status).toBe(200);
    expect(JSON.stringify(await list.json())).not.toContain(PHONE);
    expect((await get(`/api/admin/complaints/${c.id}/reward`, 'lingdao')).status).toBe(200);
    expect((await post('/api/admin/reward-schemes', { name: '无权', claimDays: 30 }, 'shouli')).status).toBe(403);
  });
});

describe('first valid report only', () => {
  it('refuses an unverified report: still open, or resolved without a 属实 answer', async () => {
    const open = await L.file();
    expect(await errorOf(await propose(open.id))).toContain('尚未办结');
    const untrue = await L.file();
    await decided(untrue.id, 'unfounded');
    const res = await propose(untrue.id);
    expect(res.status).toBe(409);
    expect(await errorOf(res)).toContain('未经核实');
  });

  it('refuses a report merged into another', async () => {
    const target = await L.file();
    const dup = await L.file();
    await complaintAction(dup.id, { action: 'merge', targetId: target.id });
    expect(await errorOf(await propose(dup.id))).toContain('已合并');
  });

  it('the earliest verified report about the same enterprise wins; a later one is refused, also after', async () => {
    const first = await verified();
    clock.now += 3_600_000;
    const second = await verified();
    enterpriseOf([first.id, second.id]);
    const refused = await propose(second.id);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toContain(`#${first.id}`);
    expect((await propose(first.id)).status).toBe(201);
    expect(await errorOf(await propose(second.id))).toContain(`#${first.id}`);
  });

  it('an earlier report still being handled holds the decision; an earlier untrue one does not count', async () => {
    const earlier = await L.file();
    clock.now += 3_600_000;
    const later = await verified();
    enterpriseOf([earlier.id, later.id]);
    expect(await errorOf(await propose(later.id))).toContain('尚在办理');
    await decided(earlier.id, 'unfounded');
    expect((await propose(later.id)).status).toBe(201);
  });

  it('an earlier report merged into this one makes it not the first', async () => {
    const earlier = await L.file();
    clock.now += 3_600_000;
    const later = await L.file();
    await complaintAction(earlier.id, { action: 'merge', targetId: later.id });
    await decided(later.id);
    expect(await errorOf(await propose(later.id))).toContain(`#${earlier.id}`);
  });
});

describe('relapse reports (整治验收后又开工)', () => {
  /** An enterprise whose shutdown task was accepted yesterday, with a report filed before it and one after. */
  async function relapsed() {
    const before = await verified();
    const enterpriseId = enterpriseOf([before.id]);
    ctx.db
      .insert(tasks)
      .values({
        enterpriseId,
        villageId: L.ids.zhulin,
        type: 'shutdown',
        status: 'accepted',
        origin: 'complaint',
        villageLead: '周',
        townshipLead: '陈',
        dueAt: new Date(clock.now),
        acceptedAt: new Date(clock.now),
        updatedAt: new Date(clock.now),
      })
      .run();
    clock.now += DAY;
    const after = await verified();
    link(enterpriseId, after.id);
    return { before, after };
  }

  it('eligible only under a scheme that says so; the earlier round does not make it "not first"', async () => {
    const strict = await scheme('不奖励复发的方案', { relapseEligible: false });
    const { before, after } = await relapsed();
    expect((await propose(before.id)).status).toBe(201); // the first round's reward
    const panel = await (await get(`/api/admin/complaints/${after.id}/reward`, 'shouli')).json();
    expect(panel.eligibility).toMatchObject({ relapse: true, problems: [] });
    expect(panel.tiers.map((t: { id: number }) => t.id)).not.toContain(strict.tiers[0]);
    const refused = await propose(after.id, strict.tiers[0]);
    expect(refused.status).toBe(409);
    expect(await errorOf(refused)).toContain('不奖励复发举报');
    expect((await propose(after.id, TIER_1000)).status).toBe(201);
  });

  it('a report filed by 又开工了 (relapse_of_id) is a relapse report', async () => {
    const strict = await scheme('严格方案', { relapseEligible: false });
    const original = await verified();
    const again = await verified();
    ctx.db.update(complaints).set({ relapseOfId: original.id }).where(eq(complaints.id, again.id)).run();
    expect(await errorOf(await propose(again.id, strict.tiers[1]))).toContain('不奖励复发举报');
    expect((await propose(again.id, TIER_1000)).status).toBe(201);
  });
});

describe('claiming', () => {
  it('with the code and the phone given at filing (any spelling): claimed, then paid; every step audited', async () => {
    const c = await verified();
    const rewardId = await approved(c.id);
    const res = await claim(c.code.toLowerCase(), '+86 136-0000-5555');
    expect(res.status, await res.clone().text()).toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain(PHONE);
    expect(rewardOf(c.id)).toMatchObject({ status: 'claimed', claimedVia: 'code_and_contact' });
    expect(await errorOf(await claim(c.code, PHONE))).toContain('已经申领');

    const idNumber = '11010519491231002X';
    expect(containsIdNumber(idNumber)).toBe(true);
    const withId = await decide(rewardId, { action: 'pay', paymentRef: `身份证 ${idNumber}` }, 'shouli');
    expect(withId.status).toBe(400);
    expect(await errorOf(withId)).toContain('身份证号码');
    const pay = await decide(rewardId, { action: 'pay', paymentRef: '农行转账凭证 2026120300017' }, 'shouli');
    expect(pay.status, await pay.clone().text()).toBe(200);
    expect(rewardOf(c.id)).toMatchObject({
      status: 'paid',
      paidBy: L.userId('shouli'),
      paymentRef: '农行转账凭证 2026120300017',
      paidAt: new Date(clock.now),
    });
    const trail = audits(rewardId);
    expect(trail.map((a) => a.action)).toEqual(['reward.propose', 'reward.approve', 'reward.claim', 'reward.pay']);
    expect(trail.map((a) => a.actorId)).toEqual([L.userId('shouli'), L.userId('admin'), null, L.userId('shouli')]);
    expect(trail[2]!.actorLabel).toContain('举报人');
    for (const a of trail) {
      const text = JSON.stringify(a);
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain(c.code);
    }
  });

  it('a wrong contact gets the same answer as a wrong code; the code allows five tries an hour', async () => {
    const c = await verified();
    const rewardId = await approved(c.id);
    const unknown = await claim('23456-78923', PHONE);
    const wrong = await claim(c.code, '13600005556');
    expect(unknown.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(await errorOf(wrong)).toBe(await errorOf(unknown));
    for (let i = 0; i < 4; i++) await claim(c.code, `1370000000${i}`);
    const limited = await claim(c.code, PHONE); // the right one, after five tries
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(rewardOf(c.id).status).toBe('approved');
    expect(audits(rewardId).filter((a) => a.action === 'reward.claim_refused')).toHaveLength(5);
    clock.now += 3_600_000;
    expect((await claim(c.code, PHONE)).status).toBe(200);
  });

  it('each claim counts as a /track lookup from the address', async () => {
    const c = await verified();
    await approved(c.id);
    for (let i = 0; i < 120; i++) await app.request('/api/complaints/23456-78923');
    const res = await claim(c.code, PHONE);
    expect(res.status).toBe(429);
    expect(rewardOf(c.id).status).toBe('approved');
    clock.now += 60_000;
  });

  it('anonymous: told to come to the office, where the claim is recorded without an ID number', async () => {
    const c = await anonymousVerified();
    const rewardId = await approved(c.id);
    const online = await claim(c.code, PHONE);
    expect(online.status).toBe(400);
    expect(await errorOf(online)).toContain('到青溪镇整治办现场申领');
    const wrongCode = await decide(
      rewardId,
      { action: 'claimAtOffice', code: '23456-78923', idChecked: '已核验居民身份证原件' },
      'shouli',
    );
    expect(wrongCode.status).toBe(400);
    const withId = await decide(
      rewardId,
      { action: 'claimAtOffice', code: c.code, idChecked: '身份证 11010519491231002X 已核验' },
      'shouli',
    );
    expect([withId.status, await errorOf(withId)]).toEqual([400, expect.stringContaining('数据最小化')]);
    const ok = await decide(
      rewardId,
      { action: 'claimAtOffice', code: c.code, idChecked: '已核验居民身份证原件，本人领取' },
      'shouli',
    );
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(rewardOf(c.id)).toMatchObject({ status: 'claimed', claimedVia: 'office' });
    const row = audits(rewardId).at(-1)!;
    expect(row).toMatchObject({ action: 'reward.claim_office', reason: '已核验居民身份证原件，本人领取' });
    expect(JSON.stringify(row)).not.toContain(c.code);
  });

  it('expires claim_days after approval: refused online and at the office; the sweep writes it, audited', async () => {
    const c = await verified();
    const rewardId = await approved(c.id);
    clock.now += 30 * DAY - 1;
    const panel = await (await get('/api/admin/rewards', 'lingdao')).json();
    expect(panel.rewards.approved.map((r: { id: number }) => r.id)).toContain(rewardId);
    clock.now += 1;
    const late = await claim(c.code, PHONE);
    expect(late.status).toBe(409);
    expect(await errorOf(late)).toContain('已超过申领期限');
    const atOffice = await decide(
      rewardId,
      { action: 'claimAtOffice', code: c.code, idChecked: '已核验证件' },
      'shouli',
    );
    expect(atOffice.status).toBe(409);
    const listed = await (await get('/api/admin/rewards', 'shouli')).json();
    expect(listed.rewards.done.find((r: { id: number }) => r.id === rewardId).status).toBe('expired');
    expect(rewardOf(c.id).status).toBe('approved'); // read as expired, not yet written
    expect(expireRewards(ctx.db, new Date(clock.now))).toBeGreaterThanOrEqual(1);
    expect(rewardOf(c.id).status).toBe('expired');
    expect(audits(rewardId).at(-1)).toMatchObject({ action: 'reward.expire', actorId: null });
    expect(await errorOf(await propose(c.id))).toContain('已有奖励');
  });
});

describe('schemes', () => {
  it('a tier in use keeps its amount, is deactivated and never deleted; edits versioned and audited', async () => {
    const s = await scheme('档次测试方案');
    const c = await verified();
    expect((await propose(c.id, s.tiers[0])).status).toBe(201);
    const patch = (tierId: number, body: Record<string, unknown>) =>
      app.request(`/api/admin/reward-tiers/${tierId}`, { method: 'PATCH', ...json(body, L.cookie('admin')) });
    const del = (tierId: number, version: number) =>
      app.request(`/api/admin/reward-tiers/${tierId}`, { method: 'DELETE', ...json({ version }, L.cookie('admin')) });
    const changed = await patch(s.tiers[0]!, { version: s.version, name: '一般线索', amountYuan: 600, active: true });
    expect([changed.status, await errorOf(changed)]).toEqual([409, expect.stringContaining('停用')]);
    expect((await del(s.tiers[0]!, s.version)).status).toBe(409);
    const off = await patch(s.tiers[0]!, { version: s.version, name: '一般线索', amountYuan: 500, active: false });
    expect(off.status, await off.clone().text()).toBe(200);
    const { version } = await off.json();
    expect((await patch(s.tiers[0]!, { version: s.version, name: 'x', amountYuan: 500 })).status).toBe(409);
    expect((await del(s.tiers[2]!, version)).status).toBe(200);
    const bad = await post(
      `/api/admin/reward-schemes/${s.id}/tiers`,
      { version, name: '负数', amountYuan: '-5' },
      'admin',
    );
    expect([bad.status, await errorOf(bad)]).toEqual([400, expect.stringContaining('奖励金额')]);
    const actions = ctx.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.objectType, 'reward_tier'))
      .all()
      .map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['reward_tier.create', 'reward_tier.update', 'reward_tier.delete']));
  });
});
