/// <reference lib="webworker" />
// The back-office's service worker, served as /admin/sw.js (scope /admin/) by admin/offline/sw-route.ts.
// Conservative, because staff pages are private:
// - /_astro/… (hashed build files, the same for everyone): cache first; stored only while an account's pages are
//   kept (the files those pages load), so that a signed-out browser keeps nothing.
// - a navigation under /admin/: the network first; after NETWORK_TIMEOUT_MS, or without a network, the copy kept
//   on the phone, else the offline page. Only a page answered 200 with X-Offline-Keep: 1 and its account's
//   X-Offline-User is ever kept, in that account's cache; a newer account's page drops the older account's.
// - everything else, /api/ above all (JSON, photos, a contact reveal): never touched, never cached.
// - the open work (GET /api/admin/offline/pages) is fetched and kept when a page asks; logout deletes every cache.
// A classic script: only type imports, which stripping removes.
import type { OfflineMessage, OfflinePagesAnswer, OfflineProtocol } from './messages.ts';

declare const self: ServiceWorkerGlobalScope;

const P: OfflineProtocol = {
  keepHeader: 'X-Offline-Keep',
  userHeader: 'X-Offline-User',
  refreshHeader: 'X-Offline-Refresh',
  offlinePage: '/admin/offline',
  pagesApi: '/api/admin/offline/pages',
  pageCachePrefix: 'pages-',
};
// Bump when what is cached changes shape: activation deletes caches of other versions.
const STATIC_CACHE = 'static-v1';
const SHELL_CACHE = 'shell-v1';
const NETWORK_TIMEOUT_MS = 4000;
/** A kept page younger than this is not fetched again by a refresh (a visit always refreshes it). */
const STALE_MS = 15 * 60_000;
/** The open-work list is asked at most this often, however many pages load. */
const LIST_EVERY_MS = 60_000;
/** Pages kept because they were visited, beyond the open work (at most 50, api/domain/supervision/offline-pages.ts). */
const MAX_VISITED = 30;
const MAX_PAGES = 50 + MAX_VISITED;
const MAX_STATIC = 200;
const USER_KEY = /^[0-9a-f]{16,64}$/;

/** Bumped by logout: work begun before it must not write afterwards. */
let generation = 0;
let refreshing: Promise<void> | null = null;
let refreshAbort: AbortController | null = null;
const listedAt = new Map<string, number>();

self.addEventListener('install', (event) => {
  void self.skipWaiting();
  event.waitUntil(keepShell().catch(() => undefined));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const ours = (n: string) => n === STATIC_CACHE || n === SHELL_CACHE || n.startsWith(P.pageCachePrefix);
      for (const name of await caches.keys()) if (!ours(name)) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/_astro/')) event.respondWith(cacheFirst(event));
  else if (request.mode === 'navigate' && url.pathname.startsWith('/admin/')) event.respondWith(networkFirst(event));
});

self.addEventListener('message', (event) => {
  const message = event.data as OfflineMessage;
  if (message?.type === 'refresh' && typeof message.user === 'string' && USER_KEY.test(message.user)) {
    event.waitUntil(refresh(message.user));
  } else if (message?.type === 'forget') {
    event.waitUntil(forget().then(() => event.ports[0]?.postMessage('forgotten')));
  }
});

async function cacheFirst(event: FetchEvent): Promise<Response> {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(event.request);
  if (hit) return hit;
  const res = await fetch(event.request);
  if (res.status === 200 && res.type === 'basic' && (await pageCache()))
    event.waitUntil(putStatic(cache, event.request.url, res.clone()));
  return res;
}

async function putStatic(cache: Cache, url: string, res: Response) {
  await cache.put(url, res);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_STATIC))) await cache.delete(old);
}

