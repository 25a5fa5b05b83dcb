const KEY = Symbol.for('sanluanwu.publicCasesVersion');
type Holder = { [KEY]?: number };

/**
 * Bumped on every exposure write: the page cache (api/http/page-cache.ts) drops what it rendered
 * before. On globalThis because the Astro bundle carries its own copy of the services.
 */
export function publicCasesVersion(): number {
  return (globalThis as Holder)[KEY] ?? 0;
}

export function bumpPublicCases(): void {
  const g = globalThis as Holder;
  g[KEY] = (g[KEY] ?? 0) + 1;
}
