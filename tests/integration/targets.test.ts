import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { progressText } from '../../api/domain/targets/labels.ts';
import { elapsedShare, targetProgress } from '../../api/domain/targets/progress.ts';
import { gapText, targetSplit } from '../../api/domain/targets/split.ts';
import { auditLog, departments, users, villages } from '../../db/schema.ts';
import { dataImports, enterpriseFigures, registerEntries } from '../../db/schema-watch.ts';
import { secondTownship } from '../helpers/county-fixture.ts';
import { bj, enforcementRows } from '../helpers/enforcement-rows.ts';
import { freshContext } from '../helpers/context.ts';
import { json, signIn } from '../helpers/staff.ts';

// Seed 001's targets on a fake clock: a campaign from 1 March to 31 December 2026, read on 1 July at noon.
let now = bj('2026-07-01T12:00:00');
const { ctx, app } = await freshContext({}, { now: () => now.getTime() });
const db = ctx.db;
const { first, second, village: v2 } = secondTownship(ctx);
const v1 = db.select().from(villages).where(eq(villages.townshipId, first.id)).get()!;
const T1 = { townshipId: first.id, villageId: v1.id };
const T2 = { townshipId: second.id, villageId: v2.id };
const { ent, task } = enforcementRows(ctx);

const figures = (enterpriseId: number, year: number, taxWan: number | null, outputWan: number | null) =>
  db.insert(enterpriseFigures).values({ enterpriseId, year, taxWan, outputWan, updatedAt: now }).run();
function deregistered(enterpriseId: number) {
  const admin = db.select().from(users).where(eq(users.username, 'admin')).get()!;
  const dept = db.select().from(departments).get()!;
  const file = { townshipId: first.id, kind: 'register' as const, fileName: 'r.csv', sha256: 'x', bytes: 1 };
  const importId = db
    .insert(dataImports)
    .values({ ...file, createdBy: admin.id })
    .returning()
    .get().id;
  db.insert(registerEntries)
    .values({ importId, townshipId: first.id, departmentId: dept.id, line: 2, name: 'x', registerStatus: '注销' })
    .run();
  db.update(registerEntries).set({ enterpriseId }).where(eq(registerEntries.importId, importId)).run();
}

// 青溪镇: five files remediated in the campaign (e1 rented; e3 and e5 moved to a park; e5 and e7 僵尸).
const e1 = ent(T1, { premises: 'rented' });
task(e1, T1.villageId, 'shutdown', 'accepted', { accepted: '2026-04-10T10:00:00' });
const e2 = ent(T1);
task(e2, T1.villageId, 'rectify', 'accepted', { accepted: '2026-02-28T23:59:59' }); // the day before it began
const e3 = ent(T1);
task(e3, T1.villageId, 'relocate', 'accepted', { accepted: '2026-03-01T00:00:00' }); // its first instant
const e4 = ent(T1, { premises: 'rented' });
task(e4, T1.villageId, 'shutdown', 'submitted');
const e5 = ent(T1);
task(e5, T1.villageId, 'rectify', 'accepted', { accepted: '2026-05-01T09:00:00' });
task(e5, T1.villageId, 'relocate', 'accepted', { accepted: '2026-06-01T09:00:00' }); // the same file: counted once
figures(e5, 2025, 0, null); // no tax, no output the year before: 僵尸
figures(e5, 2026, 100, 300); // the year of its acceptance does not count
const e6 = ent(T1);
task(e6, T1.villageId, 'shutdown', 'accepted', { accepted: '2026-06-15T09:00:00' });
figures(e6, 2024, 0, 0);
figures(e6, 2025, 50, null); // the last year before it had tax: not 僵尸
const e7 = ent(T1);
task(e7, T1.villageId, 'shutdown', 'accepted', { accepted: '2026-06-20T09:00:00' });
deregistered(e7);
const e8 = ent(T1, { premises: 'rented' });
task(e8, T1.villageId, 'shutdown', 'cancelled');
// 石桥镇: two (f1 rented; f2 moved to a park).
const f1 = ent(T2, { premises: 'rented' });
task(f1, T2.villageId, 'rectify', 'accepted', { accepted: '2026-05-05T09:00:00' });
const f2 = ent(T2);
task(f2, T2.villageId, 'relocate', 'accepted', { accepted: '2026-06-30T09:00:00' });

const call = (method: string, path: string, user: string, body?: unknown) =>
  app.request(
    path,
    body === undefined
      ? { method, headers: { cookie: signIn(ctx, user) } }
      : { method, ...json(body, signIn(ctx, user)) },
  );
const COUNTY = { remediated: 300, rental_remediated: 200, zombie_cleared: 30, moved_to_park: 210 };
let campaignId = 0;