function networkFirst(event: FetchEvent): Promise<Response> {
  const request = event.request;
  const network = fetch(request);
  const started = generation;
  event.waitUntil(
    network.then((res) => keepPage(request.url, res.clone(), started, null, false)).catch(() => undefined),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), NETWORK_TIMEOUT_MS)));
  return (async () => {
    try {
      const first = await Promise.race([network, slow]);
      if (first !== 'slow') return first;
      // A slow network: the kept copy if there is one, else go on waiting for the network.
      return (await keptPage(request.url)) ?? (await network);
    } catch {
      return (await keptPage(request.url)) ?? (await offlinePage(request.url));
    } finally {
      clearTimeout(timer);
    }
  })();
}

/** Whether a page answer may be kept, and for whom. */
function keeperOf(res: Response): string | null {
  const user = res.headers.get(P.userHeader);
  const ok = res.status === 200 && res.type === 'basic' && !res.redirected && res.headers.get(P.keepHeader) === '1';
  return ok && user && USER_KEY.test(user) ? user : null;
}

/** Keeps a page answer if it may be kept (for `expected` only, when given), with the files it loads. */
async function keepPage(url: string, res: Response, started: number, expected: string | null, inRefresh: boolean) {
  const user = keeperOf(res);
  if (!user || (expected !== null && user !== expected) || started !== generation) return;
  const html = await res.text();
  if (started !== generation) return;
  await dropOtherAccounts(user);
  const cache = await caches.open(P.pageCachePrefix + user);
  await cache.put(url, new Response(html, { status: 200, headers: res.headers }));
  await keepAssets(html, started);
  if (!inRefresh) await trimVisited(cache, null);
}

/** One account's pages on a phone at a time: another account signing in drops the previous one's. */
async function dropOtherAccounts(user: string) {
  for (const name of await caches.keys())
    if (name.startsWith(P.pageCachePrefix) && name !== P.pageCachePrefix + user) await caches.delete(name);
}

/** The only account's page cache, if there is exactly one. */
async function pageCache(): Promise<Cache | null> {
  const names = (await caches.keys()).filter((n) => n.startsWith(P.pageCachePrefix));
  return names.length === 1 ? caches.open(names[0]!) : null;
}

const when = (res: Response) => Date.parse(res.headers.get('date') ?? '') || 0;

