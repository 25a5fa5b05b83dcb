const KEY = Symbol.for('sanluanwu.publicCasesVersion');
type Holder = { [KEY]?: number };

/**
 * Bumped on every typical case write, and when a complaint is linked to an enterprise or merged (a
 * published case then masks one more reporter): the page cache (api/http/page-cache.ts) drops
 * what it rendered before. On globalThis because the Astro bundle carries its own copy of the services.
 */
export function publicCasesVersion(): number {
  return (globalThis as Holder)[KEY] ?? 0;
}

export function bumpPublicCases(): void {
  const g = globalThis as Holder;
  g[KEY] = (g[KEY] ?? 0) + 1;
}
