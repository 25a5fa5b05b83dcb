import { describe, expect, it } from 'vitest';
import { hasBrowser, portalAndBrowser } from '../helpers/browser.ts';
import { ZHULIN } from '../helpers/report.ts';

// Leaflet writes a string tooltip into the page as HTML: an enterprise's name must reach it as text.
const NAME = '<img src=x onerror="window.__pwned=1"><b>粗</b>';

describe.skipIf(!hasBrowser)('names on the maps', () => {
  const live = portalAndBrowser();

  it('shows an enterprise named with markup as that literal text in its tooltip', async () => {
    const otp = /admin\s+(\S+)\s+admin/.exec(live.portal.output())![1]!;
    const post = (path: string, body: unknown, cookie = '') =>
      fetch(`${live.portal.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    const first = /sid=[^;]+/.exec((await post('/api/admin/session', { username: 'admin', password: otp })).headers.get('set-cookie')!)![0];
    const changed = await post('/api/admin/password', { current: otp, next: '管理员的新密码够长了' }, first);
    const cookie = /sid=([^;]+)/.exec(changed.headers.get('set-cookie')!)!;
    const filed = await post('/api/admin/enterprises', { name: NAME, businessLicence: true, lat: ZHULIN.lat + 0.001, lng: ZHULIN.lng + 0.001 }, cookie[0]);
    expect(filed.status).toBe(201);

    const context = await live.browser.newContext({ locale: 'zh-CN' });
    await context.addCookies([{ name: 'sid', value: cookie[1]!, url: live.portal.base }]);
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
    expect(await tooltip.textContent()).toBe(NAME);
    expect(await tooltip.locator('img, b').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  });
});