/** The kept copy, with a line under the header saying that it is one and when it was saved. */
async function keptPage(url: string): Promise<Response | null> {
  const hit = await (await pageCache())?.match(url);
  if (!hit) return null;
  const saved = new Date(when(hit)).toLocaleString('zh-CN', {
    timeZone: 'Asia/Shanghai',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const note =
    `<p class="offline-copy" id="offline-copy" role="status">离线副本：没有网络，显示的是 ${saved} 保存在手机上的页面。` +
    '恢复网络后刷新可看最新。</p>';
  const page = await hit.text();
  // Under the header (the layout's), else at the top of the body.
  const html = page.includes('</header>')
    ? page.replace('</header>', `</header>${note}`)
    : page.replace(/<body[^>]*>/, (tag) => tag + note);
  return new Response(html, { status: 200, headers: hit.headers });
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The offline page, listing the pages kept on the phone, for a page that is not. */
async function offlinePage(url: string): Promise<Response> {
  const shell = await caches.match(P.offlinePage, { cacheName: SHELL_CACHE });
  if (!shell)
    return new Response('没有网络，此页面没有保存在手机上。', {
      status: 503,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  const cache = await pageCache();
  const items: { path: string; html: string }[] = [];
  for (const request of (await cache?.keys()) ?? []) {
    const page = await cache!.match(request);
    const title = /<title>([^<]*)<\/title>/.exec((await page?.text()) ?? '')?.[1]?.replace(/ · 整治办工作台$/, '');
    const path = new URL(request.url).pathname + new URL(request.url).search;
    // The title is HTML already (as the server escaped it); the path is escaped here.
    items.push({ path, html: `<li><a href="${escapeHtml(path)}">${title || escapeHtml(path)}</a></li>` });
  }
  // 待办 first, then the lists, then single items (a task, a 交办 item), each group by address.
  const rank = (path: string) => (path === '/admin/todo' ? 0 : /\/\d+$/.test(path) ? 2 : 1);
  items.sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  const list = items.map((i) => i.html).join('');
  const asked = new URL(url);
  const html = (await shell.text())
    .replace(/(<ul[^>]*id="offline-pages"[^>]*>)[\s\S]*?(<\/ul>)/, (_, open, close) => open + list + close)
    .replace(
      /(<code[^>]*id="offline-url"[^>]*>)[\s\S]*?(<\/code>)/,
      (_, open, close) => open + escapeHtml(asked.pathname + asked.search) + close,
    );
  return new Response(html, { status: 503, headers: shell.headers });
}

/** The offline page and the files it loads; fetched without the session, so that it holds nobody's data. */
async function keepShell() {
  const shell = await caches.open(SHELL_CACHE);
  const hit = await shell.match(P.offlinePage);
  if (hit && Date.now() - when(hit) < STALE_MS) return;
  const res = await fetch(P.offlinePage, { credentials: 'omit', cache: 'no-store' });
  if (res.status !== 200) return;
  await keepAssets(await res.clone().text(), generation);
  await shell.put(P.offlinePage, res);
}

/** The build files a kept page loads (its stylesheets and scripts, and the scripts those import), for offline use. */
async function keepAssets(html: string, started: number) {
  const cache = await caches.open(STATIC_CACHE);
  const todo = [...html.matchAll(/(?:href|src)="(\/_astro\/[^"]+)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  while (todo.length && started === generation) {
    const path = todo.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    let res = await cache.match(path);
    if (!res) {
      const fresh = await fetch(path).catch(() => null);
      if (fresh?.status !== 200 || started !== generation) continue;
      await cache.put(path, fresh.clone());
      res = fresh;
    }
    if (!path.endsWith('.js')) continue;
    // Rollup's static imports between chunks: import{a}from"./x.js" and import"./y.js".
    for (const m of (await res.text()).matchAll(/(?:from|import)\s*"(\.\/[^"]+\.js)"/g))
      todo.push(new URL(m[1]!, new URL(path, self.location.origin)).pathname);
  }
}

/** Fetches and keeps this account's open work: each page missing or older than STALE_MS. One refresh at a time. */
function refresh(user: string): Promise<void> {
  refreshing ??= (async () => {
    const started = generation;
    const abort = (refreshAbort = new AbortController());
    try {
      await keepShell().catch(() => undefined);
      await dropOtherAccounts(user);
      if (Date.now() - (listedAt.get(user) ?? 0) < LIST_EVERY_MS) return;
      const list = await fetch(P.pagesApi, { signal: abort.signal, cache: 'no-store' });
      if (list.status !== 200) return;
      listedAt.set(user, Date.now());
      const { pages } = (await list.json()) as OfflinePagesAnswer;
      const wanted = pages.filter((p) => /^\/admin\/[^?#]*$/.test(p)).map((p) => new URL(p, self.location.origin).href);
      const cache = await caches.open(P.pageCachePrefix + user);
      for (const url of wanted) {
        if (started !== generation) return;
        const hit = await cache.match(url);
        if (hit && Date.now() - when(hit) < STALE_MS) continue;
        const res = await fetch(url, { signal: abort.signal, headers: { [P.refreshHeader]: '1' } }).catch(() => null);
        if (res) await keepPage(url, res, started, user, true);
      }
      await trimVisited(cache, new Set(wanted));
    } catch {
      // Offline, or logged out meanwhile: the next page load asks again.
    } finally {
      refreshing = null;
      refreshAbort = null;
    }
  })();
  return refreshing;
}

/** Keeps the open work and at most MAX_VISITED other pages (MAX_PAGES in all after a visit), the oldest first out. */
async function trimVisited(cache: Cache, openWork: Set<string> | null) {
  const others = (await cache.keys()).filter((r) => !openWork?.has(r.url));
  const keep = openWork ? MAX_VISITED : MAX_PAGES;
  for (const old of others.slice(0, Math.max(0, others.length - keep))) await cache.delete(old);
}

/** Logout: stop any refresh, then delete every cache. */
async function forget() {
  generation++;
  refreshAbort?.abort();
  await refreshing?.catch(() => undefined);
  listedAt.clear();
  for (const name of await caches.keys()) await caches.delete(name);
}
