import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSession, hasBrowser, PHONE, seededPortal, saveShot } from '../helpers/browser.ts';
import type { PortalProcess } from '../helpers/portal-process.ts';
import { CHROMIUM_OPTIONS } from '../helpers/chromium.ts';

// The work app, installable and usable without signal, checked deterministically in `npm test`: these assertions
// replace Lighthouse's PWA category (removed in Lighthouse 12), asking Chrome itself through the DevTools protocol
// whether the page is installable and whether its manifest has errors.

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Buffer) => ({ width: b.readUInt32BE(16), height: b.readUInt32BE(20) });

/** Every cache the page's origin holds, with the paths in each. */
const cacheContents = (page: Page) =>
  page.evaluate(async () => {
    const out: Record<string, string[]> = {};
    for (const name of await caches.keys())
      out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    return out;
  });

describe.skipIf(!hasBrowser)('the back-office as an installable work app that keeps open work offline', () => {
  let portal: PortalProcess;
  let context: BrowserContext;
  let profile: string;
  let sid: string;
  beforeAll(async () => {
    portal = await seededPortal();
    sid = await demoSession(portal, 'zhulin');
    // A profile on disk: Chrome reports every incognito page (a plain new context) as not installable.
    profile = mkdtempSync(join(tmpdir(), 'pwa-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      ...CHROMIUM_OPTIONS,
      ...PHONE,
    });
    await context.addCookies([{ name: 'sid', value: sid, url: portal.base }]);
  });
  afterAll(async () => {
    await context?.close();
    await portal?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  const api = (path: string) => fetch(`${portal.base}${path}`, { headers: { cookie: `sid=${sid}` } });

  it('serves a manifest with the app name, start page, scope, colours and icons that are what they say', async () => {
    const res = await fetch(`${portal.base}/admin/manifest.webmanifest`);
    expect(res.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const m = await res.json();
    expect(m).toMatchObject({
      name: '散乱污整治 · 工作台',
      short_name: '整治工作台',
      start_url: '/admin/todo',
      scope: '/admin/',
      display: 'standalone',
      lang: 'zh-CN',
      theme_color: '#0f5e4a',
      background_color: '#f6f8f7',
    });
    const icons = m.icons as { src: string; sizes: string; type: string; purpose: string }[];
    expect(icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of [...icons, { src: '/admin/icons/apple-touch-icon.png', sizes: '180x180', type: 'image/png' }]) {
      const file = await fetch(`${portal.base}${icon.src}`);
      expect(file.headers.get('content-type'), icon.src).toBe(icon.type);
      const { width, height } = pngSize(Buffer.from(await file.arrayBuffer()));
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
    const sw = await fetch(`${portal.base}/admin/sw.js`);
    expect(sw.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    expect(sw.headers.get('content-security-policy')).toContain("worker-src 'self'");
    expect(await sw.text()).not.toMatch(/^\s*(import|export)\b/m); // a classic script: types and type imports gone
  });

  it("is installable by Chrome's own check once the service worker controls the page, on a phone", async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${portal.base}/admin/todo`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope)).toBe(
      `${portal.base}/admin/`,
    );
    expect(await page.locator('link[rel="manifest"]').getAttribute('href')).toBe('/admin/manifest.webmanifest');
    expect(await page.locator('link[rel="apple-touch-icon"]').getAttribute('href')).toBe(
      '/admin/icons/apple-touch-icon.png',
    );
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.url).toBe(`${portal.base}/admin/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    expect((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors).toEqual([]);
    await saveShot(page, 'pwa-phone-todo');
  });

  it('keeps the open work after one visit: offline, the to-do and task pages come from the phone', async () => {
    const page = context.pages()[0]!;
    const unreadBefore = (await (await api('/api/admin/notifications')).json()).unread as number;
    const { pages } = (await (await api('/api/admin/offline/pages')).json()) as { pages: string[] };
    const task = pages.find((p) => /^\/admin\/tasks\/\d+$/.test(p))!;
    const item = pages.find((p) => /^\/admin\/assignments\/\d+$/.test(p))!;
    expect(pages.slice(0, 4)).toEqual(['/admin/todo', '/admin/tasks', '/admin/revisits', '/admin/patrols']);
    expect(task && item).toBeTruthy();
    await page.goto(`${portal.base}/admin/todo`);
    const userCache = async () => Object.entries(await cacheContents(page)).find(([n]) => n.startsWith('pages-'));
    await expect.poll(async () => (await userCache())?.[1].sort()).toEqual([...pages].sort());
    // Fetching the item's page in the background did not read the notices about it.
    expect((await (await api('/api/admin/notifications')).json()).unread).toBe(unreadBefore);

    // A complaint page he may open online is never kept: it is where a contact can be revealed.
    const card = (await page.locator(`a[href="${item}"]`).textContent()) ?? '';
    const complaint = `/admin/complaints/${/举报 #(\d+)/.exec(card)![1]}`;
    const online = await api(complaint);
    expect(online.status).toBe(200);
    expect(online.headers.get('x-offline-keep')).toBeNull();
    await page.goto(`${portal.base}${complaint}`);
    expect(await page.locator('h1').first().textContent()).not.toBe('没有网络');

    await context.setOffline(true);
    try {
      await page.goto(`${portal.base}/admin/todo`);
      expect(await page.locator('#offline-copy').textContent()).toContain('离线副本');
      expect(await page.locator('h1').textContent()).toBe('待办');
      expect(await page.locator(`a[href="${item}"]`).isVisible()).toBe(true);

      await page.goto(`${portal.base}${task}`);
      expect(await page.locator('#offline-copy').isVisible()).toBe(true);
      expect(await page.locator('#task-status').textContent()).toBe('整治中');
      expect(await page.getByRole('heading', { name: /整治清单/ }).isVisible()).toBe(true);
      await saveShot(page, 'pwa-offline-task');

      await page.goto(`${portal.base}${complaint}`);
      expect(await page.locator('h1').textContent()).toBe('没有网络');
      expect(await page.locator('#offline-url').textContent()).toBe(complaint);
      expect(await page.locator('#offline-copy').count()).toBe(0);
      const listed = await page.locator('#offline-pages a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect([...listed].sort()).toEqual([...pages].sort());
      expect(listed[0]).toBe('/admin/todo');
      await saveShot(page, 'pwa-offline-page', { fullPage: true });
    } finally {
      await context.setOffline(false);
    }
  });

  it('logout deletes every cache on the phone, and the answer clears the browser cache', async () => {
    const page = context.pages()[0]!;
    await page.goto(`${portal.base}/admin/todo`);
    expect(Object.keys(await cacheContents(page)).some((n) => n.startsWith('pages-'))).toBe(true);
    const logout = page.waitForResponse(
      (r) => r.url().endsWith('/api/admin/session') && r.request().method() === 'DELETE',
    );
    await page.locator('#logout').click();
    expect((await (await logout).allHeaders())['clear-site-data']).toBe('"cache"');
    await page.waitForURL(/\/admin\/login/);
    await page.locator('#login-form').waitFor();
    expect(await cacheContents(page)).toEqual({});
  });
});
