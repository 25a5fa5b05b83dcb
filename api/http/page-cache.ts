import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SESSION_COOKIE } from '../domain/accounts/sessions.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

interface Entry {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  version: number;
  expires: number;
}

export interface PageCacheOptions {
  /** Which paths may be cached (public, the same for every visitor). */
  paths: RegExp;
  ttlMs: number;
  maxEntries: number;
  /** Changes whenever what the pages show changes; an entry made under another version is stale. */
  version: () => number;
}

const MAX_BODY = 1 << 20; // a page larger than this is not worth holding

const CACHEABLE_STATUS = new Set([200, 404, 410]);

/**
 * Keeps rendered public pages in memory so a shared case page under a viral spike costs what a
 * static file costs. Only anonymous GET/HEAD (no session cookie), only the given paths, keyed by
 * host and URL; a response setting a cookie is never kept. The security headers are set per
 * request by the server before this runs, so a cached answer carries them too.
 */
export function pageCache(handler: Handler, opts: PageCacheOptions): Handler {
  const entries = new Map<string, Entry>();
  const sessionCookie = `${SESSION_COOKIE}=`;

  const serve = (req: IncomingMessage, res: ServerResponse, e: Entry) => {
    res.writeHead(e.status, { ...e.headers, 'content-length': e.body.length });
    res.end(req.method === 'HEAD' ? undefined : e.body);
  };

  const store = (key: string, e: Entry) => {
    if (entries.size >= opts.maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, e);
  };

  const cached = (req: IncomingMessage, res: ServerResponse, next?: () => void) => {
    const url = req.url ?? '/';
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !opts.paths.test(url.split('?')[0]!) ||
      req.headers.cookie?.includes(sessionCookie)
    ) {
      return handler(req, res, next);
    }
    const key = JSON.stringify([req.headers.host ?? '', url]);
    const hit = entries.get(key);
    if (hit && hit.version === opts.version() && hit.expires > Date.now()) return serve(req, res, hit);
    if (hit) entries.delete(key);
    if (req.method === 'HEAD') return handler(req, res, next);
    // The version before rendering: a page rendered while a case changed is stale at once.
    const version = opts.version();
    capture(res, (status, headers, body) => {
      if (!CACHEABLE_STATUS.has(status) || headers['set-cookie'] || body.length > MAX_BODY) return;
      store(key, { status, headers, body, version, expires: Date.now() + opts.ttlMs });
    });
    handler(req, res, next);
  };
  return cached;
}

/** Tees what the handler writes; `done` sees it when the response ends. */
function capture(res: ServerResponse, done: (status: number, headers: OutgoingHttpHeaders, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  let headers: OutgoingHttpHeaders | null = null;
  let ok = true;
  const { writeHead, write, end } = res;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const h = rest.find((r) => typeof r === 'object' && r !== null);
    if (Array.isArray(h)) ok = false;
    headers = Object.fromEntries(
      Object.entries((h as OutgoingHttpHeaders | undefined) ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as typeof res.writeHead;
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk == null || typeof chunk === 'function') return;
    chunks.push(
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array),
    );
  };
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as typeof res.end;
  // Only a page that reached the client whole is kept: a visitor who hung up mid-page leaves a
  // truncated body behind, and Astro still calls end() after stopping its stream.
  res.once('finish', () => {
    if (!ok || !headers || res.destroyed || !res.writableFinished || res.getHeader('set-cookie')) return;
    const h = headers as OutgoingHttpHeaders;
    delete h['content-length'];
    done(res.statusCode, h, Buffer.concat(chunks));
  });
}
