import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsAccess } from '../../api/http/metrics.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';
import { reportForm } from '../helpers/report.ts';

// parse-prometheus-text-format ships no types: what this test reads of its answer.
type Family = {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }[];
};
const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

// A reporter and a report whose words must never reach the log (issue 18's log canary).
const CANARY = {
  name: '柯南德尔日志探针',
  phone: '13987659876',
  description: '日志探针ZQXLOGCANARY：作坊夜里偷排废水，气味刺鼻。',
};

let portal: PortalProcess;
beforeAll(async () => {
  portal = await startPortal({ REPORT_RATE_LIMIT: '1000' });
});
afterAll(() => portal?.stop());

/** The portal's JSON log lines (stdout also carries the plain start-up lines, which are not JSON). */
const logLines = () =>
  portal
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('structured logs: one line per request, with its id, and nothing personal', () => {
  it('logs each request by route pattern and id, and never the reporter, the words or the tracking code', async () => {
    const { base } = portal;
    const seen: { id: string; method: string; route: string; status: number }[] = [];
    const call = async (method: string, path: string, route: string, body?: FormData) => {
      const res = await fetch(`${base}${path}`, { method, body });
      const id = res.headers.get('x-request-id');
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/);
      seen.push({ id: id!, method, route, status: res.status });
      return res;
    };
    const filed = await call(
      'POST',
      '/api/complaints',
      '/api/complaints',
      reportForm({ anonymous: '0', ...CANARY }, [await demoPhoto({ hue: 200 })]),
    );
    expect(filed.status).toBe(201);
    const { trackingCode } = (await filed.json()) as { trackingCode: string };
    const dashed = `${trackingCode.slice(0, 5)}-${trackingCode.slice(5)}`;
    // A refused report carries the canary too; its body is no more logged than an accepted one's.
    const refused = await call(
      'POST',
      '/api/complaints',
      '/api/complaints',
      reportForm({ anonymous: '0', ...CANARY, lat: '0' }),
    );
    expect(refused.status).toBe(400);
    const looked = await call('GET', `/api/complaints/${trackingCode}`, '/api/complaints/:code');
    const { photos } = (await looked.json()) as { photos: { id: string }[] };
    await call(
      'GET',
      `/api/complaints/${dashed}/photos/${photos[0]!.id}/thumb`,
      '/api/complaints/:code/photos/:photoId/:size',
    );
    await call('GET', `/track?code=${dashed}`, '/track');
    await call('GET', `/cases/1?q=${trackingCode}`, '/cases/[id]');
    await call('GET', `/no-such-page/${trackingCode}`, 'unmatched');

    // Lines are written after each answer, off the request's path: wait for the last one.
    await expect.poll(() => logLines().some((l) => l['reqId'] === seen.at(-1)!.id)).toBe(true);
    const lines = logLines();
    for (const s of seen) {
      const line = lines.find((l) => l['reqId'] === s.id && l['msg'] === 'request');
      expect(line, `${s.method} ${s.route}`).toMatchObject({ method: s.method, route: s.route, status: s.status });
      expect(typeof line!['ms']).toBe('number');
    }

    const log = portal.output();
    for (const secret of [CANARY.name, CANARY.phone, 'ZQXLOGCANARY', '作坊夜里偷排废水', trackingCode, dashed])
      expect(log, secret).not.toContain(secret);
    // No query string either (a code may ride in one).
    expect(JSON.stringify(lines)).not.toContain('?');
  });
});

describe('health probes', () => {
  it('are counted in the metrics but not logged at info when they succeed (a monitor polls them)', async () => {
    const res = await fetch(`${portal.base}/api/health`);
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    const other = await fetch(`${portal.base}/api/complaints/AAAA-BBBB-CCCC`);
    const otherId = other.headers.get('x-request-id')!;
    await expect.poll(() => logLines().some((l) => l['reqId'] === otherId), { timeout: 5000 }).toBe(true);
    expect(logLines().some((l) => l['reqId'] === id)).toBe(false);
    const metrics = await (await fetch(`${portal.base}/metrics`)).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/health"[^}]*\} [1-9]/);
  });
});

