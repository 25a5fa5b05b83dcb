import { readdirSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a request went to: the API, a built file, a page, the metrics, or nothing. */
export type Served = 'api' | 'static' | 'page' | 'metrics' | 'none';

interface Pattern {
  method: string | null;
  label: string;
  regex: RegExp;
  /** Literal characters: where two patterns match, the more literal one is the route. */
  weight: number;
}

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Hono's `/api/complaints/:code` (a `:param{regex}` keeps its regex). */
function honoPattern(method: string, path: string): Pattern {
  const parts = path.split(/(:[A-Za-z0-9_]+(?:\{[^}]*\})?)/);
  const source = parts.map((p, i) => (i % 2 ? `(?:${/\{([^}]*)\}/.exec(p)?.[1] ?? '[^/]+'})` : literal(p))).join('');
  return {
    method,
    label: path,
    regex: new RegExp(`^${source}$`),
    weight: parts.filter((_, i) => i % 2 === 0).join('').length,
  };
}

/** Astro's `/cases/[id]` and `/api/[...path]`, from a page file's path under its pages folder. */
function pagePattern(prefix: string, file: string): Pattern | null {
  const parts = file.replace(/\.(astro|ts|js)$/, '').split(sep);
  if (parts.at(-1) === 'index') parts.pop();
  if (parts.length === 1 && /^(404|500)$/.test(parts[0]!)) return null;
  const label = [prefix, ...parts].join('/') || '/';
  const source = [prefix, ...parts]
    .map((p) => (p.startsWith('[...') ? '.*' : p.startsWith('[') ? '[^/]+' : literal(p)))
    .join('/');
  return {
    method: null,
    label,
    regex: new RegExp(`^${source || '/'}/?$`),
    weight: label.replace(/\[[^\]]*\]/g, '').length,
  };
}

function pageFiles(dir: URL): string[] {
  try {
    return readdirSync(fileURLToPath(dir), { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(astro|ts|js)$/.test(f),
    );
  } catch {
    return [];
  }
}

const SITE_PAGES = new URL('../../site/pages/', import.meta.url);
const ADMIN_PAGES = new URL('../../admin/pages/', import.meta.url);

/**
 * The route a request matched, as its pattern (`GET /api/complaints/:code`, `GET /cases/[id]`):
 * what logs and metrics name a request by. Never the path itself, which may carry a tracking code,
 * and never its query. Anything no route matches is `unmatched`, so labels stay few.
 */
export function routeLabeler(apiRoutes: readonly { method: string; path: string }[]) {
  const api = apiRoutes.filter((r) => !r.path.endsWith('*')).map((r) => honoPattern(r.method, r.path));
  const pages = [
    ...pageFiles(SITE_PAGES).map((f) => pagePattern('', f)),
    ...pageFiles(ADMIN_PAGES).map((f) => pagePattern('/admin', f)),
  ].filter((p): p is Pattern => p !== null);
  // The same few paths come again and again; a path with a code in it is kept only in memory, briefly.
  const cache = new Map<string, string>();
  const best = (list: Pattern[], method: string, path: string) => {
    let found: Pattern | undefined;
    for (const p of list)
      if ((p.method === null || p.method === method || p.method === 'ALL') && p.regex.test(path))
        if (!found || p.weight > found.weight) found = p;
    return found?.label;
  };
  return (method: string, url: string, served: Served): string => {
    if (served === 'static') return 'static';
    if (served === 'metrics') return '/metrics';
    const path = url.split('?', 1)[0]!;
    const m = method === 'HEAD' ? 'GET' : method;
    const key = `${served} ${m} ${path}`;
    let label = cache.get(key);
    if (label === undefined) {
      const route = served === 'api' ? best(api, m, path) : served === 'page' ? best(pages, m, path) : undefined;
      label = route ?? 'unmatched';
      if (cache.size >= 2000) cache.clear();
      cache.set(key, label);
    }
    return label;
  };
}
