import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { applyAction } from '../../api/domain/complaints/actions.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import type { ActionInput } from '../../api/domain/complaints/workflow.ts';
import { monthResults, publishedMonth, resultMonths } from '../../api/domain/public/results.ts';
import { publicStats } from '../../api/domain/public/stats.ts';
import { complaintCategories, complaints, townships, villages } from '../../db/schema.ts';
import {
  enterprises,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
  revisits,
  tasks,
} from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { stackedPartsChart } from '../../site/lib/stats-charts.ts';
import { villageMapSvg } from '../../site/lib/village-map.ts';
import { freshContext } from '../helpers/context.ts';
import { recomputeRollups, sortedEntries, storedRollups } from '../helpers/public-rollups.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const H = 3_600_000;
let nowMs = Date.parse('2026-01-15T02:00:00Z'); // 10:00 Beijing time
const { ctx, app } = await freshContext({}, { now: () => nowMs });
const db = ctx.db;

const villageId = (name: string) =>
  db.select({ id: villages.id }).from(villages).where(eq(villages.name, name)).get()!.id;
const categoryId = (code: string) =>
  db.select({ id: complaintCategories.id }).from(complaintCategories).where(eq(complaintCategories.code, code)).get()!
    .id;
const row = (id: number) => db.select().from(complaints).where(eq(complaints.id, id)).get()!;
const staffUser = (username: string) => staffByUsername(db, username)!;

const PLACES = {
  zhulin: cellCenter(1, 1),
  xiatang: cellCenter(0, 0),
  shiqiao: cellCenter(1, 0),
  // East of the township's edge: held at township level.
  outside: { lat: cellCenter(2, 0).lat, lng: cellCenter(2, 0).lng + 0.05 },
};
const texts: string[] = [];
const codes: string[] = [];

/** Files a report through the public API at the given instant. */
async function file(place: keyof typeof PLACES, category: string, at: number): Promise<number> {
  nowMs = at;
  const description = `隐私测试第${texts.length + 1}条：河边作坊夜里偷排黄水`;
  texts.push(description);
  const p = PLACES[place];
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ category, lat: String(p.lat), lng: String(p.lng), description }),
  });
  expect(res.status).toBe(201);
  const { trackingCode } = await res.json();
  codes.push(trackingCode);
  return db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!.id;
}

/** A staff action through the back-office API at the given instant. */
async function act(id: number, at: number, body: Record<string, unknown>) {
  nowMs = at;
  const res = await app.request(`/api/admin/complaints/${id}/actions`, {
    method: 'POST',
    ...json({ version: row(id).version, ...body }, signIn(ctx, 'shouli')),
  });
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(200);
}

// The crafted set. Filing times in Beijing time; D, E and G fall on 1 February Beijing time (31 January UTC).
const t = {
  A: Date.parse('2026-01-15T02:00:00Z'),
  B: Date.parse('2026-01-15T02:30:00Z'),
  C: Date.parse('2026-01-16T02:00:00Z'),
  D: Date.parse('2026-01-31T17:00:00Z'),
  E: Date.parse('2026-01-31T18:00:00Z'),
  F: Date.parse('2026-02-02T02:00:00Z'),
  G: Date.parse('2026-02-03T02:00:00Z'),
};
const A = await file('zhulin', 'air', t.A);
const B = await file('xiatang', 'water', t.B);
const C = await file('outside', 'noise', t.C);
const D = await file('zhulin', 'air', t.D);
await file('zhulin', 'waste', t.E); // E: stays awaiting a decision
await file('outside', 'air', t.F); // F: likewise, at township level
const G = await file('zhulin', 'air', t.G);

