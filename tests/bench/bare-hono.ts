// Baseline: the smallest Hono app on @hono/node-server answering the same JSON as /api/health.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/api/health', (c) => c.json({ ok: true }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
