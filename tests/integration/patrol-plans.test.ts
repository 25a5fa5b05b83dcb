import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseInput } from '../../api/domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../../api/domain/enforcement/enterprises.ts';
import { sortInTurns } from '../../api/domain/shared/sort-in-turns.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { dayOf } from '../../api/domain/watch/days.ts';
import { rank, rankInTurns } from '../../api/domain/enforcement/random-draw.ts';
import { planFrom, planInTurns } from '../../api/domain/watch/patrol-plan.ts';
import { riskRanking } from '../../api/domain/watch/risk-facts.ts';
import { type RiskFacts, riskScore } from '../../api/domain/watch/risk.ts';
import { complaintCategories, complaints, villages } from '../../db/schema.ts';
import { enterpriseComplaints, enterprises, nightPatrols, taskItems, tasks } from '../../db/schema-enforcement.ts';
import { meters, patrolPlans, powerFlags } from '../../db/schema-watch.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';

const now = Date.parse('2026-06-02T02:00:00Z'); // 10:00 in Beijing
const { ctx, app } = await freshContext({}, { now: () => now });
const cookie = {
  admin: signIn(ctx, 'admin'),
  triage: signIn(ctx, 'shouli'),
  village: signIn(ctx, 'zhulin'),
  department: signIn(ctx, 'shengtai'),
  leader: signIn(ctx, 'lingdao'),
};
const ZHULIN = ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
const TOWNSHIP = ctx.db.$client.prepare('select min(id) from townships').pluck().get() as number;
const actor = { id: 1, displayName: '测试', townshipId: null };
const ago = (days: number) => new Date(now - days * DAY_MS);
const site = cellCenter(1, 1);
const north = (m: number) => ({ lat: site.lat + m / 111_320, lng: site.lng });

let made = 0;
function file(fields: Partial<typeof enterprises.$inferInsert>) {
  const r = insertEnterprise(
    ctx.db,
    actor,
    enterpriseInput.parse({ name: `风险测试${++made}号作坊`, villageId: ZHULIN.id }),
    ctx.villageAreas(),
    new Date(now),
  );
  if (!r.ok) throw new Error(r.message);
  ctx.db.update(enterprises).set(fields).where(eq(enterprises.id, r.id)).run();
  return r.id;
}
function accepted(enterpriseId: number, type: 'shutdown' | 'relocate' | 'rectify', at: Date, cut = false) {
  const t = ctx.db
    .insert(tasks)
    .values({
      enterpriseId,
      villageId: ZHULIN.id,
      type,
      status: 'accepted',
      origin: 'survey',
      villageLead: '周',
      townshipLead: '王',
      dueAt: at,
      acceptedAt: at,
      updatedAt: at,
    })
    .returning({ id: tasks.id })
    .get();
  ctx.db
    .insert(taskItems)
    .values({ taskId: t.id, seq: 1, code: 'cut_power', label: '断电', doneAt: cut ? at : null })
    .run();
}
let account = 0;
function flag(
  enterpriseId: number | null,
  status: 'open' | 'confirmed' | 'dismissed',
  strength: number,
  lastDay: number,
) {
  const m = ctx.db
    .insert(meters)
    .values({
      townshipId: TOWNSHIP,
      villageId: ZHULIN.id,
      enterpriseId: enterpriseId ?? undefined,
      accountNo: `RISK-${++account}`,
      tariff: 'commercial',
      updatedAt: new Date(now),
    })
    .returning({ id: meters.id })
    .get();
  ctx.db
    .insert(powerFlags)
    .values({
      rule: 'jump_after_closure',
      meterId: m.id,
      // A house's flag carries no file until confirmed; its meter was linked to the file since.
      enterpriseId: status === 'open' && strength === 1.5 ? null : enterpriseId,
      townshipId: TOWNSHIP,
      villageId: ZHULIN.id,
      firstDay: lastDay - 3,
      lastDay,
      strength,
      evidence: {},
      status,
      detectedAt: new Date(now),
    })
    .run();
}
const category = ctx.db.select({ id: complaintCategories.id }).from(complaintCategories).get()!.id;
let filed = 0;
function complaint(at: { lat: number; lng: number }, daysAgo: number, status: 'accepted' | 'rejected' = 'accepted') {
  return ctx.db
    .insert(complaints)
    .values({
      trackingCode: `RISKTEST${String(++filed).padStart(4, '0')}`,
      townshipId: TOWNSHIP,
      villageId: ZHULIN.id,
      categoryId: category,
      ...at,
      description: '夜里机器响',
      status,
      dueAt: new Date(now),
      source: 'seed',
      createdAt: ago(daysAgo),
      updatedAt: ago(daysAgo),
    })
    .returning({ id: complaints.id })
    .get().id;
}