await act(B, t.B + 12 * H, { action: 'accept' }); // 12 h
await act(B, t.B + 13 * H, { action: 'assign', villageId: villageId('下塘村'), departmentIds: [] });
await act(B, t.B + 14 * H, { action: 'classify', categoryId: categoryId('other') });
await act(A, t.A + 36 * H, { action: 'accept' }); // 36 h
await act(A, t.A + 37 * H, { action: 'assign', villageId: villageId('石桥村'), departmentIds: [] }); // moves from 竹林村
await act(C, t.C + 24 * H, { action: 'reject', reason: '不属于受理范围' });
await act(A, t.A + 240 * H, { action: 'resolve' }); // 10 days
await act(A, t.A + 250 * H, { action: 'close' });
// D: accepted, merged, reopened and accepted again (counts at 60 h), resolved, reopened and resolved again (counts at
// 200 h).
await act(D, t.D + 5 * H, { action: 'accept' });
await act(D, t.D + 6 * H, { action: 'merge', targetId: A });
await act(D, t.D + 7 * H, { action: 'reopen', reason: '并非同一作坊' });
await act(D, t.D + 60 * H, { action: 'accept' });
await act(D, t.D + 61 * H, { action: 'assign', villageId: villageId('竹林村'), departmentIds: [] });
await act(D, t.D + 100 * H, { action: 'resolve' });
await act(D, t.D + 110 * H, { action: 'reopen', reason: '群众反映又开工' });
await act(D, t.D + 111 * H, { action: 'assign', villageId: villageId('竹林村'), departmentIds: [] });
await act(D, t.D + 200 * H, { action: 'resolve' });
await act(G, t.G + 1 * H, { action: 'merge', targetId: D });

const NOW = new Date('2026-06-01T04:00:00Z');

describe('public statistics of a crafted set of complaints', () => {
  const stats = publicStats(db, NOW);

  it('counts received, accepted, rejected, resolved, pending and merged; every complaint in exactly one part', () => {
    expect(stats.totals).toEqual({
      received: 7,
      accepted: 3,
      resolved: 2,
      inHand: 1,
      pending: 2,
      rejected: 1,
      merged: 1,
    });
  });

  it('counts by village where each complaint is now, with reports outside every village at township level', () => {
    const byName = Object.fromEntries(
      stats.villages.map((v) => [
        v.name,
        {
          received: v.received,
          accepted: v.accepted,
          resolved: v.resolved,
          rejected: v.rejected,
          merged: v.merged,
          overdue: v.overdue,
        },
      ]),
    );
    // D, E (overdue), G
    expect(byName['竹林村']).toEqual({ received: 3, accepted: 1, resolved: 1, rejected: 0, merged: 1, overdue: 1 });
    // A, moved here
    expect(byName['石桥村']).toEqual({ received: 1, accepted: 1, resolved: 1, rejected: 0, merged: 0, overdue: 0 });
    // B, past its deadline
    expect(byName['下塘村']).toEqual({ received: 1, accepted: 1, resolved: 0, rejected: 0, merged: 0, overdue: 1 });
    // C, F
    expect(byName['镇级待定']).toEqual({ received: 2, accepted: 0, resolved: 0, rejected: 1, merged: 0, overdue: 1 });
    expect(byName['桃源社区']!.received + byName['上塘村']!.received + byName['溪口村']!.received).toBe(0);
    expect(stats.villages.at(-1)!.id).toBeNull();
  });

  it('counts by category as it is now (a reclassified report moves)', () => {
    const byCode = Object.fromEntries(stats.categories.map((c) => [c.name, c.received]));
    expect(byCode['废气/异味/烟尘']).toBe(4);
    expect(byCode['废水']).toBe(0);
    expect(byCode['其他']).toBe(1);
    expect(byCode['噪声']).toBe(1);
    expect(byCode['固体废物/焚烧']).toBe(1);
  });

  it('counts by Beijing month for the last twelve months', () => {
    expect(stats.months.map((m) => m.month)).toEqual([
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
    ]);
    const jan = stats.months.find((m) => m.month === '2026-01')!,
      feb = stats.months.find((m) => m.month === '2026-02')!;
    expect({ received: jan.received, resolved: jan.resolved, inHand: jan.inHand, rejected: jan.rejected }).toEqual({
      received: 3,
      resolved: 1,
      inHand: 1,
      rejected: 1,
    });
    expect({ received: feb.received, resolved: feb.resolved, pending: feb.pending, merged: feb.merged }).toEqual({
      received: 4,
      resolved: 1,
      pending: 2,
      merged: 1,
    });
  });

  it('takes the medians of the latest acceptance and the latest resolution', () => {
    // Acceptance: B 12 h, A 36 h, D 60 h (its first acceptance, 5 h, was undone by the merge).
    expect(stats.medians.accept).toEqual({ days: 1.5, n: 3 });
    // Resolution: D 200 h (not its first, 100 h), A 240 h: the mean of the two.
    expect(stats.medians.resolve).toEqual({ days: 220 / 24, n: 2 });
  });

  it('counts open complaints past their deadline, by stage', () => {
    expect(stats.overdue).toEqual({ undecided: 2, unfinished: 1 });
    // Before the deadlines passed, none.
    expect(publicStats(db, new Date(t.G + 2 * H)).overdue).toEqual({ undecided: 0, unfinished: 0 });
  });
});

