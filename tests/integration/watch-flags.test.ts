import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, townships, users, villages } from '../../db/schema.ts';
import { enterprises, revisits } from '../../db/schema-enforcement.ts';
import { notifications } from '../../db/schema-supervision.ts';
import { meterDaily, meters, powerFlags, type WatchRule } from '../../db/schema-watch.ts';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { dateOfDay, dayOf, dayOfDate } from '../../api/domain/watch/days.ts';
import { explainFlag } from '../../api/domain/watch/flag-explain.ts';
import { loadRuleParams } from '../../api/domain/watch/rule-params.ts';
import { nextFlagStatus } from '../../api/domain/watch/flag-workflow.ts';
import { suspectFileName } from '../../api/domain/watch/flag-decisions.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

const now = Date.parse('2026-06-02T02:00:00Z'); // 10:00 in Beijing, 2026-06-02
const { ctx, app } = await freshContext({}, { now: () => now });
const cookie = {
  admin: signIn(ctx, 'admin'),
  triage: signIn(ctx, 'shouli'),
  leader: signIn(ctx, 'lingdao'),
  village: signIn(ctx, 'zhulin'),
  department: signIn(ctx, 'shengtai'),
};
const ZHULIN = ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
const officer = ctx.db.select().from(users).where(eq(users.username, 'zhulin')).get()!;
const today = dayOf(now);
let serial = 0;

function addMeter(enterpriseId: number | null, tariff: 'residential' | 'industrial' = 'industrial') {
  return ctx.db
    .insert(meters)
    .values({
      townshipId: ZHULIN.townshipId,
      villageId: ZHULIN.id,
      enterpriseId,
      accountNo: `33010${String(++serial).padStart(5, '0')}`,
      tariff,
      address: `竹林村${serial}号`,
      updatedAt: new Date(now),
    })
    .returning()
    .get();
}
function addFlag(meter: typeof meters.$inferSelect, rule: WatchRule = 'cut_meter_use', strength = 2) {
  return ctx.db
    .insert(powerFlags)
    .values({
      rule,
      meterId: meter.id,
      enterpriseId: meter.enterpriseId,
      townshipId: meter.townshipId,
      villageId: meter.villageId,
      firstDay: today - 10,
      lastDay: today - 1,
      strength,
      evidence: { threshold: 5, flaggedDays: [today - 10, today - 5, today - 1] },
      detectedAt: new Date(now),
    })
    .returning()
    .get();
}
/** `days` daily readings up to yesterday, the i-th (oldest first) reading kwh(i). */
function addDaily(meterId: number, days: number, kwh: (i: number) => number) {
  const rows = Array.from({ length: days }, (_, i) => ({ meterId, day: today - days + i, kwh: kwh(i), importId: 1 }));
  ctx.db.insert(meterDaily).values(rows).run();
}
function addFile(name: string) {
  const r = insertEnterprise(
    ctx.db,
    { id: 1, displayName: '测试', townshipId: null },
    enterpriseInput.parse({ name, businessLicence: true, villageId: ZHULIN.id }),
    ctx.villageAreas(),
    new Date(now),
  );
  if (!r.ok) throw new Error(r.message);
  return r.id;
}
const act = (id: number, body: unknown, who = cookie.triage) =>
  app.request(`/api/admin/watch/flags/${id}/actions`, { method: 'POST', ...json(body, who) });
const get = (path: string, who = cookie.triage) => app.request(path, { headers: { cookie: who } });
const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
const flagRow = (id: number) => ctx.db.select().from(powerFlags).where(eq(powerFlags.id, id)).get()!;
const audits = (id: number) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.objectType, 'power_flag'), eq(auditLog.objectId, String(id))))
    .all();