// Files whose scores are worked out by hand below (RISK_WEIGHTS in api/domain/watch/risk.ts).
const shutOn = file({ status: 'done', remediationType: 'shutdown' });
accepted(shutOn, 'shutdown', ago(180)); // 40 + 20 × ½ = 50
const shutCut = file({ status: 'done', remediationType: 'shutdown' });
accepted(shutCut, 'shutdown', ago(400)); // an older task: the last accepted one counts
accepted(shutCut, 'shutdown', ago(360), true); // 30 + 20 × ¼ = 35
const moved = file({ status: 'done', remediationType: 'relocate' });
accepted(moved, 'relocate', ago(0)); // 25 + 20 = 45
const working = file({ status: 'in_progress', remediationType: 'rectify' });
flag(working, 'open', 2, dayOf(now) - 10); // 10 × 2 = 20
flag(working, 'confirmed', 5, dayOf(now) - 1); // 15 × 3 (capped) = 45
flag(working, 'open', 1.5, dayOf(now)); // no file on the flag, the meter's: 10 × 1.5 = 15
flag(working, 'dismissed', 4, dayOf(now)); // never counts
flag(working, 'open', 4, dayOf(now) - 181); // outside the 180 days
// 20 + min(80, 60) = 80
const known = file({ status: 'listed', ...north(0) });
const near = complaint(north(200), 80); // 200 m, 80 days: counts
complaint(north(400), 10); // too far
complaint(north(100), 91); // too old
complaint(north(50), 5, 'rejected'); // rejected
const linkedFar = complaint(north(5_000), 30); // linked to the file, far away: counts
for (const c of [near, linkedFar]) // the near one linked too: counted once
  ctx.db
    .insert(enterpriseComplaints)
    .values({ complaintId: c, enterpriseId: known, linkedAt: new Date(now) })
    .run();
// 15 + 2 × 8 = 31
const legal = file({ status: 'done', remediationType: 'rectify' });
accepted(legal, 'rectify', ago(1)); // 5, no recency for a legal business

const HAND: Record<number, { score: number; parts: Record<string, number> }> = {
  [shutOn]: { score: 50, parts: { closure: 40, recency: 10, flags: 0, complaints: 0 } },
  [shutCut]: { score: 35, parts: { closure: 30, recency: 5, flags: 0, complaints: 0 } },
  [moved]: { score: 45, parts: { closure: 25, recency: 20, flags: 0, complaints: 0 } },
  [working]: { score: 80, parts: { closure: 20, recency: 0, flags: 60, complaints: 0 } },
  [known]: { score: 31, parts: { closure: 15, recency: 0, flags: 0, complaints: 16 } },
  [legal]: { score: 5, parts: { closure: 5, recency: 0, flags: 0, complaints: 0 } },
};

const post = (path: string, body: unknown, who = cookie.triage) =>
  app.request(path, { method: 'POST', ...json(body, who) });
const get = (path: string, who = cookie.triage) => app.request(path, { headers: { cookie: who } });