describe('monthly results', () => {
  it('publishes a month from 2000 up to the current one; malformed or future months are not found', () => {
    for (const bad of ['2026-13', '2026-1', '2026-00', 'abcd-ef', '1999-12', '2026-07', '2027-01', '', undefined])
      expect(publishedMonth(bad, NOW), String(bad)).toBeNull();
    expect(publishedMonth('2026-06', NOW)).toBe('2026-06');
    expect(publishedMonth('2024-02', NOW)).toBe('2024-02');
  });

  it('lists every month from the first complaint to this one, newest first', () => {
    expect(resultMonths(db, NOW)).toEqual([
      { month: '2026-06', received: 0, decided: 0 },
      { month: '2026-05', received: 0, decided: 0 },
      { month: '2026-04', received: 0, decided: 0 },
      { month: '2026-03', received: 0, decided: 0 },
      { month: '2026-02', received: 4, decided: 2 },
      { month: '2026-01', received: 3, decided: 3 },
    ]);
  });

  it('counts the decisions made in a month, whenever the complaint was filed', () => {
    const jan = monthResults(db, '2026-01', NOW),
      feb = monthResults(db, '2026-02', NOW);
    expect(jan.complaints.received).toBe(3);
    expect(jan.decisions).toEqual({ accept: 2, reject: 1, merge: 0, resolve: 1 });
    expect(feb.decisions).toEqual({ accept: 2, reject: 0, merge: 2, resolve: 2 });
    expect(jan.medians!.accept).toEqual({ days: 1, n: 2 }); // (12 + 36) / 2 h
    expect(jan.medians!.resolve).toEqual({ days: 10, n: 1 });
    expect(feb.medians!.accept).toEqual({ days: 2.5, n: 1 });
    expect(feb.current).toBe(false);
    expect(monthResults(db, '2026-06', NOW).current).toBe(true);
  });

  it('counts tasks accepted, revisits done, random inspections and night patrols of the month, by Beijing time', () => {
    const admin = staffUser('admin');
    const v = villageId('竹林村');
    const townshipId = row(A).townshipId;
    const ent = [1, 2, 3, 4].map(
      (k) =>
        db
          .insert(enterprises)
          .values({ townshipId, villageId: v, name: `测试${k}号作坊`, updatedAt: new Date() })
          .returning()
          .get().id,
    );
    const ms = (iso: string) => new Date(iso);
    const task = (
      type: 'shutdown' | 'rectify' | 'relocate',
      status: 'accepted' | 'submitted',
      acceptedAt: Date | null,
    ) =>
      db
        .insert(tasks)
        .values({
          enterpriseId: ent[0]!,
          villageId: v,
          type,
          status,
          origin: 'survey',
          villageLead: '周村长',
          townshipLead: '陈副镇长',
          dueAt: ms('2026-04-01T00:00:00Z'),
          acceptedAt,
          updatedAt: new Date(),
        })
        .run();
    task('shutdown', 'accepted', ms('2026-03-02T02:00:00Z'));
    task('shutdown', 'accepted', ms('2026-03-20T02:00:00Z'));
    task('shutdown', 'accepted', ms('2026-03-31T15:59:00Z')); // 23:59 on 31 March, Beijing
    task('shutdown', 'accepted', ms('2026-02-28T15:30:00Z')); // 23:30 on 28 February
    task('shutdown', 'submitted', null);
    task('rectify', 'accepted', ms('2026-03-10T02:00:00Z'));
    task('relocate', 'accepted', ms('2026-03-31T16:00:00Z')); // midnight, 1 April

    const revisit = (
      status: 'done' | 'scheduled',
      outcome: 'fine' | 'resumed' | 'relapsed' | 'newly_found' | null,
      doneAt: Date | null,
    ) =>
      db
        .insert(revisits)
        .values({ enterpriseId: ent[0]!, villageId: v, dueAt: ms('2026-03-01T00:00:00Z'), status, outcome, doneAt })
        .run();
    revisit('done', 'fine', ms('2026-03-03T02:00:00Z'));
    revisit('done', 'fine', ms('2026-03-04T02:00:00Z'));
    revisit('done', 'resumed', ms('2026-03-05T02:00:00Z'));
    revisit('done', 'newly_found', ms('2026-03-06T02:00:00Z'));
    revisit('scheduled', null, null);
    revisit('done', 'relapsed', ms('2026-02-20T02:00:00Z'));

    const draw = (createdAt: Date, outcomes: ('compliant' | 'problem_found' | 'not_reached' | null)[]) => {
      const id = db
        .insert(inspectionDraws)
        .values({
          title: '测试抽查',
          seed: 'abc',
          filters: {},
          enterpriseCount: outcomes.length,
          inspectorsPerDepartment: 1,
          candidateEnterpriseIds: ent,
          candidateInspectors: {},
          drawnEnterpriseIds: ent.slice(0, outcomes.length),
          drawnInspectorIds: [],
          createdBy: admin.id,
          createdAt,
        })
        .returning()
        .get().id;
      for (const [i, outcome] of outcomes.entries())
        db.insert(inspectionDrawItems).values({ drawId: id, enterpriseId: ent[i]!, outcome }).run();
    };
    draw(ms('2026-03-05T02:00:00Z'), ['compliant', 'problem_found', null]);
    draw(ms('2026-03-25T02:00:00Z'), ['compliant']);
    draw(ms('2026-02-27T02:00:00Z'), ['not_reached', 'compliant']);

    const patrol = (startedAt: Date, findings: number) => {
      const id = db
        .insert(nightPatrols)
        .values({
          startedAt,
          endedAt: new Date(startedAt.getTime() + 2 * H),
          area: '竹林村',
          participants: ['甲', '乙'],
          createdBy: admin.id,
        })
        .returning()
        .get().id;
      for (let k = 0; k < findings; k++)
        db.insert(patrolFindings)
          .values({ patrolId: id, note: `发现${k}` })
          .run();
    };
    patrol(ms('2026-03-12T13:00:00Z'), 2);
    patrol(ms('2026-03-13T13:00:00Z'), 0);
    patrol(ms('2026-02-12T13:00:00Z'), 1);

    const march = monthResults(db, '2026-03', NOW);
    expect(march.tasks).toEqual({ shutdown: 3, rectify: 1, relocate: 0 });
    expect(march.revisits).toEqual({
      total: 4,
      outcomes: { fine: 2, resumed: 1, relapsed: 0, new_in_vacated: 0, newly_found: 1 },
    });
    expect(march.inspections).toEqual({
      draws: 2,
      enterprises: 4,
      outcomes: { compliant: 2, problem_found: 1, not_reached: 0, pending: 1 },
    });
    expect(march.patrols).toEqual({ count: 2, findings: 2 });
    const feb = monthResults(db, '2026-02', NOW);
    expect(feb.tasks).toEqual({ shutdown: 1, rectify: 0, relocate: 0 });
    expect(feb.revisits.outcomes.relapsed).toBe(1);
    expect(feb.inspections).toEqual({
      draws: 1,
      enterprises: 2,
      outcomes: { compliant: 1, problem_found: 0, not_reached: 1, pending: 0 },
    });
    expect(feb.patrols).toEqual({ count: 1, findings: 1 });
    expect(monthResults(db, '2026-04', NOW).tasks.relocate).toBe(1);
    // Enforcement work done before the first complaint opens the list of months.
    expect(resultMonths(db, NOW).at(-1)!.month).toBe('2026-01');
    patrol(ms('2025-12-20T13:00:00Z'), 0);
    expect(resultMonths(db, NOW).at(-1)).toEqual({ month: '2025-12', received: 0, decided: 0 });
  });
});