describe('the flag workflow', () => {
  it('moves an open flag to confirmed or dismissed, and a decided one nowhere', () => {
    expect(nextFlagStatus('confirm', 'open')).toBe('confirmed');
    expect(nextFlagStatus('dismiss', 'open')).toBe('dismissed');
    for (const from of ['confirmed', 'dismissed'] as const) {
      expect(nextFlagStatus('confirm', from)).toBeNull();
      expect(nextFlagStatus('dismiss', from)).toBeNull();
    }
  });

  it('confirming opens a 回头看 with the chosen deadline and tells the village officer, in one step', async () => {
    const file = addFile('竹林恢复生产塑料厂');
    const flag = addFlag(addMeter(file));
    const res = await act(flag.id, { action: 'confirm', version: 1, dueOn: '2026-06-05', note: '夜查发现亮灯' });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.json();
    const row = flagRow(flag.id);
    expect(row).toMatchObject({ status: 'confirmed', version: 2, reason: '夜查发现亮灯', revisitId: body.revisitId });
    const visit = ctx.db.select().from(revisits).where(eq(revisits.id, body.revisitId)).get()!;
    expect(visit).toMatchObject({ enterpriseId: file, villageId: ZHULIN.id, status: 'scheduled', taskId: null });
    expect(visit.dueAt.toISOString()).toBe('2026-06-05T15:59:59.999Z'); // the end of 6 月 5 日 in Beijing
    const notice = ctx.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, officer.id), eq(notifications.dedupeKey, `power-flag:${flag.id}`)))
      .get()!;
    expect(notice.text).toContain('竹林恢复生产塑料厂');
    expect(notice.text).toContain('2026-06-05');
    expect(notice.link).toBe('/admin/revisits');
    expect(audits(flag.id)).toMatchObject([{ action: 'power_flag.confirm', reason: '夜查发现亮灯' }]);
    // The village officer finds the visit on his revisit list, and nothing of the flag.
    const list = await (await get('/api/admin/revisits', cookie.village)).json();
    expect(JSON.stringify(list)).toContain(`"id":${body.revisitId},`);
    expect((await get(`/api/admin/watch/flags/${flag.id}`, cookie.village)).status).toBe(403);
  });

  it('a second flag of the same file joins the 回头看 already scheduled, without a second notice', async () => {
    const meter = addMeter(addFile('竹林三标记铸造厂'));
    const [cut, night] = [addFlag(meter), addFlag(meter, 'night_use')];
    const first = await (await act(cut.id, { action: 'confirm', version: 1 })).json();
    const res = await act(night.id, { action: 'confirm', version: 1 });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).revisitId).toBe(first.revisitId);
    expect(flagRow(night.id)).toMatchObject({ status: 'confirmed', revisitId: first.revisitId });
    const visits = ctx.db.select().from(revisits).where(eq(revisits.enterpriseId, meter.enterpriseId!)).all();
    expect(visits).toHaveLength(1);
    const notices = ctx.db.select().from(notifications).where(eq(notifications.userId, officer.id)).all();
    expect(notices.filter((n) => n.dedupeKey === `power-flag:${night.id}`)).toEqual([]);
  });

  it('opens its own 回头看 beside the routine ones an acceptance scheduled, and tells the village', async () => {
    const meter = addMeter(addFile('竹林验收回访铸造厂'));
    const routine = ctx.db
      .insert(revisits)
      .values({ enterpriseId: meter.enterpriseId!, villageId: ZHULIN.id, dueAt: new Date(now + 90 * 86_400_000) })
      .returning()
      .get();
    const flag = addFlag(meter);
    const res = await act(flag.id, { action: 'confirm', version: 1 });
    expect(res.status, await res.clone().text()).toBe(200);
    const { revisitId } = (await res.json()) as { revisitId: number };
    expect(revisitId).not.toBe(routine.id);
    const notices = ctx.db.select().from(notifications).where(eq(notifications.userId, officer.id)).all();
    expect(notices.filter((n) => n.dedupeKey === `power-flag:${flag.id}`)).toHaveLength(1);
  });

  it('proposes a deadline 7 days on, and refuses one in the past or months away', async () => {
    const flag = addFlag(addMeter(addFile('竹林期限测试厂')));
    expect(await errorOf(await act(flag.id, { action: 'confirm', version: 1, dueOn: '2026-06-01' }))).toBe(
      '回头看期限不能早于今天',
    );
    expect(await errorOf(await act(flag.id, { action: 'confirm', version: 1, dueOn: '2026-09-01' }))).toContain(
      '回头看期限不能晚于',
    );
    expect(await errorOf(await act(flag.id, { action: 'confirm', version: 1, dueOn: '6月5日' }))).toContain(
      '回头看期限不是有效日期',
    );
    expect(flagRow(flag.id).status).toBe('open');
    const res = await act(flag.id, { action: 'confirm', version: 1, dueOn: '' });
    expect(res.status).toBe(200);
    const visit = ctx.db
      .select()
      .from(revisits)
      .where(eq(revisits.id, flagRow(flag.id).revisitId!))
      .get()!;
    expect(visit.dueAt.toISOString()).toBe('2026-06-09T15:59:59.999Z');
  });

  it('a meter without a file gets a suspect file in its village, linked to the meter, before the visit', async () => {
    const meter = addMeter(null, 'residential');
    const flag = addFlag(meter, 'house_factory');
    // A refused confirmation makes no file.
    expect((await act(flag.id, { action: 'confirm', version: 1, dueOn: '2026-05-30' })).status).toBe(400);
    const named = eq(enterprises.name, suspectFileName(meter.accountNo));
    expect(ctx.db.select().from(enterprises).where(named).all()).toEqual([]);
    const res = await act(flag.id, { action: 'confirm', version: 1 });
    expect(res.status, await res.clone().text()).toBe(200);
    const { enterpriseId, revisitId } = await res.json();
    const file = ctx.db.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).get()!;
    expect(file).toMatchObject({
      name: suspectFileName(meter.accountNo),
      villageId: ZHULIN.id,
      address: meter.address,
      revisitType: 4,
      status: 'listed',
    });
    expect(file.name).toBe(`疑似作坊（户号 ${meter.accountNo}）`);
    expect(ctx.db.select().from(meters).where(eq(meters.id, meter.id)).get()!.enterpriseId).toBe(enterpriseId);
    expect(flagRow(flag.id).enterpriseId).toBe(enterpriseId);
    expect(ctx.db.select().from(revisits).where(eq(revisits.id, revisitId)).get()!.enterpriseId).toBe(enterpriseId);
    // A second flag on the same meter goes to the same file.
    const again = addFlag(ctx.db.select().from(meters).where(eq(meters.id, meter.id)).get()!, 'jump_after_closure');
    const second = await (await act(again.id, { action: 'confirm', version: 1 })).json();
    expect(second.enterpriseId).toBe(enterpriseId);
  });

  it('dismissing needs a reason, and is audited with it', async () => {
    const flag = addFlag(addMeter(addFile('竹林排除测试厂')));
    for (const reason of [undefined, '', ' ', '好']) {
      const res = await act(flag.id, { action: 'dismiss', version: 1, reason });
      expect(res.status).toBe(400);
      expect(await errorOf(res)).toMatch(/排除理由/);
    }
    expect(flagRow(flag.id).status).toBe('open');
    const res = await act(flag.id, { action: 'dismiss', version: 1, reason: '已核实为装修临时用电' });
    expect(res.status).toBe(200);
    expect(flagRow(flag.id)).toMatchObject({ status: 'dismissed', reason: '已核实为装修临时用电', revisitId: null });
    expect(audits(flag.id)).toMatchObject([{ action: 'power_flag.dismiss', reason: '已核实为装修临时用电' }]);
  });

  it('a stale version or a decided flag is 409, and changes nothing', async () => {
    const flag = addFlag(addMeter(addFile('竹林并发测试厂')));
    // Detection updated the open flag (its numbers) after the page was read.
    ctx.db.update(powerFlags).set({ version: 2, strength: 3 }).where(eq(powerFlags.id, flag.id)).run();
    const stale = await act(flag.id, { action: 'confirm', version: 1 });
    expect(stale.status).toBe(409);
    expect(await errorOf(stale)).toContain('请刷新');
    expect((await act(flag.id, { action: 'dismiss', version: 2, reason: '正常生产用电' })).status).toBe(200);
    const decided = await act(flag.id, { action: 'confirm', version: 3 });
    expect(decided.status).toBe(409);
    expect(await errorOf(decided)).toBe('这条标记已排除，不能再确认并安排回头看');
    expect(flagRow(flag.id)).toMatchObject({ status: 'dismissed', revisitId: null, version: 3 });
    expect(ctx.db.select().from(revisits).where(eq(revisits.enterpriseId, flag.enterpriseId!)).all()).toEqual([]);
  });

  it('refuses a leader the decision, though he reads the flag', async () => {
    const flag = addFlag(addMeter(addFile('竹林领导只读厂')));
    expect((await get(`/api/admin/watch/flags/${flag.id}`, cookie.leader)).status).toBe(200);
    expect((await act(flag.id, { action: 'dismiss', version: 1, reason: '领导想排除' }, cookie.leader)).status).toBe(
      403,
    );
  });
});

