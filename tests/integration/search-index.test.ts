import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { insertFiling, type FilingJob } from '../../api/domain/complaints/filing-sql.ts';
import { listQueue, queueQuery } from '../../api/domain/complaints/queue.ts';
import { indexComplaints } from '../../api/domain/complaints/search-index.ts';
import { hasOpenNeighbour, nearbyComplaints } from '../../api/domain/complaints/neighbours.ts';
import { openConnection } from '../../db/connection.ts';
import { complaints } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { ZHULIN } from '../helpers/report.ts';

const { ctx, dir } = await freshContext();
const file = join(dir, 'portal.sqlite');
// A second connection, as the write thread has: what it files stays above the watermark until indexed.
const thread = openConnection(file);
const triage = staffByUsername(ctx.db, 'shouli')!;
const village = ctx.villageAreas()[0]!;
const mark = () => (thread.prepare('SELECT complaints_indexed AS m FROM search_watermark').get() as { m: number }).m;
const inFts = (text: string) =>
  thread.prepare('SELECT rowid AS id FROM complaints_fts WHERE complaints_fts MATCH ?').all(`"${text}"`) as {
    id: number;
  }[];
// Compares the index with the table: only meaningful once every row is indexed.
const ftsIntact = () => thread.exec("INSERT INTO complaints_fts(complaints_fts, rank) VALUES ('integrity-check', 1)");
const search = (q: string, sort = 'newest') =>
  listQueue(ctx.db, triage, queueQuery.parse({ q, sort })).rows.map((r) => r.id);

let n = 0;
function file1(description: string, p = ZHULIN): number {
  const now = Date.now();
  const job: FilingJob = {
    complaint: {
      trackingCode: `IDX${++n}ABCDEFGH`,
      townshipId: village.townshipId,
      villageId: village.id,
      outsideVillages: false,
      categoryCode: 'air',
      lat: p.lat,
      lng: p.lng,
      address: null,
      description,
      seenAtMs: null,
      source: 'web',
      idempotencyKey: null,
      createdAtMs: now,
      dueAtMs: now + 86_400_000,
      hasPhotos: false,
    },
    contact: null,
    photos: [],
    apiKeyId: null,
    duplicateSinceMs: now - 90 * 86_400_000,
  };
  const outcome = thread.transaction(() => insertFiling(thread, job)).immediate();
  if (!('id' in outcome)) throw new Error('not filed');
  return outcome.id;
}

describe('the search indexes behind a watermark (decision 010)', () => {
  it('finds a report above the watermark by text and by place, and once it is indexed, exactly once', () => {
    const older = file1('河边酸洗作坊排放刺鼻气体');
    indexComplaints(thread);
    const newer = file1('河边酸洗作坊夜里又开工');
    expect(mark()).toBe(older);
    expect(inFts('酸洗作坊').map((r) => r.id)).toEqual([older]);

    expect(search('酸洗作坊')).toEqual([newer, older]);
    expect(search('酸洗作坊', 'overdue')).toEqual([older, newer]);
    expect(nearbyComplaints(thread, ZHULIN, 200, Date.now() - 86_400_000).map((r) => r.id)).toEqual(
      expect.arrayContaining([older, newer]),
    );
    expect(
      hasOpenNeighbour(thread, { lat: ZHULIN.lat + 0.0005, lng: ZHULIN.lng }, 1, 200, Date.now() - 86_400_000),
    ).toBe(true);

    expect(indexComplaints(thread)).toBe(1);
    expect(mark()).toBe(newer);
    expect(
      inFts('酸洗作坊')
        .map((r) => r.id)
        .sort(),
    ).toEqual([older, newer].sort());
    expect(search('酸洗作坊')).toEqual([newer, older]);
    const near = nearbyComplaints(thread, ZHULIN, 200, Date.now() - 86_400_000).map((r) => r.id);
    expect(near.filter((id) => id === newer)).toHaveLength(1);
    ftsIntact();
  });

  it('finds an edited report by its new words only, edited before and after it is indexed', () => {
    const id = file1('塑料作坊冒黑烟');
    thread.prepare('UPDATE complaints SET description = ? WHERE id = ?').run('橡胶作坊冒黑烟', id);
    indexComplaints(thread);
    ftsIntact();
    expect(inFts('塑料作坊')).toEqual([]);
    expect(inFts('橡胶作坊').map((r) => r.id)).toEqual([id]);
    thread.prepare('UPDATE complaints SET description = ? WHERE id = ?').run('铸造作坊冒黑烟', id);
    expect(inFts('橡胶作坊')).toEqual([]);
    expect(inFts('铸造作坊').map((r) => r.id)).toEqual([id]);
    ftsIntact();
  });

  it('the write thread indexes what it files once it is idle', async () => {
    const r = await ctx.filings.run({
      complaint: {
        trackingCode: 'IDXTHREAD0001',
        townshipId: village.townshipId,
        villageId: village.id,
        outsideVillages: false,
        categoryCode: 'water',
        lat: ZHULIN.lat,
        lng: ZHULIN.lng,
        address: null,
        description: '电镀作坊偷排废水',
        seenAtMs: null,
        source: 'web',
        idempotencyKey: null,
        createdAtMs: Date.now(),
        dueAtMs: Date.now() + 86_400_000,
        hasPhotos: false,
      },
      contact: null,
      photos: [],
      apiKeyId: null,
      duplicateSinceMs: 0,
    });
    const id = (r as { id: number }).id;
    for (let i = 0; i < 100 && mark() < id; i++) await new Promise((done) => setTimeout(done, 20));
    expect(mark()).toBeGreaterThanOrEqual(id);
    expect(inFts('电镀作坊').map((x) => x.id)).toContain(id);
  });

  it('a start-up indexes what a stopped thread left above the watermark', async () => {
    const id = file1('石料加工粉尘很大');
    expect(mark()).toBeLessThan(id);
    await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
    expect(mark()).toBe(id);
    expect(inFts('石料加工').map((x) => x.id)).toEqual([id]);
  });

  it('a staff transaction holds the write lock from BEGIN: no write-thread commit can make it fail half-way', () => {
    const other = openConnection(file);
    other.pragma('busy_timeout = 0');
    const id = file1('待核实的作坊');
    ctx.db.transaction((tx) => {
      tx.select({ id: complaints.id }).from(complaints).where(eq(complaints.id, id)).get();
      // Deferred, this commit would succeed and the update below fail with SQLITE_BUSY.
      expect(() => other.prepare('UPDATE search_watermark SET complaints_indexed = complaints_indexed').run()).toThrow(
        /locked|busy/i,
      );
      tx.update(complaints).set({ address: '村东头' }).where(eq(complaints.id, id)).run();
    });
    expect(ctx.db.select({ a: complaints.address }).from(complaints).where(eq(complaints.id, id)).get()!.a).toBe(
      '村东头',
    );
    other.close();
  });
});
