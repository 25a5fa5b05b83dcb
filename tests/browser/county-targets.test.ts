import { describe, expect, it } from 'vitest';
import { axeAnalyze, demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';

// The county's targets and tables on `npm start`'s demo county: accessible and valid on the county office's desktop
// and a township office's phone, and the split saved through the page's own form.
const PAGES = ['/admin/targets', '/admin/targets/1', '/admin/tables', '/admin/tables/monthly'];

describe.skipIf(!hasBrowser)('campaign targets and the county tables in the browser', () => {
  const live = portalAndBrowser();

  async function check(username: string, device: object) {
    const sid = await demoSession(live.portal, username);
    const context = await live.browser.newContext(device);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    const bad: string[] = [];
    const html: Record<string, string> = {};
    for (const path of PAGES) {
      const res = await page.goto(`${live.portal.base}${path}`);
      expect(res!.status(), path).toBe(200);
      html[`${path} (${username})`] = await res!.text();
      const { violations } = await axeAnalyze(page);
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
        bad.push(`${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    }
    await context.close();
    return { bad, html };
  }

  it('has no serious axe violation nor HTML error, for the county (desktop) and a township (phone)', async () => {
    const county = await check('admin', { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const township = await check('shiqiao', PHONE);
    expect([...county.bad, ...township.bad]).toEqual([]);
    expect(township.html['/admin/tables (shiqiao)']).not.toContain('青溪镇');
    if (hasValidator) expect(htmlErrors({ ...county.html, ...township.html })).toEqual([]);
  }, 240_000);

  it('the county office changes a township’s share on the split page, and the sum is checked again', async () => {
    const sid = await demoSession(live.portal, 'admin');
    const context = await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/targets/1`);
    const row = page.locator('table.report-table tbody tr').first();
    await expect(row.locator('td').last().textContent()).resolves.toContain('分解合计与全县目标一致');
    await page.getByLabel('石桥镇整治“低小散”企业目标').fill('80');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '保存目标' }).click()]);
    await expect(row.locator('td').last().textContent()).resolves.toContain('分解合计比全县目标少 10');
    await saveShot(page, 'targets-split', { fullPage: true });
    await context.close();
  }, 120_000);
});