describe('each rule’s confirmed/dismissed ratio', () => {
  it('counts open, confirmed and dismissed flags per rule, and the share confirmed of those decided', async () => {
    const stats = async () =>
      (
        (await (await get('/api/admin/watch/flags')).json()).rules as {
          rule: string;
          open: number;
          confirmed: number;
          dismissed: number;
          confirmedShare: number | null;
        }[]
      ).find((r) => r.rule === 'night_use')!;
    const before = await stats();
    const flags = Array.from({ length: 5 }, (_, i) => addFlag(addMeter(addFile(`竹林夜间比例${i}厂`)), 'night_use'));
    await act(flags[0]!.id, { action: 'confirm', version: 1 });
    await act(flags[1]!.id, { action: 'confirm', version: 1 });
    await act(flags[2]!.id, { action: 'confirm', version: 1 });
    await act(flags[3]!.id, { action: 'dismiss', version: 1, reason: '夜班为合法企业' });
    const after = await stats();
    expect(after.open - before.open).toBe(1);
    expect(after.confirmed - before.confirmed).toBe(3);
    expect(after.dismissed - before.dismissed).toBe(1);
    expect(after.confirmedShare).toBeCloseTo(after.confirmed / (after.confirmed + after.dismissed), 10);
    if (before.confirmed + before.dismissed === 0) expect(after.confirmedShare).toBe(0.75);
  });

  it('lists open flags first, strongest first, and filters by rule, status and village', async () => {
    const weak = addFlag(addMeter(addFile('竹林弱标记厂')), 'jump_after_closure', 1.1);
    const strong = addFlag(addMeter(addFile('竹林强标记厂')), 'jump_after_closure', 9);
    const rows = (await (await get('/api/admin/watch/flags?rule=jump_after_closure&status=')).json()).flags as {
      id: number;
      status: string;
      rule: string;
    }[];
    expect(rows.every((r) => r.rule === 'jump_after_closure')).toBe(true);
    const ids = rows.map((r) => r.id);
    expect(ids.indexOf(strong.id)).toBeLessThan(ids.indexOf(weak.id));
    const firstDecided = rows.findIndex((r) => r.status !== 'open');
    if (firstDecided >= 0) expect(rows.slice(firstDecided).every((r) => r.status !== 'open')).toBe(true);
    const open = (await (await get(`/api/admin/watch/flags?status=open&villageId=${ZHULIN.id}`)).json()).flags;
    expect(open.every((r: { status: string }) => r.status === 'open')).toBe(true);
    const maybe = await get('/api/admin/watch/flags?status=maybe');
    expect(maybe.status).toBe(400);
    expect(await errorOf(maybe)).toContain('状态参数有误');
    expect(await errorOf(await get('/api/admin/watch/flags?rule=abc'))).toContain('规则参数有误');
  });
});

