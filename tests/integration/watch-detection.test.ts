import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { villages } from '../../db/schema.ts';
import { enterprises, taskItems, tasks } from '../../db/schema-enforcement.ts';
import { meterDaily, meterIntervals, meters, powerFlags, watchRules } from '../../db/schema-watch.ts';
import { startOfDay } from '../../api/domain/watch/days.ts';
import { runDetection } from '../../api/domain/watch/detection.ts';
import { lastRuns, nightlyDue } from '../../api/domain/watch/detection-runs.ts';
import type { DailyPoint, IntervalPoint } from '../../api/domain/watch/series.ts';
import { freshContext } from '../helpers/context.ts';
import { curves, daily, dayShift, home, workshop } from '../helpers/power-series.ts';
import { signIn } from '../helpers/staff.ts';

const D0 = 20_400; // 2025-11-08: 150 days of readings from here
const C = D0 + 20; // the shutdown accepted, its 断电 proven the day before
const N = D0 + 80; // the restart
let clock = startOfDay(D0 + 150).getTime() + 3_600_000;
const { ctx, app } = await freshContext({}, { now: () => clock });
const db = ctx.db;
const at = (day: number) => startOfDay(day);
const village = db
  .insert(villages)
  .values({
    townshipId: 1,
    code: 'watch-test',
    name: '测试村',
    boundary: {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ],
      ],
    },
  })
  .returning()
  .get();

function enterprise(name: string, status: 'in_progress' | 'done', shutDay?: number, cutProven = true) {
  const e = db
    .insert(enterprises)
    .values({ townshipId: 1, villageId: village.id, name, status, remediationType: 'shutdown', updatedAt: at(D0) })
    .returning()
    .get();
  if (shutDay === undefined) return e.id;
  const t = db
    .insert(tasks)
    .values({
      enterpriseId: e.id,
      villageId: village.id,
      type: 'shutdown',
      status: 'accepted',
      origin: 'survey',
      villageLead: '甲',
      townshipLead: '乙',
      dueAt: at(shutDay),
      acceptedAt: at(shutDay),
      updatedAt: at(shutDay),
    })
    .returning()
    .get();
  db.insert(taskItems)
    .values({ taskId: t.id, seq: 2, code: 'cut_power', label: '断电', doneAt: cutProven ? at(shutDay - 1) : null })
    .run();
  return e.id;
}

let accounts = 0;
function meter(tariff: 'residential' | 'commercial', enterpriseId: number | null, series: DailyPoint[]) {
  const m = db
    .insert(meters)
    .values({
      townshipId: 1,
      villageId: village.id,
      enterpriseId,
      accountNo: `T${++accounts}`,
      tariff,
      updatedAt: at(D0),
    })
    .returning()
    .get();
  readings(m.id, series);
  return m.id;
}
const readings = (meterId: number, series: DailyPoint[]) =>
  db.transaction((tx) => {
    for (const p of series)
      tx.insert(meterDaily)
        .values({ meterId, ...p, importId: 0 })
        .onConflictDoUpdate({ target: [meterDaily.meterId, meterDaily.day], set: { kwh: p.kwh } })
        .run();
  });
const curve = (meterId: number, ivs: IntervalPoint[]) =>
  db.transaction((tx) => {
    for (const iv of ivs)
      tx.insert(meterIntervals)
        .values({ meterId, ...iv, importId: 0 })
        .run();
  });
const flagsOf = (meterId: number) =>
  db.select().from(powerFlags).where(eq(powerFlags.meterId, meterId)).orderBy(powerFlags.firstDay).all();
const run = () => runDetection(db, { now: new Date(clock) });

let restarted: number;
let shut: number;
const quiet: number[] = [];
let housed: number;
let nightShift: number;
beforeAll(() => {
  shut = enterprise('复燃塑料加工点', 'done', C);
  restarted = meter(
    'commercial',
    shut,
    daily(D0, 150, (d, r) => (d < C ? 40 : d < N ? 0.3 * r() : 30 + 5 * r())),
  );
  // Quiet ones: a shut file's meter (its 断电 not proven) with a family noisily living on it, and the village's homes.
  const family = enterprise('已关停作坊', 'done', C, false);
  quiet.push(
    meter(
      'residential',
      family,
      daily(D0, 150, (d, r) => (d < C ? 50 : d % 19 ? 7 * (0.5 + r()) : 25), 9),
    ),
  );
  for (let i = 0; i < 12; i++) quiet.push(meter('residential', null, daily(D0, 150, home(0.7 + i / 20), i + 3)));
  housed = meter(
    'residential',
    null,
    daily(D0, 150, (d, r) => (d < N ? home()(d, r) : workshop(45)(d, r)), 2),
  );
  const night = enterprise('整改中喷涂点', 'in_progress');
  nightShift = meter(
    'commercial',
    night,
    daily(D0, 150, () => 40),
  );
  curve(
    nightShift,
    curves(D0 + 120, 30, (h, d, r) => (d < D0 + 130 ? dayShift(5)(h, d, r) : h >= 22 || h < 6 ? 6 : 0.4), 60),
  );
});

