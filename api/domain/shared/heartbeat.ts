import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../../db/client.ts';

export type Heartbeat = { ok: true; beatAt: Date } | { ok: false; message: string };

const isBusy = (err: unknown) => (err as { code?: string }).code?.startsWith('SQLITE_BUSY') ?? false;

/**
 * Writes the heartbeat row in a transaction of its own and reads it back: a database that takes
 * this write (and its fsync) takes a report. The main connection's busy timeout would hold the
 * event loop while another writer has the lock, so here SQLite is told not to wait, and a busy
 * database is asked again after a pause that leaves the loop free, until `patienceMs` is spent.
 */
export async function beat(db: Db, now: () => Date, patienceMs = 3000): Promise<Heartbeat> {
  const raw = db.$client;
  const upsert = raw.prepare(
    'INSERT INTO health_heartbeat (id, beat_at, pid) VALUES (1, ?, ?) ' +
      'ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, pid = excluded.pid',
  );
  const readBack = raw.prepare('SELECT beat_at AS beatAt FROM health_heartbeat WHERE id = 1');
  const write = raw.transaction((at: number) => {
    upsert.run(at, process.pid);
    return (readBack.get() as { beatAt: number } | undefined)?.beatAt;
  });
  const started = performance.now();
  for (;;) {
    const at = now().getTime();
    const waited = raw.pragma('busy_timeout', { simple: true }) as number;
    raw.pragma('busy_timeout = 0');
    try {
      const stored = write.immediate(at);
      if (stored !== at) return { ok: false, message: 'the heartbeat read back is not the one written' };
      return { ok: true, beatAt: new Date(at) };
    } catch (err) {
      if (!isBusy(err) || performance.now() - started >= patienceMs)
        return { ok: false, message: (err as Error).message };
    } finally {
      raw.pragma(`busy_timeout = ${waited}`);
    }
    await sleep(50);
  }
}

/** At most one heartbeat write a second however often it is asked: callers in between share the last. */
export function heartbeatProbe(db: Db, now: () => Date, minIntervalMs = 1000) {
  let last: { at: number; result: Promise<Heartbeat> } | undefined;
  return (): Promise<Heartbeat> => {
    const t = performance.now();
    if (!last || t - last.at >= minIntervalMs) last = { at: t, result: beat(db, now) };
    return last.result;
  };
}