describe('the flag page’s data', () => {
  it('carries the meter’s daily series around the flag, its threshold and the days flagged', async () => {
    const meter = addMeter(addFile('竹林曲线测试厂'));
    addDaily(meter.id, 30, (i) => (i >= 20 ? 40 : 1));
    const flag = addFlag(meter);
    const view = await (await get(`/api/admin/watch/flags/${flag.id}`)).json();
    expect(view.chart.days[0]).toBe(today - 30);
    expect(view.chart.lines[0].values.slice(19, 21)).toEqual([1, 40]);
    expect(view.chart.threshold.values[0]).toBe(5);
    const flaggedDays = view.chart.days.filter((_: number, i: number) => view.chart.flagged[i]);
    expect(flaggedDays).toEqual([today - 10, today - 5, today - 1]);
  });
});

describe('who may see flags', () => {
  it('gives village and department officers 403 on every watch route, and lets leaders read', async () => {
    const flag = addFlag(addMeter(addFile('竹林权限测试厂')));
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/watch/flags'],
      ['GET', `/api/admin/watch/flags/${flag.id}`],
      ['POST', `/api/admin/watch/flags/${flag.id}/actions`, { action: 'dismiss', version: 1, reason: '测试理由' }],
    ];
    for (const who of [cookie.village, cookie.department])
      for (const [method, path, body] of routes) {
        const res = await app.request(path, {
          method,
          ...json(body ?? {}, who),
          body: body ? JSON.stringify(body) : undefined,
        });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    expect(flagRow(flag.id).status).toBe('open');
    for (const path of ['/api/admin/watch/flags', `/api/admin/watch/flags/${flag.id}`])
      expect((await get(path, cookie.leader)).status).toBe(200);
  });

  it('keeps another township’s flags from the office: not listed, not counted, not found, not decided', async () => {
    const t = ctx.db
      .insert(townships)
      .values({ code: 'other-town', name: '邻镇', county: '测试县', province: '测试省' })
      .returning()
      .get();
    const v = ctx.db
      .insert(villages)
      .values({ townshipId: t.id, code: 'other-town-v', name: '邻镇一村', boundary: ZHULIN.boundary })
      .returning()
      .get();
    const before = (await (await get('/api/admin/watch/flags')).json()).rules;
    const meter = ctx.db
      .insert(meters)
      .values({ townshipId: t.id, villageId: v.id, accountNo: '99000000001', updatedAt: new Date(now) })
      .returning()
      .get();
    const flag = addFlag(meter);
    const list = await (await get('/api/admin/watch/flags')).json();
    expect(list.flags.map((f: { id: number }) => f.id)).not.toContain(flag.id);
    expect(list.rules).toEqual(before);
    expect((await get(`/api/admin/watch/flags/${flag.id}`)).status).toBe(404);
    expect((await act(flag.id, { action: 'dismiss', version: 1, reason: '不是本镇的' })).status).toBe(404);
    expect(flagRow(flag.id).status).toBe('open');
  });
});