describe('a detection pass', () => {
  it('flags the restarted workshop by two rules from the day it restarted', async () => {
    const r = await run();
    expect(r.flags.inserted).toBeGreaterThanOrEqual(4);
    const flags = flagsOf(restarted);
    expect(flags.map((f) => [f.rule, f.firstDay, f.lastDay, f.status])).toEqual([
      ['cut_meter_use', N, D0 + 149, 'open'],
      ['jump_after_closure', N, D0 + 149, 'open'],
    ]);
    expect(flags[0]).toMatchObject({ enterpriseId: shut, villageId: village.id, townshipId: 1 });
    expect(flags[0]?.evidence).toMatchObject({ cutDay: C - 1, threshold: 1 });
  });

  it('flags the night shift and the house that became a workshop, and never the quiet meters', () => {
    expect(flagsOf(nightShift).map((f) => [f.rule, f.firstDay])).toEqual([['night_use', D0 + 130]]);
    const [house, ...more] = flagsOf(housed);
    expect(more).toEqual([]);
    expect(house?.rule).toBe('house_factory');
    expect(house?.firstDay).toBeGreaterThanOrEqual(N);
    for (const id of quiet) expect(flagsOf(id)).toEqual([]);
  });

  it('writes nothing when run again over the same readings', async () => {
    const before = db.select().from(powerFlags).all();
    const r = await run();
    expect(r.flags).toEqual({ inserted: 0, updated: 0 });
    expect(db.select().from(powerFlags).all()).toEqual(before);
  });

  it('updates an open flag as the episode goes on, without a second flag', async () => {
    readings(
      restarted,
      daily(D0 + 150, 3, () => 33),
    );
    clock += 3 * 86_400_000;
    const r = await run();
    expect(r.flags.inserted).toBe(0);
    expect(r.flags.updated).toBeGreaterThanOrEqual(2);
    expect(flagsOf(restarted).map((f) => [f.rule, f.firstDay, f.lastDay])).toEqual([
      ['cut_meter_use', N, D0 + 152],
      ['jump_after_closure', N, D0 + 152],
    ]);
  });

  it('never reopens nor repeats a decided flag, however its window moves', async () => {
    const [cut] = flagsOf(restarted);
    db.update(powerFlags).set({ status: 'dismissed', reason: '测试' }).where(eq(powerFlags.id, cut!.id)).run();
    readings(
      restarted,
      daily(D0 + 153, 5, () => 31),
    );
    // A shorter window now starts after the episode began: the finding's first day moves, the flag does not.
    db.insert(watchRules)
      .values({ rule: 'cut_meter_use', params: { lookbackDays: 40 }, updatedAt: new Date(clock) })
      .run();
    clock += 5 * 86_400_000;
    await run();
    const [dismissed, jump, ...more] = flagsOf(restarted);
    expect(more).toEqual([]);
    expect(dismissed).toMatchObject({ id: cut!.id, status: 'dismissed', lastDay: D0 + 152 });
    expect(jump).toMatchObject({ rule: 'jump_after_closure', status: 'open', lastDay: D0 + 157 });
  });

  it('raises a new flag for a new episode after a long silence', async () => {
    readings(
      restarted,
      daily(D0 + 158, 30, () => 0),
    );
    readings(
      restarted,
      daily(D0 + 188, 6, () => 28),
    );
    clock += 36 * 86_400_000;
    await run();
    const cuts = flagsOf(restarted).filter((f) => f.rule === 'cut_meter_use');
    expect(cuts.map((f) => [f.firstDay, f.status])).toEqual([
      [N, 'dismissed'],
      [D0 + 188, 'open'],
    ]);
  });

  it('skips a disabled rule', async () => {
    db.insert(watchRules)
      .values({ rule: 'night_use', enabled: false, params: {}, updatedAt: new Date(clock) })
      .run();
    const m = meter('commercial', enterprise('另一整改点', 'in_progress'), []);
    curve(
      m,
      curves(D0 + 180, 10, (h) => (h >= 22 || h < 6 ? 6 : 0.4), 60),
    );
    await run();
    expect(flagsOf(m)).toEqual([]);
  });

  it('records each pass for the runs list', () => {
    const [last] = lastRuns(db, 1);
    expect(last).toMatchObject({ townshipId: 1, by: '系统（夜间用电检测）' });
    expect(last?.meters).toBeGreaterThan(10);
    expect(last?.rows).toBeGreaterThan(1000);
  });
});

describe('the nightly pass', () => {
  it('is due once a day after 02:00 Beijing time, whatever pass ran last', async () => {
    const today = startOfDay(D0 + 300).getTime();
    expect(nightlyDue(db, new Date(today + 3_600_000))).toBe(false);
    expect(nightlyDue(db, new Date(today + 2 * 3_600_000))).toBe(true);
    await runDetection(db, { now: new Date(today + 2.5 * 3_600_000) });
    expect(nightlyDue(db, new Date(today + 23 * 3_600_000))).toBe(false);
    expect(nightlyDue(db, new Date(today + 26 * 3_600_000))).toBe(true);
  });
});

describe('POST /api/admin/watch/runs', () => {
  it('lets the office run a pass, named in the runs list, and refuses villages, departments and leaders', async () => {
    const post = (user: string) =>
      app.request('/api/admin/watch/runs', { method: 'POST', headers: { cookie: signIn(ctx, user) } });
    const res = await post('shouli');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ flags: { inserted: 0 } });
    expect(lastRuns(db, 1)[0]?.by).toBe('受理员小陈');
    for (const user of ['zhulin', 'shengtai', 'lingdao']) expect((await post(user)).status).toBe(403);
    const list = await app.request('/api/admin/watch/runs', { headers: { cookie: signIn(ctx, 'lingdao') } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { runs: unknown[] }).runs.length).toBeGreaterThan(1);
    expect((await app.request('/api/admin/watch/runs', { headers: { cookie: signIn(ctx, 'zhulin') } })).status).toBe(
      403,
    );
  });
});
