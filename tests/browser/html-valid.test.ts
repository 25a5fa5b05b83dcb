import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPages, samplePath } from '../../admin/page-routes.ts';
import { demoSession, seededPortal } from '../helpers/browser.ts';
import type { PortalProcess } from '../helpers/portal-process.ts';
import { hasValidator, htmlErrors, type HtmlMessage } from '../helpers/html-validator.ts';

// The HTML every page sends, as the W3C's Nu Html Checker reads it: no errors (warnings and info
// aside). Every public page, and every back-office page as an admin and the pages a village
// officer works from as him, on `npm start`'s demo township. Nothing is filtered out; a rule that
// had to be would be named here with its reason.
const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
const PUBLIC = ['/', '/report', '/track', '/cases', '/cases/1', '/stats', '/results', `/results/${month}`, '/map'];
const VILLAGE = ['/admin/todo', '/admin/complaints', '/admin/enterprises', '/admin/tasks', '/admin/revisits'];

describe.skipIf(!hasValidator)('the HTML of every page', () => {
  const live = {} as { portal: PortalProcess };
  beforeAll(async () => {
    live.portal = await seededPortal();
  });
  afterAll(() => live.portal?.stop());

  async function html(path: string, sid?: string, status = 200) {
    // A redirect (/admin to the role's to-do page) is followed: its page is checked where it lands.
    const res = await fetch(`${live.portal.base}${path}`, { headers: sid ? { cookie: `sid=${sid}` } : {} });
    expect(res.status, path).toBe(status);
    expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
    return res.text();
  }

  it('is valid HTML, public and back-office alike', async () => {
    const pages: Record<string, string> = {};
    for (const path of PUBLIC) pages[path] = await html(path);
    pages['/no-such-page (404)'] = await html('/no-such-page', undefined, 404);
    pages['/admin/login'] = await html('/admin/login');

    const admin = await demoSession(live.portal, 'admin');
    const registered = adminPages().map((p) => samplePath(p.pattern));
    expect(registered).toContain('/admin/enterprises');
    for (const path of registered.filter((p) => p !== '/admin/login'))
      pages[`${path} (admin)`] = await html(path, admin);
    const village = await demoSession(live.portal, 'zhulin');
    for (const path of VILLAGE) pages[`${path} (village)`] = await html(path, village);

    const errors = htmlErrors(pages);
    const lines = errors.map((e: HtmlMessage) => `${e.page}:${e.line}: ${e.message}\n    ${e.extract ?? ''}`);
    expect(lines).toEqual([]);
    console.log(`validated ${Object.keys(pages).length} pages`);
  }, 180_000);
});