describe('the sentence explaining a flag', () => {
  it('names the rule’s numbers, and leaves out a part whose numbers are missing', () => {
    const cut = dayOfDate('2026-05-01');
    const flag = {
      rule: 'cut_meter_use' as const,
      firstDay: cut + 5,
      lastDay: cut + 20,
      strength: 12.345,
      evidence: {
        threshold: 1,
        flaggedDays: [],
        cutDay: cut,
        daysUsed: 14,
        medianKwh: 12.3,
        maxKwh: 40,
        totalKwh: 180,
      },
    };
    expect(explainFlag(flag)).toBe(
      '断电已于 2026-05-01 经验收证实；此后 2026-05-06 至 2026-05-21 有 14 天日用电达到 1 kWh 以上' +
        '（中位数 12.3 kWh，最高 40 kWh，合计 180 kWh）。强度 12.35（1 表示刚达门槛，越大越异常）。',
    );
    const { totalKwh: _t, ...without } = flag.evidence;
    expect(explainFlag({ ...flag, evidence: without })).toBe(
      '断电已于 2026-05-01 经验收证实；此后 2026-05-06 至 2026-05-21 有 14 天日用电达到 1 kWh 以上。' +
        '强度 12.35（1 表示刚达门槛，越大越异常）。',
    );
  });
});