describe('privacy: counts only', () => {
  const FORBIDDEN_KEYS = new Set([
    'description',
    'trackingCode',
    'lat',
    'lng',
    'address',
    'complaintId',
    'name_',
    'phone',
  ]);
  const keys = (v: unknown): string[] =>
    v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keys(x)]) : [];

  it('no public output holds a complaint text, tracking code, coordinate or contact', () => {
    const outputs = [
      publicStats(db, NOW),
      resultMonths(db, NOW),
      ...['2026-01', '2026-02', '2026-03'].map((m) => monthResults(db, m, NOW)),
    ];
    const stats = outputs[0] as ReturnType<typeof publicStats>;
    const areas = ctx.villageAreas();
    const drawn = [
      stackedPartsChart(
        stats.months.map((m) => ({ label: m.month, counts: m })),
        { horizontal: false },
      ),
      stackedPartsChart(
        stats.villages.map((v) => ({ label: v.name, counts: v })),
        { horizontal: true },
      ),
      villageMapSvg(
        stats.villages
          .filter((v) => v.id !== null)
          .map((v) => ({ name: v.name, n: v.received, boundary: areas.find((a) => a.id === v.id)!.boundary })),
      ),
    ];
    const text = JSON.stringify(outputs) + drawn.join('');
    expect(texts).toHaveLength(7);
    for (const s of [...texts, ...codes, '隐私测试', '偷排黄水']) expect(text).not.toContain(s);
    for (const c of db.select({ lat: complaints.lat, lng: complaints.lng }).from(complaints).all()) {
      expect(text).not.toContain(c.lat.toFixed(4));
      expect(text).not.toContain(c.lng.toFixed(4));
    }
    expect(keys(outputs).filter((k) => FORBIDDEN_KEYS.has(k))).toEqual([]);
  });

  it('draws charts with no inline style, no <style> and no script, each number also in a table', () => {
    const svg = stackedPartsChart([{ label: '1月', counts: publicStats(db, NOW).totals }], { horizontal: false });
    expect(svg).toMatch(/^<svg /);
    expect(svg).not.toMatch(/style=|<style|<script|on[a-z]+=/i);
    expect(svg).toContain('已办结');
    // Names are data (staff edit categories and villages): they are escaped, never markup.
    const hostile = '<script>alert(1)</script>';
    const boundary = ctx.villageAreas()[0]!.boundary;
    for (const drawn of [
      stackedPartsChart([{ label: hostile, counts: publicStats(db, NOW).totals }], { horizontal: true }),
      villageMapSvg([{ name: hostile, n: 3, boundary }]),
    ]) {
      expect(drawn).not.toContain('<script');
      expect(drawn).toContain('&lt;script&gt;');
    }
  });
});

