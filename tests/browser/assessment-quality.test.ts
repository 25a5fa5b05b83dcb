import AxeBuilder from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, demoSession, hasBrowser, PHONE, portalAndBrowser } from '../helpers/browser.ts';

// The assessment pages and the leader's dashboard as the county leader reads them (desktop) and a township leader
// (phone); the admin's indicator forms. Nothing serious or critical for axe-core.
describe.skipIf(!hasBrowser)('assessment pages: accessible', () => {
  const live = portalAndBrowser();

  async function serious(username: string, paths: string[], device: object, shot?: string) {
    const sid = await demoSession(live.portal, username);
    const context = await live.browser.newContext(device);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    const bad: string[] = [];
    for (const path of paths) {
      const res = await page.goto(`${live.portal.base}${path}`);
      expect(res!.status(), path).toBe(200);
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
        bad.push(`${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      if (shot) await page.screenshot({ path: `${ARTIFACTS}/${shot}-${paths.indexOf(path)}.png`, fullPage: true });
    }
    await context.close();
    return bad;
  }

  it('has no serious violation for the county leader, the admin and a township leader on a phone', async () => {
    const desktop = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
    const county = [
      '/admin/dashboard',
      '/admin/assessment',
      '/admin/assessment/township/1',
      '/admin/assessment/notice',
    ];
    expect(await serious('xianzhang', county, desktop, 'assessment-county')).toEqual([]);
    expect(
      await serious('admin', ['/admin/assessment/indicators', '/admin/dashboard?township=qingxi'], desktop),
    ).toEqual([]);
    const phone = ['/admin/dashboard', '/admin/assessment', '/admin/assessment?level=township'];
    expect(await serious('lingdao', phone, PHONE, 'assessment-township-phone')).toEqual([]);
  }, 240_000);
});