describe('/metrics', () => {
  it('answers a Prometheus text-format parser: latency by route, write queue, event loop, photo work', async () => {
    const { base } = portal;
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const families = new Map(parsePrometheus(text).map((f) => [f.name, f]));

    expect(families.get('http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    // The parser folds a histogram's labelled series into one (it knows unlabelled histograms only):
    // read them again as plain series, the same lines without the TYPE line.
    const plain = parsePrometheus(text.replace('# TYPE http_request_duration_seconds histogram\n', ''));
    const seriesOf = (name: string) => plain.filter((f) => f.name === name).flatMap((f) => f.metrics);
    const counts = seriesOf('http_request_duration_seconds_count');
    const filed = counts.find(
      (m) => m.labels?.['method'] === 'POST' && m.labels['route'] === '/api/complaints' && m.labels['status'] === '201',
    );
    expect(Number(filed?.value)).toBeGreaterThanOrEqual(1);
    const buckets = seriesOf('http_request_duration_seconds_bucket');
    expect(buckets.filter((m) => m.labels?.['route'] === '/api/complaints').length).toBeGreaterThan(5);
    const latency = { metrics: counts };
    const routes = new Set(latency.metrics.map((m) => m.labels?.['route']));
    expect(routes).toContain('/api/complaints/:code');
    // Labels are patterns: no path with a code in it, so their number stays small.
    for (const r of routes) expect(r).toMatch(/^(\/[A-Za-z0-9_.:[\]{}-]*)+$|^static$|^unmatched$/);

    const gauge = (name: string) => {
      const f = families.get(name);
      expect(f?.type, name).toBe('GAUGE');
      return Number(f!.metrics[0]!.value);
    };
    expect(gauge('portal_write_queue_depth')).toBe(0);
    expect(gauge('portal_photo_encoding')).toBe(0);
    expect(gauge('portal_photo_waiting')).toBe(0);
    expect(gauge('portal_photo_upload_bytes')).toBe(0);
    expect(gauge('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(gauge('nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
    expect(families.get('portal_backup_last_success_timestamp_seconds')?.type).toBe('GAUGE');
  });

  it('is refused (404) to a request a proxy relays, and with METRICS_TOKEN only the token opens it', async () => {
    for (const header of ['X-Forwarded-For', 'Forwarded', 'X-Real-IP']) {
      const res = await fetch(`${portal.base}/metrics`, { headers: { [header]: '203.0.113.9' } });
      expect(res.status, header).toBe(404);
      expect(await res.text()).not.toContain('http_request_duration_seconds');
    }
    const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
      ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;
    const open = metricsAccess(undefined);
    expect(open(request('127.0.0.1'))).toBe(true);
    expect(open(request('::1'))).toBe(true);
    expect(open(request('10.0.0.8'))).toBe(false);
    const token = 'a-long-random-metrics-token-0123';
    const guarded = metricsAccess(token);
    expect(guarded(request('10.0.0.8', { authorization: `Bearer ${token}` }))).toBe(true);
    expect(guarded(request('127.0.0.1'))).toBe(false);
    expect(guarded(request('10.0.0.8', { authorization: `Bearer ${token}x` }))).toBe(false);
  });
});

describe('GET /api/health/db', () => {
  it('writes a heartbeat and reads it back; 503 while the database takes no write, the server answering', async () => {
    const { base, dataDir } = portal;
    const ok = await fetch(`${base}/api/health/db`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { database: string; beatAt: string };
    expect(body.database).toBe('writable');
    const db = new Database(join(dataDir, 'portal.sqlite'));
    try {
      const stored = () =>
        (db.prepare('SELECT beat_at FROM health_heartbeat WHERE id = 1').get() as { beat_at: number }).beat_at;
      expect(stored()).toBe(Date.parse(body.beatAt));

      // Another writer holds the lock: the check waits without holding the event loop, then says so.
      db.exec('BEGIN IMMEDIATE');
      const pending = (async () => {
        for (;;) {
          const res = await fetch(`${base}/api/health/db`);
          if (res.status === 503) return (await res.json()) as { ok: boolean; error: { message: string } };
        }
      })();
      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);
      const refused = await pending;
      expect(refused.ok).toBe(false);
      expect(refused.error.message).toMatch(/^数据库无法写入：.*locked/);
      db.exec('ROLLBACK');

      await expect.poll(async () => (await fetch(`${base}/api/health/db`)).status).toBe(200);
      expect(stored()).toBeGreaterThan(Date.parse(body.beatAt));
    } finally {
      db.close();
    }
  });
});