describe('the rules’ numbers', () => {
  const put = (rule: string, body: unknown, who = cookie.admin) =>
    app.request(`/api/admin/watch/rules/${rule}`, { method: 'PUT', ...json(body, who) });
  it('lets the admin change a rule’s numbers and switch it off, audited, for the next detection pass', async () => {
    const listed = await (await get('/api/admin/watch/rules', cookie.leader)).json();
    const night = listed.rules.find((r: { rule: string }) => r.rule === 'night_use');
    expect(night).toMatchObject({ enabled: true, params: { ratio: 1.5 } });
    const version = night.version;
    const res = await put('night_use', { version, enabled: 'false', params: { ...night.params, ratio: '2' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(loadRuleParams(ctx.db).night_use).toMatchObject({
      enabled: false,
      params: { ratio: 2 },
      version: version + 1,
    });
    const entry = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'watch_rule.update'), eq(auditLog.objectId, 'night_use')))
      .get()!;
    expect(entry.details).toMatchObject({ before: { enabled: true, ratio: 1.5 }, after: { enabled: false, ratio: 2 } });
    // The page read before the change is stale.
    expect((await put('night_use', { version, enabled: true, params: night.params })).status).toBe(409);
  });

  it('refuses a number out of its bounds with the field’s name, and anyone but the admin', async () => {
    const { version, params } = loadRuleParams(ctx.db).jump_after_closure;
    const bad = await put('jump_after_closure', { version, enabled: true, params: { ...params, k: 0.5 } });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toBe('MAD 倍数 k不能小于 1');
    const words = await put('jump_after_closure', { version, enabled: true, params: { ...params, k: '五' } });
    expect(await errorOf(words)).toBe('MAD 倍数 k须是数字');
    for (const who of [cookie.triage, cookie.leader, cookie.village, cookie.department])
      expect((await put('jump_after_closure', { version, enabled: true, params }, who)).status).toBe(403);
    expect((await get('/api/admin/watch/rules', cookie.village)).status).toBe(403);
    expect((await put('no_such_rule', { version, enabled: true, params })).status).toBe(404);
    expect(loadRuleParams(ctx.db).jump_after_closure.version).toBe(version);
  });
});

describe('the pages', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 180_000);
  afterAll(() => site?.close());
  const page = (path: string, who: string) =>
    fetch(`${site.base}${path}`, { headers: { cookie: who }, redirect: 'manual' });

  it('show the office the list, a flag with its chart and table, and the rules; a file its flags', async () => {
    const file = addFile('竹林页面测试厂');
    const meter = addMeter(file);
    addDaily(meter.id, 20, (i) => (i >= 10 ? 30 : 0.5));
    const flag = addFlag(meter, 'cut_meter_use', 99);
    const list = await (await page('/admin/watch', cookie.triage)).text();
    expect(list).toContain(`href="/admin/watch/flags/${flag.id}"`);
    expect(list).toContain('断电后仍用电');
    const view = await page(`/admin/watch/flags/${flag.id}`, cookie.triage);
    expect(view.status).toBe(200);
    const html = await view.text();
    expect(html).toContain('<svg');
    expect(html).toContain('id="confirm-form"');
    expect(html).toContain('id="dismiss-form"');
    expect(html).toContain(`<th scope="row">${dateOfDay(today - 5)}</th>`);
    const leader = await (await page(`/admin/watch/flags/${flag.id}`, cookie.leader)).text();
    expect(leader).toContain('<svg');
    expect(leader).not.toContain('id="confirm-form"');
    const rules = await (await page('/admin/watch/rules', cookie.admin)).text();
    expect(rules).toContain('id="form-night_use"');
    expect(rules).toContain('name="params.ratio"');
    expect(await (await page(`/admin/enterprises/${file}`, cookie.triage)).text()).toContain('id="power-flags"');
    const villageFile = await page(`/admin/enterprises/${file}`, cookie.village);
    expect(villageFile.status).toBe(200);
    expect(await villageFile.text()).not.toContain('用电监测');
  });

  it('refuse village and department officers every watch page, and leave the nav link out for them', async () => {
    const flag = addFlag(addMeter(addFile('竹林页面权限厂')));
    for (const who of [cookie.village, cookie.department]) {
      for (const path of ['/admin/watch', `/admin/watch/flags/${flag.id}`, '/admin/watch/rules'])
        expect((await page(path, who)).status, path).toBe(403);
      expect(await (await page('/admin/revisits', who)).text()).not.toContain('href="/admin/watch"');
    }
    expect(await (await page('/admin/revisits', cookie.leader)).text()).toContain('href="/admin/watch"');
  });
});