const recompute = () => recomputeRollups(db.$client),
  stored = () => storedRollups(db.$client),
  sorted = sortedEntries;

describe('the trigger-kept tables', () => {
  it('match a plain recomputation after crafted accepts, rejects, merges, reopens, moves and reclassifications', () => {
    const want = recompute(),
      have = stored();
    expect(sorted(have.counts)).toEqual(sorted(want.counts));
    expect(sorted(have.durations)).toEqual(sorted(want.durations));
    expect(sorted(have.actions)).toEqual(sorted(want.actions));
  });

  it('stay right through many random staff actions', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const places = Object.keys(PLACES) as (keyof typeof PLACES)[];
    const ids: number[] = [];
    let clock = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 30; i++)
      ids.push(
        await file(pick(places), pick(['air', 'water', 'noise', 'waste', 'unlicensed']), (clock += rand() * 20 * H)),
      );
    const user = staffUser('xianban'); // the county office: it hands reports between townships too
    const limits = { finishDays: 60, extensionMaxDays: 30, ackWorkdays: 1, answerDays: 0 };
    const villageRows = db.select({ id: villages.id, townshipId: villages.townshipId }).from(villages).all();
    const villageIds = (townshipId: number) => villageRows.filter((v) => v.townshipId === townshipId).map((v) => v.id);
    const townshipIds = db
      .select({ id: townships.id })
      .from(townships)
      .all()
      .map((r) => r.id);
    const categoryIds = db
      .select({ id: complaintCategories.id })
      .from(complaintCategories)
      .all()
      .map((c) => c.id);
    let applied = 0,
      handedOver = 0;
    for (let step = 0; step < 400; step++) {
      const id = pick(ids);
      const action = pick([
        'accept',
        'reject',
        'merge',
        'assign',
        'resolve',
        'close',
        'reopen',
        'classify',
        'accept',
        'assign',
        'resolve',
        'handover',
      ] as const);
      const input = {
        accept: { action },
        resolve: { action },
        close: { action },
        reject: { action, reason: '信息不全无法核实' },
        reopen: { action, reason: '重新核实' },
        merge: { action, targetId: pick(ids) },
        assign: { action, villageId: pick(villageIds(row(id).townshipId)), departmentIds: [] },
        classify: { action, categoryId: pick(categoryIds) },
        handover: { action, toTownshipId: pick(townshipIds), reason: '位于另一乡镇辖区' },
      }[action];
      clock += rand() * 30 * H;
      if (
        applyAction(db, user, id, { ...input, version: row(id).version } as ActionInput, limits, new Date(clock)).ok
      ) {
        applied++;
        if (action === 'handover') handedOver++;
      }
    }
    expect(applied).toBeGreaterThan(100);
    expect(handedOver).toBeGreaterThan(5);
    const want = recompute(),
      have = stored();
    expect(sorted(have.counts)).toEqual(sorted(want.counts));
    expect(sorted(have.durations)).toEqual(sorted(want.durations));
    expect(sorted(have.actions)).toEqual(sorted(want.actions));
    // And the public numbers agree with a plain GROUP BY over the complaints.
    const byStatus = db.$client.prepare('SELECT status, count(*) n FROM complaints GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    const n = (...s: string[]) => byStatus.filter((r) => s.includes(r.status)).reduce((a, r) => a + r.n, 0);
    const totals = publicStats(db, new Date(clock)).totals;
    expect(totals.received).toBe(n('submitted', 'accepted', 'assigned', 'resolved', 'closed', 'rejected', 'merged'));
    expect(totals.accepted).toBe(n('accepted', 'assigned', 'resolved', 'closed'));
    expect(totals.resolved).toBe(n('resolved', 'closed'));
    expect(totals.rejected).toBe(n('rejected'));
  });

  it('are rebuilt by the migration from the rows of a database that already has complaints', () => {
    const before = stored();
    const file = readFileSync(new URL('../../db/migrations/0018_public_township_rollups.sql', import.meta.url), 'utf8');
    const backfill = file.split('--> statement-breakpoint').filter((s) => /^\s*(--[^\n]*\n\s*)*INSERT INTO/.test(s));
    expect(backfill).toHaveLength(6);
    db.$client.exec(
      `DELETE FROM public_complaint_counts; DELETE FROM public_complaint_durations;
       DELETE FROM public_complaint_actions;`,
    );
    for (const s of backfill) db.$client.exec(s);
    const after = stored();
    expect(sorted(after.counts)).toEqual(sorted(before.counts));
    expect(sorted(after.durations)).toEqual(sorted(before.durations));
    expect(sorted(after.actions)).toEqual(sorted(before.actions));
  });
});

