import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF for every state-changing request, page form or API, JSON or not: a browser names the
 * page that sent it in Origin (and Sec-Fetch-Site); one from another site is refused. A request
 * with neither header does not come from a browser page, so it cannot ride a visitor's cookies.
 */
export function isCrossSite(
  req: { method: string; origin?: string | null; secFetchSite?: string | null },
  ownOrigin: string,
): boolean {
  if (SAFE.has(req.method)) return false;
  const { origin, secFetchSite: site } = req;
  return (origin != null && origin !== ownOrigin) || (site != null && site !== 'same-origin' && site !== 'none');
}

/** Our own origin: the configured public URL (behind a TLS proxy), else what the request says. */
export function ownOrigin(publicBaseUrl: string | undefined, requestUrl: string): string {
  return new URL(publicBaseUrl ?? requestUrl).origin;
}

/**
 * The same, for links a page writes into its HTML (feed, canonical, Open Graph): Astro's request
 * URL in middleware mode names the local listener, so the Host header decides when it looks sane.
 */
export function publicOrigin(publicBaseUrl: string | undefined, headers: Headers, requestUrl: string): string {
  if (publicBaseUrl) return new URL(publicBaseUrl).origin;
  const host = headers.get('host');
  const proto = new URL(requestUrl).protocol;
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${proto}//${host}` : ownOrigin(undefined, requestUrl);
}

export function sameOrigin(publicBaseUrl: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const cross = isCrossSite(
      { method: c.req.method, origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
      ownOrigin(publicBaseUrl, c.req.url),
    );
    if (cross) throw new ApiError(403, '拒绝跨站提交：请从本站页面提交');
    return next();
  };
}
