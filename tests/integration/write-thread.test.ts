import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { FilingJob } from '../../api/domain/complaints/filing-sql.ts';
import { WriteError } from '../../db/write-thread.ts';
import { complaintEvents, complaints, villages } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';

const { ctx } = await freshContext();
const village = ctx.db.select().from(villages).limit(1).get()!;
let n = 0;

function job(over: Partial<FilingJob['complaint']> = {}): FilingJob {
  const now = Date.now();
  n++;
  return {
    complaint: {
      trackingCode: `WT${n}${'X'.repeat(8)}`,
      townshipId: village.townshipId,
      villageId: village.id,
      outsideVillages: false,
      categoryCode: 'air',
      lat: 29.3,
      lng: 120.07,
      address: null,
      description: `写入线程测试 ${n}`,
      seenAtMs: null,
      source: 'web',
      idempotencyKey: null,
      createdAtMs: now,
      dueAtMs: now + 86_400_000,
      hasPhotos: false,
      ...over,
    },
    contact: null,
    photos: [],
    apiKeyId: null,
    duplicateSinceMs: now - 86_400_000,
  };
}
const stored = (code: string) =>
  ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, code)).get();

describe('the write thread (group commit off the HTTP thread)', () => {
  it('commits writes sent together, and one refused write undoes none of the others', async () => {
    const jobs = [job(), job(), job({ villageId: 9999 }), job(), job()];
    const results = await Promise.allSettled(jobs.map((j) => ctx.filings.run(j)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = (results[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(WriteError);
    expect(refused.code).toBe('SQLITE_CONSTRAINT_FOREIGNKEY');
    for (const [i, j] of jobs.entries()) {
      const row = stored(j.complaint.trackingCode);
      if (i === 2) expect(row).toBeUndefined();
      else expect(row?.id).toBe((results[i] as PromiseFulfilledResult<{ id: number }>).value.id);
    }
    // The refused report left no event behind either: its savepoint was rolled back whole.
    const events = ctx.db.select({ n: count() }).from(complaintEvents).get()!.n;
    const rows = ctx.db.select({ n: count() }).from(complaints).get()!.n;
    expect(events).toBe(rows);
  });

  it('refuses a lone write without writing any of it', async () => {
    const lone = job({ villageId: 9999 });
    const before = ctx.db.select({ n: count() }).from(complaintEvents).get()!.n;
    await expect(ctx.filings.run(lone)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(stored(lone.complaint.trackingCode)).toBeUndefined();
    expect(ctx.db.select({ n: count() }).from(complaintEvents).get()!.n).toBe(before);
  });

  it('answers a repeated idempotency key with the first filing, also when both arrive in one batch', async () => {
    const first = job({ idempotencyKey: 'same-key-0123456789' });
    const [a, b] = await Promise.all([
      ctx.filings.run(first),
      ctx.filings.run(job({ idempotencyKey: 'same-key-0123456789' })),
    ]);
    const id = stored(first.complaint.trackingCode)!.id;
    expect(a).toEqual({ id });
    expect(b).toMatchObject({ earlier: { id, trackingCode: first.complaint.trackingCode, villageId: village.id } });
    const later = await ctx.filings.run(job({ idempotencyKey: 'same-key-0123456789' }));
    expect(later).toMatchObject({ earlier: { id } });
    expect(
      ctx.db.select({ n: count() }).from(complaints).where(eq(complaints.idempotencyKey, 'same-key-0123456789')).get()!
        .n,
    ).toBe(1);
  });

  it('refuses a category that is not on the list, writing nothing', async () => {
    const before = ctx.db.select({ n: count() }).from(complaints).get()!.n;
    expect(await ctx.filings.run(job({ categoryCode: 'no-such-category' }))).toEqual({ unknownCategory: true });
    expect(ctx.db.select({ n: count() }).from(complaints).get()!.n).toBe(before);
  });

  it('refuses what was in flight when the thread stops, and a write sent meanwhile goes to a new thread', async () => {
    const inFlight = ctx.filings.run(job());
    const stopping = ctx.filings.close();
    const after = job();
    const next = ctx.filings.run(after); // the old thread is still exiting
    await stopping;
    await expect(inFlight).rejects.toThrow();
    expect(await next).toEqual({ id: stored(after.complaint.trackingCode)?.id });
  });
});
