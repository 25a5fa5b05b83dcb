import { adminPages, samplePath } from '../../admin/page-routes.ts';
import { describe, expect, it } from 'vitest';
import { demoSession, hasBrowser, PHONE, portalAndBrowser, seriousViolations, saveShot } from '../helpers/browser.ts';
import { ZHULIN } from '../helpers/report.ts';

// Every page the back-office has (admin/pages), each [id] as the demo's first row.
const registered = adminPages().map((p) => samplePath(p.pattern));

// Leaflet writes a string tooltip into the page as HTML: an enterprise's name must reach it as text.
const MARKUP_NAME = '<img src=x onerror="window.__pwned=1"><b>粗</b>';

describe.skipIf(!hasBrowser)('staff pages: accessible, and data shown as text', () => {
  const live = portalAndBrowser();

  it('has no serious or critical axe-core violation on any back-office page (admin, desktop)', async () => {
    const sid = await demoSession(live.portal, 'admin');
    const paths = registered.filter((p) => p !== '/admin/login' && p !== '/admin/password');
    expect(paths).toContain('/admin/tables');
    expect(
      await seriousViolations(live, sid, paths, { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' }),
    ).toEqual([]);
  }, 180_000);

  it('has none on the pages a village officer works from (phone)', async () => {
    const sid = await demoSession(live.portal, 'zhulin');
    const paths = ['/admin/complaints', '/admin/enterprises', '/admin/tasks', '/admin/revisits', '/admin/patrols'];
    expect(await seriousViolations(live, sid, paths, PHONE)).toEqual([]);
    const context = await live.browser.newContext(PHONE);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/tasks`);
    await saveShot(page, 'village-tasks-phone', { fullPage: true });
    await context.close();
  }, 120_000);

  it('shows an enterprise named with markup as that literal text in its tooltip', async () => {
    const sid = await demoSession(live.portal, 'admin');
    const filed = await fetch(`${live.portal.base}/api/admin/enterprises`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
      body: JSON.stringify({
        name: MARKUP_NAME,
        businessLicence: true,
        lat: ZHULIN.lat + 0.001,
        lng: ZHULIN.lng + 0.001,
      }),
    });
    expect(filed.status).toBe(201);

    const context = await live.browser.newContext({ locale: 'zh-CN' });
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${live.portal.base}/admin/enterprises?q=${encodeURIComponent('粗')}`);
    const marker = page.locator('#register-map path.leaflet-interactive');
    await marker.first().waitFor();
    expect(await marker.count()).toBe(1);
    await marker.first().hover();
    const tooltip = page.locator('#register-map .leaflet-tooltip').filter({ hasText: '粗' });
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(MARKUP_NAME);
    expect(await tooltip.locator('img, b').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
