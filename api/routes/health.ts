import { Hono } from 'hono';

/** Public: load balancers and the benchmark baseline call it. */
export const health = new Hono().get('/', (c) => c.json({ ok: true }));
