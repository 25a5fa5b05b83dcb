import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const CREDIT = '© 天地图 审图号：GS(2024)0568号';

// Every map on 天地图 (the production preset): the credit line names the provider and its 审图号,
// and nothing else (no Leaflet prefix with its flag). No tile leaves this machine: the browser is
// answered with a plain tile for every 天地图 address, which also proves the CSP lets them through.
describe.skipIf(!hasBrowser)('the maps credit their tiles as a Chinese government site must', () => {
  // TILE_URL unset (the test portal sets it empty), so that the preset is what draws.
  const live = portalAndBrowser({ TILE_PRESET: 'tianditu', TILE_TOKEN: 'abc123', TILE_URL: undefined } as never);

  async function mapPage(device: object, sid?: string) {
    const context = await live.browser.newContext(device);
    if (sid) await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#e8efe6' } })
      .png()
      .toBuffer();
    const layers = new Set<string>();
    await context.route(/^https:\/\/t[0-7]\.tianditu\.gov\.cn\//, (route) => {
      const url = new URL(route.request().url());
      expect(url.searchParams.get('tk')).toBe('abc123');
      layers.add(url.pathname);
      return route.fulfill({ body: tile, contentType: 'image/png' });
    });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && refused.push(m.text()));
    return { page, layers, refused };
  }

  async function expectCredit(page: import('playwright-core').Page, map: string) {
    const credit = page.locator(`${map} .leaflet-control-attribution`);
    await expect.poll(() => credit.textContent()).toBe(CREDIT);
    expect(await credit.locator('svg, a').count()).toBe(0);
    expect(await page.locator(`${map} .leaflet-control-zoom-in`).getAttribute('title')).toBe('放大');
    await page.locator(`${map} img.leaflet-tile-loaded`).first().waitFor();
  }

  it('on the report form, the case map and the staff maps', async () => {
    const pub = await mapPage(PHONE);
    await pub.page.goto(`${live.portal.base}/report`);
    await expectCredit(pub.page, '#map');
    await saveShot(pub.page.locator('#map'), 'map-credit-report');
    await pub.page.goto(`${live.portal.base}/cases`);
    await pub.page.getByRole('button', { name: '在地图上查看' }).click();
    await expectCredit(pub.page, '#cases-map');
    expect([...pub.layers].sort()).toEqual(['/cva_w/wmts', '/vec_w/wmts']);
    expect(pub.refused).toEqual([]);

    const sid = await demoSession(live.portal, 'shouli');
    const staff = await mapPage(DESK, sid);
    await staff.page.goto(`${live.portal.base}/admin/enterprises`);
    await expectCredit(staff.page, '#register-map');
    await saveShot(staff.page.locator('#register-map'), 'map-credit-register');
    const { rows } = (await (
      await fetch(`${live.portal.base}/api/admin/complaints`, { headers: { cookie: `sid=${sid}` } })
    ).json()) as { rows: { id: number }[] };
    await staff.page.goto(`${live.portal.base}/admin/complaints/${rows[0]!.id}`);
    await expectCredit(staff.page, '#complaint-map');
    expect(staff.refused).toEqual([]);
  });
});