describe('relapse-risk score', () => {
  it('gives each file the points worked out by hand, with its parts', async () => {
    const rows = await riskRanking(ctx.db, TOWNSHIP, new Date(now));
    for (const [id, want] of Object.entries(HAND)) {
      const row = rows.find((r) => r.enterpriseId === Number(id))!;
      expect({ score: row.score, parts: row.parts }, `file ${id}`).toEqual(want);
    }
    expect(rows.find((r) => r.enterpriseId === known)!.complaintCount).toBe(2);
    expect(rows.find((r) => r.enterpriseId === working)!.flagCount).toBe(3);
    expect(rows.find((r) => r.enterpriseId === shutCut)!.kind).toBe('shutdown_power_cut');
  });

  it('orders files by score, equal scores by file number, and moves with the clock', async () => {
    const rows = await riskRanking(ctx.db, TOWNSHIP, new Date(now));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      expect(a.score > b.score || (a.score === b.score && a.enterpriseId < b.enterpriseId)).toBe(true);
    }
    const mine = rows.filter((r) => r.enterpriseId in HAND).map((r) => r.enterpriseId);
    expect(mine).toEqual([working, shutOn, moved, shutCut, known, legal]);
    // Half a year on: the relocation's recency has halved, the complaint of 80 days ago has left the window.
    const later = await riskRanking(ctx.db, TOWNSHIP, new Date(now + 180 * DAY_MS));
    expect(later.find((r) => r.enterpriseId === moved)!.parts.recency).toBe(10);
    expect(later.find((r) => r.enterpriseId === known)!.parts.complaints).toBe(0);
  });

  it('caps complaints at five and strength at three', () => {
    const facts: RiskFacts = {
      enterpriseId: 1,
      status: 'listed',
      closureType: null,
      closedAt: null,
      powerCutProven: false,
      flags: [{ status: 'open', strength: 9 }],
      complaints: 7,
    };
    expect(riskScore(facts, now)).toEqual({
      enterpriseId: 1,
      score: 85,
      parts: { closure: 15, recency: 0, flags: 30, complaints: 40 },
    });
  });
});

