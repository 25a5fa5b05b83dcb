import type { Env } from '../env.ts';
import { mapTiles } from '../domain/shared/map-tiles.ts';

function originOf(template: string): string | null {
  try {
    const u = new URL(template.replace(/\{s\}/g, 'subdomain').replace(/\{[a-z]\}/g, '0'));
    // A host with {s} in it (a.tile…, webrd01.is.autonavi.com) becomes a wildcard on that label.
    const host = u.hostname.replace(/^[^.]*subdomain[^.]*\./, '*.');
    return u.protocol === 'https:' || u.protocol === 'http:'
      ? `${u.protocol}//${host}${u.port ? `:${u.port}` : ''}`
      : null;
  } catch {
    return null;
  }
}

/** The headers every response carries, pages and API alike. CSP is a header, never a meta tag. */
export function securityHeaders(env: Env): Record<string, string> {
  const tiles = [...new Set(mapTiles(env).layers.map((l) => originOf(l.url)))].filter(Boolean).join(' ');
  const captcha = env.HCAPTCHA_SECRET ? ['https://hcaptcha.com', 'https://*.hcaptcha.com'] : [];
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${captcha.join(' ')}`.trim(),
    `style-src 'self' ${captcha.join(' ')}`.trim(),
    `img-src 'self' data: blob: ${tiles}`.trim(),
    `connect-src 'self' ${captcha.join(' ')}`.trim(),
    // The back-office's service worker (/admin/sw.js); said outright rather than left to script-src.
    "worker-src 'self'",
    `frame-src ${captcha.length ? captcha.join(' ') : "'none'"}`,
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  const headers: Record<string, string> = {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Permissions-Policy': 'geolocation=(self), camera=(self), microphone=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  if (env.NODE_ENV === 'production') headers['Strict-Transport-Security'] = 'max-age=31536000';
  return headers;
}