describe('the resolution-time histogram', () => {
  it('counts a complaint resolved, reopened and resolved again within one millisecond once', async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({ description: '同一时刻两次办结的举报，用于核对统计。' }),
    });
    const { trackingCode } = await res.json();
    const id = ctx.db
      .select({ id: complaints.id })
      .from(complaints)
      .where(eq(complaints.trackingCode, trackingCode))
      .get()!.id;
    const user = staffUser('shouli');
    const villageId = ctx.db.select({ id: villages.id }).from(villages).get()!.id;
    const total = () =>
      (
        ctx.db.$client
          .prepare(
            "select coalesce(sum(n), 0) n from public_complaint_durations where kind = 'resolve' and township_id = 0",
          )
          .get() as { n: number }
      ).n;
    const before = total();
    const at = new Date(nowMs + 3_600_000); // a frozen clock: every step at the same instant
    for (const input of [
      { action: 'accept' },
      { action: 'assign', villageId, departmentIds: [] },
      { action: 'resolve' },
      { action: 'reopen', reason: '群众反映仍在生产' },
      { action: 'assign', villageId, departmentIds: [] },
      { action: 'resolve' },
    ]) {
      const version = ctx.db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, id)).get()!.v;
      expect(
        applyAction(
          ctx.db,
          user,
          id,
          { ...input, version } as ActionInput,
          { finishDays: 60, extensionMaxDays: 30, ackWorkdays: 1, answerDays: 0 },
          at,
        ).ok,
        input.action,
      ).toBe(true);
    }
    expect(total() - before).toBe(1);
  });
});