describe('night-patrol plan', () => {
  const scores = (n: number) => Array.from({ length: n }, (_, i) => ({ enterpriseId: i + 1, score: (i * 7) % 23 }));

  it('takes the top by score and draws the random share from the rest, whatever the input order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 100 }),
        fc.string(),
        (n, size0, percent, seed) => {
          const size = Math.min(size0, n);
          const cands = scores(n);
          const p = planFrom(cands, size, percent / 100, seed);
          const randomCount = Math.round((size * percent) / 100);
          expect(p.drawnIds).toHaveLength(randomCount);
          expect(p.rankedIds).toHaveLength(size - randomCount);
          const top = [...cands].sort((a, b) => b.score - a.score || a.enterpriseId - b.enterpriseId);
          expect(p.rankedIds).toEqual(top.slice(0, size - randomCount).map((c) => c.enterpriseId));
          expect(p.drawnIds.every((id) => !p.rankedIds.includes(id))).toBe(true);
          expect(new Set(p.drawnIds).size).toBe(randomCount);
          expect(planFrom([...cands].reverse(), size, percent / 100, seed)).toEqual(p);
        },
      ),
    );
  });

  it('draws the same in turns of the event loop as in one go', async () => {
    const ids = scores(3000).map((c) => c.enterpriseId);
    expect(await rankInTurns('turns', 'e', ids, 0)).toEqual(rank('turns', 'e', ids));
    expect(await planInTurns(scores(3000), 40, 0.25, 'turns')).toEqual(planFrom(scores(3000), 40, 0.25, 'turns'));
  });

  it('sorts in turns exactly as one stable sort does', async () => {
    const rows = Array.from({ length: 7000 }, (_, i) => ({ enterpriseId: i, score: (i * 7919) % 37 }));
    const byScore = (a: { score: number }, b: { score: number }) => b.score - a.score; // ties keep their order
    expect(await sortInTurns(rows, byScore)).toEqual([...rows].sort(byScore));
    expect(await sortInTurns([], byScore)).toEqual([]);
  });

  it('another seed draws another random share', () => {
    const a = planFrom(scores(200), 20, 0.5, 'seed-a');
    const b = planFrom(scores(200), 20, 0.5, 'seed-b');
    expect(a.rankedIds).toEqual(b.rankedIds);
    expect(a.drawnIds).not.toEqual(b.drawnIds);
  });

  it('is stored with its seed and candidates, and re-runs to the same plan after the files change', async () => {
    const res = await post('/api/admin/patrol-plans', { title: '六月第一周夜查', size: 5, randomPercent: 40 });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = await res.json();
    const stored = ctx.db.select().from(patrolPlans).where(eq(patrolPlans.id, id)).get()!;
    expect(stored.rankedIds).toHaveLength(3);
    expect(stored.drawnIds).toHaveLength(2);
    const ranking = await riskRanking(ctx.db, TOWNSHIP, new Date(now));
    expect(stored.rankedIds).toEqual(ranking.slice(0, 3).map((r) => r.enterpriseId));
    expect(stored.candidates).toHaveLength(ranking.length);
    // Parts of 0 are left out of the stored list.
    expect(stored.candidates.find((c) => c.enterpriseId === known)).toEqual({
      enterpriseId: known,
      score: 31,
      parts: { closure: 15, complaints: 16 },
    });
    expect(planFrom(stored.candidates, 5, 0.4, stored.seed)).toEqual({
      rankedIds: stored.rankedIds,
      drawnIds: stored.drawnIds,
    });
    // The file at the top is closed for good; the plan still re-runs from what it stored.
    ctx.db.update(enterprises).set({ status: 'listed' }).where(eq(enterprises.id, working)).run();
    const check = await (await get(`/api/admin/patrol-plans/${id}/verify`, cookie.leader)).json();
    expect(check.matches).toBe(true);
    expect(check.seed).toBe(stored.seed);
    const view = await (await get(`/api/admin/patrol-plans/${id}`, cookie.leader)).json();
    expect(view.items.map((i: { enterpriseId: number }) => i.enterpriseId)).toEqual([
      ...stored.rankedIds,
      ...stored.drawnIds,
    ]);
    expect(view.items.filter((i: { drawn: boolean }) => i.drawn)).toHaveLength(2);
    expect(view.candidates).toBeUndefined();
  });

  it('refuses, in Chinese naming the field, a plan larger than the files or a share out of range', async () => {
    const big = await post('/api/admin/patrol-plans', { title: '太大', size: 200, randomPercent: 10 });
    if ((await riskRanking(ctx.db, TOWNSHIP, new Date(now))).length < 200) {
      expect(big.status).toBe(400);
      expect((await big.json()).error.message).toMatch(/夜查户数不能超过/);
    }
    const share = await post('/api/admin/patrol-plans', { title: '比例错', size: 3, randomPercent: 120 });
    expect(share.status).toBe(400);
    expect(await share.text()).toContain('随机抽取比例');
  });

  it('links the night patrol that carried it out, once', async () => {
    const { id } = await (
      await post('/api/admin/patrol-plans', { title: '关联测试', size: 2, randomPercent: 50 })
    ).json();
    const patrol = ctx.db
      .insert(nightPatrols)
      .values({
        startedAt: ago(0),
        endedAt: ago(0),
        area: '竹林村',
        townshipId: TOWNSHIP,
        participants: [],
        createdBy: 1,
      })
      .returning({ id: nightPatrols.id })
      .get().id;
    expect((await post(`/api/admin/patrol-plans/${id}/patrol`, { patrolId: patrol }, cookie.leader)).status).toBe(403);
    expect((await post(`/api/admin/patrol-plans/${id}/patrol`, { patrolId: patrol })).status).toBe(200);
    expect((await post(`/api/admin/patrol-plans/${id}/patrol`, { patrolId: patrol + 1 })).status).toBe(409);
    expect((await (await get(`/api/admin/patrol-plans/${id}`)).json()).patrol.id).toBe(patrol);
  });
});

