import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { heartbeatProbe } from '../domain/shared/heartbeat.ts';

/**
 * Public. `/` answers without touching the database: load balancers and the benchmark baseline
 * poll it. `/db` writes a heartbeat row and reads it back (at most once a second, callers in
 * between share the answer): 503 when the database does not take a write.
 */
export function healthRoutes(ctx: AppContext) {
  const probe = heartbeatProbe(ctx.db, ctx.clock);
  return new Hono()
    .get('/', (c) => c.json({ ok: true }))
    .get('/db', async (c) => {
      const beat = await probe();
      if (beat.ok) return c.json({ ok: true, database: 'writable', beatAt: beat.beatAt.toISOString() });
      return c.json(
        { ok: false, database: 'not writable', error: { message: `数据库无法写入：${beat.message}` } },
        503,
      );
    });
}
