import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { App } from './app.ts';
import type { Env } from './env.ts';
import { pageCache } from './http/page-cache.ts';
import { securityHeaders } from './http/security-headers.ts';
import { publicCasesVersion } from './domain/shared/public-version.ts';
import { staticFiles } from './http/static-files.ts';
import { observeRequests } from './http/logging.ts';
import { serveMetrics, type Metrics } from './http/metrics.ts';
import { routeLabeler, type Served } from './http/route-label.ts';

export type SiteHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * One process, one port: /api goes straight to Hono (Astro's adapter is ~7x slower per
 * request), built assets are served from disk, and every other path is an Astro page.
 */
export function createPortalServer(opts: {
  env: Env;
  api: App;
  site?: SiteHandler;
  clientDir?: string;
  /** A log line and the metrics for each request, and GET /metrics for those `allowed` (npm start's). */
  observe?: { metrics: Metrics; allowed: (req: IncomingMessage) => boolean };
}): Server {
  const api = getRequestListener(opts.api.fetch);
  const files = opts.clientDir ? staticFiles(opts.clientDir) : () => false;
  const headers = Object.entries(securityHeaders(opts.env));
  // Public case pages are shared widely at once, and so may the map of accepted reports be; see api/http/page-cache.ts.
  const site =
    opts.site &&
    pageCache(opts.site, {
      paths: /^\/(cases(\/[0-9]*)?|map)$/,
      ttlMs: 10_000,
      maxEntries: 500,
      version: publicCasesVersion,
    });
  const notFound = (res: ServerResponse) => {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('页面不存在');
  };
  const observe = opts.observe && {
    request: observeRequests(routeLabeler(opts.api.routes), opts.observe.metrics.record),
    metrics: serveMetrics(opts.observe.metrics, opts.observe.allowed),
  };
  const dispatch = (req: IncomingMessage, res: ServerResponse): Served => {
    const url = req.url ?? '/';
    if (observe && (url === '/metrics' || url.startsWith('/metrics?'))) {
      observe.metrics(req, res);
      return 'metrics';
    }
    if (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) {
      api(req, res);
      return 'api';
    }
    if (files(req, res)) return 'static';
    // Without a `next`, Astro answers an unknown path with the site's own 404 page.
    if (site) {
      site(req, withReasonPhrase(res));
      return 'page';
    }
    notFound(res);
    return 'none';
  };
  return createServer((req, res) => {
    for (const [k, v] of headers) res.setHeader(k, v);
    if (observe) observe.request(req, res, () => dispatch(req, res));
    else dispatch(req, res);
  });
}

/** Astro's adapter sends every status with the phrase "OK" ("404 OK"); give each its own. */
function withReasonPhrase(res: ServerResponse): ServerResponse {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (rest[0] === 'OK' && status !== 200) rest[0] = STATUS_CODES[status] ?? '';
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as typeof res.writeHead;
  return res;
}