describe('who may see plans', () => {
  it('the office makes them, leaders read them; a village or a department neither', async () => {
    const body = { title: '权限测试', size: 2, randomPercent: 0 };
    // The administrator works at county level: he names the township a plan is for.
    expect((await post('/api/admin/patrol-plans', body, cookie.admin)).status).toBe(400);
    expect((await post('/api/admin/patrol-plans', { ...body, townshipId: TOWNSHIP }, cookie.admin)).status).toBe(201);
    expect((await post('/api/admin/patrol-plans', body, cookie.leader)).status).toBe(403);
    expect((await get('/api/admin/patrol-plans', cookie.leader)).status).toBe(200);
    expect((await get('/api/admin/relapse-risk', cookie.leader)).status).toBe(200);
    for (const limit of ['abc', '-1', '1e99', '2.5']) {
      const bad = await get(`/api/admin/relapse-risk?limit=${limit}`, cookie.leader);
      expect(bad.status, limit).toBe(400);
      expect(JSON.stringify(await bad.json()), limit).toContain('条数');
    }
    for (const who of [cookie.village, cookie.department]) {
      expect((await post('/api/admin/patrol-plans', body, who)).status).toBe(403);
      for (const path of ['', '/risk', '/1', '/1/verify'])
        expect((await get(`/api/admin/patrol-plans${path}`, who)).status, path).toBe(403);
      expect((await post('/api/admin/patrol-plans/1/patrol', { patrolId: 1 }, who)).status).toBe(403);
    }
    expect((await app.request('/api/admin/patrol-plans')).status).toBe(401);
  });
});

describe('the pages', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 300_000);
  afterAll(() => site?.close());
  const page = (path: string, who: string) =>
    fetch(`${site.base}${path}`, { headers: { cookie: who }, redirect: 'manual' });

  it('the ranking with each score and its parts, the form for the office; leaders read; villages never', async () => {
    const office = await (await page('/admin/watch/plans', cookie.triage)).text();
    expect(office).toContain('id="plan-form"');
    expect(office).toContain(`href="/admin/enterprises/${working}"`);
    // Listed again since the plan test above: 15 for the closure now.
    expect(office).toContain('= 整治 15 + 销号 0 + 预警 60 + 举报 0');
    const leader = await page('/admin/watch/plans', cookie.leader);
    expect(leader.status).toBe(200);
    expect(await leader.text()).not.toContain('id="plan-form"');
    for (const who of [cookie.village, cookie.department]) {
      expect((await page('/admin/watch/plans', who)).status).toBe(403);
      expect((await page('/admin/watch/plans/1', who)).status).toBe(403);
    }
  });

  it('a plan prints its list with the random ones marked, and links to the patrol page and back', async () => {
    const { id } = await (
      await post('/api/admin/patrol-plans', { title: '打印测试', size: 4, randomPercent: 50 })
    ).json();
    const html = await (await page(`/admin/watch/plans/${id}`, cookie.triage)).text();
    expect(html).toContain('✓ 按保存的种子和候选企业重新计算，结果与记录一致');
    expect(html.match(/随机抽取<span class="id"/g)).toHaveLength(2);
    expect(html).toContain(`href="/admin/patrols?plan=${id}"`);
    const form = await (await page(`/admin/patrols?plan=${id}`, cookie.triage)).text();
    expect(form).toContain('value="夜查计划：打印测试"');
    expect(form).toContain(`href="/admin/watch/plans/${id}"`);
    // A village officer's patrol page names no plan, even asked for one.
    const village = await (await page(`/admin/patrols?plan=${id}`, cookie.village)).text();
    expect(village).not.toContain('/admin/watch/plans');
    expect(village).not.toContain('打印测试');
    if (hasValidator) {
      const ranking = await (await page('/admin/watch/plans', cookie.triage)).text();
      const pages = { '/admin/watch/plans': ranking, [`/admin/watch/plans/${id}`]: html, '/admin/patrols?plan': form };
      expect(htmlErrors(pages)).toEqual([]);
    }
  });
});