describe('campaigns and targets as data, set by the county office', () => {
  it('refuses a campaign from a township account, a leader, and bad dates, in Chinese', async () => {
    const input = { name: '2026年“低小散”企业整治行动', startsOn: '2026-03-01', dueOn: '2026-12-31' };
    const town = await call('POST', '/api/admin/campaigns', 'shouli', input);
    expect(town.status).toBe(403);
    expect((await town.json()).error.message).toContain('县整治办');
    expect((await call('POST', '/api/admin/campaigns', 'lingdao', input)).status).toBe(403);
    const late = await call('POST', '/api/admin/campaigns', 'admin', { ...input, dueOn: '2026-02-01' });
    expect(late.status).toBe(400);
    expect((await late.json()).error.message).toBe('完成期限不能早于开始日期');
    const day = await call('POST', '/api/admin/campaigns', 'admin', { ...input, startsOn: '2026-02-30' });
    expect((await day.json()).error.message).toBe('开始日期不存在，请检查年月日');
    const made = await call('POST', '/api/admin/campaigns', 'admin', input);
    expect(made.status).toBe(201);
    campaignId = (await made.json()).id;
  });

  it('saves the county targets and the townships’ shares against the version, audited', async () => {
    const targets = [
      ...Object.entries(COUNTY).map(([metric, target]) => ({ metric, townshipId: null, target })),
      ...Object.entries({ remediated: 180, rental_remediated: 120, zombie_cleared: 20, moved_to_park: 130 }).map(
        ([metric, target]) => ({ metric, townshipId: first.id, target }),
      ),
      ...Object.entries({ remediated: 100, rental_remediated: 80, zombie_cleared: 10, moved_to_park: 80 }).map(
        ([metric, target]) => ({ metric, townshipId: second.id, target }),
      ),
    ];
    const path = `/api/admin/campaigns/${campaignId}/targets`;
    expect((await call('PUT', path, 'shouli', { version: 1, targets })).status).toBe(403);
    const bad = await call('PUT', path, 'admin', { version: 1, targets: [{ ...targets[0], target: -1 }] });
    expect((await bad.json()).error.message).toBe('目标数不能小于 0');
    const saved = await call('PUT', path, 'admin', { version: 1, targets });
    expect(await saved.json()).toEqual({ ok: true, version: 2, changed: 12 });
    const stale = await call('PUT', path, 'admin', { version: 1, targets });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.message).toContain('已被他人修改');
    const logged = db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'campaign.targets'), eq(auditLog.objectId, String(campaignId))))
      .all();
    expect(logged).toHaveLength(1);
  });
});

describe('progress counted from the records (hand-counted)', () => {
  // 1 March 00:00 to 1 January 00:00 is 306 days; 1 July noon is 122.5 days in.
  const elapsed = 122.5 / 306;

  it('counts the county: remediated, rented, 僵尸 and moved to a park, against the time gone', () => {
    expect(elapsedShare({ startsOn: '2026-03-01', dueOn: '2026-12-31' }, now)).toBeCloseTo(elapsed, 10);
    const rows = targetProgress(db, { townshipId: null }, {}, now);
    expect(rows.map((r) => [r.metric, r.townshipId, r.target, r.done])).toEqual([
      ['remediated', null, 300, 7],
      ['rental_remediated', null, 200, 2],
      ['zombie_cleared', null, 30, 2],
      ['moved_to_park', null, 210, 3],
    ]);
    expect(rows[0]!.share).toBeCloseTo(7 / 300, 10);
    expect(rows[0]!.label).toBe('整治“低小散”企业');
    expect(progressText(rows[0]!)).toBe('完成 7/300（2.3%），时间进度 40%');
  });

  it('gives a township account its own share only, whatever township it names', () => {
    const own = targetProgress(db, { townshipId: first.id }, { townshipId: second.id }, now);
    expect(own.map((r) => [r.townshipId, r.target, r.done])).toEqual([
      [first.id, 180, 5],
      [first.id, 120, 1],
      [first.id, 20, 2],
      [first.id, 130, 2],
    ]);
    const picked = targetProgress(db, { townshipId: null }, { townshipId: second.id }, now);
    expect(picked.map((r) => r.done)).toEqual([2, 1, 0, 1]);
  });

  it('splits the targets across the townships and says whether the shares add up', async () => {
    const split = await targetSplit(
      db,
      { id: campaignId, name: '', startsOn: '2026-03-01', dueOn: '2026-12-31', archived: false, version: 2 },
      now,
    );
    const remediated = split.rows[0]!;
    expect(remediated.sharesTotal).toBe(280);
    expect(gapText(remediated)).toBe('分解合计比全县目标少 20');
    expect(gapText(split.rows[1]!)).toBe('分解合计与全县目标一致');
    const i1 = split.townships.findIndex((t) => t.id === first.id);
    expect(remediated.townships[i1]).toEqual({ target: 180, done: 5 });
  });

  it('a task accepted after the due date counts no more; the time gone stops at 100%', () => {
    task(e4, T1.villageId, 'shutdown', 'accepted', { accepted: '2027-01-01T00:00:00' });
    now = bj('2027-02-01T00:00:00');
    const rows = targetProgress(db, { townshipId: null }, { campaignId }, now);
    expect(rows[0]!.done).toBe(7);
    expect(rows[0]!.elapsedShare).toBe(1);
    now = bj('2026-07-01T12:00:00');
  });

  it('serves the progress: a township account reads its own, the county the split', async () => {
    const town = await (await call('GET', `/api/admin/campaigns/${campaignId}`, 'shouli')).json();
    expect(town.split).toBeNull();
    expect(town.progress.every((r: { townshipId: number }) => r.townshipId === first.id)).toBe(true);
    const county = await (await call('GET', `/api/admin/campaigns/${campaignId}`, 'admin')).json();
    expect(county.split.rows[0].county).toEqual({ target: 300, done: 7 });
    expect((await call('GET', '/api/admin/campaigns/abc', 'admin')).status).toBe(404);
    expect((await call('GET', `/api/admin/campaigns/${campaignId}/progress?township=x`, 'admin')).status).toBe(400);
  });
});
