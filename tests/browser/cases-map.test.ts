import { describe, expect, it } from 'vitest';
import { hasBrowser, PHONE, portalAndBrowser } from '../helpers/browser.ts';

// The demo seeds one published case in 溪口村.
describe.skipIf(!hasBrowser)('the case list map', () => {
  const live = portalAndBrowser();

  it('loads on request with one marker per village that has cases, and its button goes away', async () => {
    const page = await (await live.browser.newContext(PHONE)).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${live.portal.base}/cases`);
    expect(await page.locator('link[href*="leaflet"]').count()).toBe(0); // nothing of the map before it is asked for
    const button = page.getByRole('button', { name: '在地图上查看' });
    await button.click();
    await page.locator('#cases-map path.leaflet-interactive').first().waitFor();
    expect(await page.locator('#cases-map path.leaflet-interactive').count()).toBe(1);
    expect(await page.locator('#cases-map .village-label').count()).toBe(0);
    await expect.poll(() => page.locator('#show-map').isVisible()).toBe(false);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.leaflet-container')!).overflow)).toBe(
      'hidden',
    ); // Leaflet's stylesheet
    expect(errors).toEqual([]);
  });
});
