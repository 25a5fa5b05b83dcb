import { describe, expect, it } from 'vitest';
import { demoSession, hasBrowser, PHONE, portalAndBrowser, seriousViolations } from '../helpers/browser.ts';

// The assessment pages and the leader's dashboard as the county leader reads them (desktop) and a township leader
// (phone); the admin's indicator forms. Nothing serious or critical for axe-core.
describe.skipIf(!hasBrowser)('assessment pages: accessible', () => {
  const live = portalAndBrowser();

  const serious = async (username: string, paths: string[], device: object, shot?: string) =>
    seriousViolations(live, await demoSession(live.portal, username), paths, device, shot);

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
