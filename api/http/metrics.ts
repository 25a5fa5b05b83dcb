import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './logging.ts';

/** What the process can tell about its queues when Prometheus asks. */
export interface MetricSources {
  /** Reports sent to the write thread and not yet committed (decision 009). */
  writeQueueDepth: () => number;
  photoWork: () => { encoding: number; waiting: number; admittedPixels: number; uploadBytes: number };
  /** The newest complete backup in BACKUP_DIR (seconds since the epoch), 0 for none. */
  lastBackupSeconds: () => number;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Prometheus text format at GET /metrics: request latency by route pattern, the write queue,
 * event-loop delay (prom-client's nodejs_eventloop_lag_*), photo work in flight, backups.
 */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its answer being sent, by route pattern',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('portal_write_queue_depth', 'Reports waiting on the write thread for their commit', sources.writeQueueDepth);
  gauge('portal_photo_encoding', 'Photos being re-encoded now', () => sources.photoWork().encoding);
  gauge('portal_photo_waiting', 'Photos waiting for an encoding slot', () => sources.photoWork().waiting);
  gauge('portal_photo_admitted_pixels', 'Pixels of report photos admitted and not yet done', () => {
    return sources.photoWork().admittedPixels;
  });
  gauge('portal_photo_upload_bytes', 'Bytes of report uploads being read or answered', () => {
    return sources.photoWork().uploadBytes;
  });
  gauge('portal_backup_last_success_timestamp_seconds', 'When the newest complete backup was made', () => {
    return sources.lastBackupSeconds();
  });
  const backupFailures = new Counter({
    name: 'portal_backup_failures_total',
    help: 'Scheduled backups that failed',
    registers: [registry],
  });
  return {
    record: (r: RequestRecord) => latency.observe({ method: r.method, route: r.route, status: r.status }, r.seconds),
    backupFailed: () => backupFailures.inc(),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Who may read /metrics: with METRICS_TOKEN set, whoever sends it as a bearer token, from
 * anywhere; without one, only a client on this machine connecting directly: a request a reverse
 * proxy relays also comes from loopback, so any forwarding header refuses it. Others get a 404.
 */
export function metricsAccess(token: string | undefined) {
  const want = token ? digest(token) : undefined;
  return (req: IncomingMessage): boolean => {
    if (want) {
      const got = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      return got !== undefined && timingSafeEqual(digest(got), want);
    }
    return LOOPBACK.has(req.socket.remoteAddress ?? '') && !FORWARDED.some((h) => h in req.headers);
  };
}

export function serveMetrics(metrics: Metrics, allowed: (req: IncomingMessage) => boolean) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!allowed(req) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('页面不存在');
      return;
    }
    metrics.text().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.contentType }).end(body),
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('指标暂时不可用'),
    );
  };
}
