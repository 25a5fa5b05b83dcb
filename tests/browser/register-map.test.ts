import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoSession, hasBrowser, portalAndBrowser, saveShot } from '../helpers/browser.ts';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };

// The register map on /admin/enterprises: village names never cover an enterprise's dot, dots at
// (nearly) one place stay apart, and a legend says what each colour means.
describe.skipIf(!hasBrowser)('the register map', () => {
  const live = portalAndBrowser();

  it('keeps every dot visible and clickable, fans out near ones, and has a legend', async () => {
    const sid = await demoSession(live.portal, 'shouli');
    // Three workshops in one yard, and one at the middle of 下塘村, where its name used to be.
    const at = cellCenter(1, 1);
    const yard = [0, 0.00002, 0.00004].map((d) => ({ lat: at.lat + d, lng: at.lng - d }));
    for (const [i, p] of [...yard, cellCenter(0, 0)].entries()) {
      const res = await fetch(`${live.portal.base}/api/admin/enterprises`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
        body: JSON.stringify({ name: `孙某${i + 1}号喷漆作坊`, personInCharge: '孙某', address: '同一院内', ...p }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const context = await live.browser.newContext(DESK);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/enterprises`);
    await page.locator('#register-map .leaflet-enterprises-pane path.leaflet-interactive').first().waitFor();
    await saveShot(page.locator('#register-map'), 'register-map');

    const dots = await page.evaluate(() =>
      [...document.querySelectorAll('#register-map .leaflet-enterprises-pane path.leaflet-interactive')].map((d) => {
        const r = d.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        return { x, y, top: document.elementFromPoint(x, y) === d };
      }),
    );
    const rows = await page.locator('#register tbody tr').count();
    expect(dots).toHaveLength(rows);
    // Nothing (a village name, another dot) lies over any dot's centre.
    expect(dots.filter((d) => !d.top)).toEqual([]);
    for (const [i, a] of dots.entries())
      for (const b of dots.slice(i + 1)) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(14);

    const legend = page.locator('#register-map .register-legend');
    for (const word of ['待整治', '整治中', '已完成整治'])
      await expect.poll(() => legend.textContent()).toContain(word);
    // One name per village outline: the map draws the whole county's villages (15 in the demo), not only 青溪镇's.
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const villages = db.prepare('select count(*) from villages').pluck().get() as number;
    db.close();
    expect(villages).toBeGreaterThan(6);
    expect(await page.locator('#register-map .register-village-name').count()).toBe(villages);
  });
});
