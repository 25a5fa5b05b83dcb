import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import type { Served } from './route-label.ts';

/** The request a log line was written for: every line inside one carries its id. */
const current = new AsyncLocalStorage<{ id: string }>();

// Lines go out in blocks of ~16 KB (sonic-boom's largest), not one write each, and at least once a
// second. Under load on /api/health here, a line a request cost ~10 µs of CPU with blocks (~50 µs a
// request with metrics and logs against ~40 without; a write a line was ~20 µs more).
const destination = pino.destination({ dest: 1, sync: false, minLength: 16_000 });

/**
 * One JSON line per event on stdout (journald or the container keeps it). What may go in a line:
 * ids, route patterns, methods, statuses, timings, counts, error stacks. Never a path, a query,
 * a body, a reporter's name or phone, or a tracking code: see observeRequests.
 */
export const logger = pino(
  {
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const request = current.getStore();
      return request ? { reqId: request.id } : {};
    },
  },
  destination,
);
// Flushed at least once a second, so that a quiet server's lines are not held back.
setInterval(() => destination.flush(), 1000).unref();

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
export const setLogLevel = (level: LogLevel) => {
  logger.level = level;
};

/**
 * Probes a monitor polls every few seconds: counted in the metrics like every request, logged only at
 * debug level when they succeed. A line each cost /api/health a third of its rate in `npm run bench`.
 */
const QUIET_ROUTES = new Set(['/api/health']);

export interface RequestRecord {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

/**
 * Wraps each request: an id (also sent back as X-Request-Id, for a resident or an officer to quote),
 * and when the answer is done, one log line and `record` (the metrics). The route is the pattern
 * the request matched, never its path.
 */
export function observeRequests(
  label: (method: string, url: string, served: Served) => string,
  record: (r: RequestRecord) => void,
) {
  return (req: IncomingMessage, res: ServerResponse, dispatch: () => Served) => {
    const started = performance.now();
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    let served: Served = 'none';
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const method = req.method ?? 'GET';
      const route = label(method, req.url ?? '/', served);
      const status = res.statusCode;
      record({ method, route, status, seconds });
      const line = { reqId: id, method, route, status, ms: Math.round(seconds * 1e4) / 10 };
      // The client went away before the whole answer was sent.
      if (!res.writableFinished) logger.info({ ...line, aborted: true }, 'request');
      else if (QUIET_ROUTES.has(route) && status < 400) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    current.run({ id }, () => {
      served = dispatch();
    });
  };
}
