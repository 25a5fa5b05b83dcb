import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, hasBrowser, PHONE, portalAndBrowser } from '../helpers/browser.ts';

// Every page the back-office registers (astro.config.mjs), each [id] as the demo's first row.
const registered = [...readFileSync('astro.config.mjs', 'utf8').matchAll(/'(\/admin[^']*)': '/g)].map((m) => m[1]!.replace('[id]', '1'));

describe.skipIf(!hasBrowser)('staff pages: accessible', () => {
  const live = portalAndBrowser();

  /** A session cookie for a demo account, its one-time password replaced as the first login demands. */
  async function signIn(username: string, pattern: RegExp): Promise<string> {
    const otp = pattern.exec(live.portal.output())![1]!;
    const post = (path: string, body: unknown, cookie = '') =>
      fetch(`${live.portal.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
    const first = /sid=([^;]+)/.exec((await post('/api/admin/session', { username, password: otp })).headers.get('set-cookie')!)![1]!;
    const changed = await post('/api/admin/password', { current: otp, next: "工作台的新密码足够长了" }, `sid=${first}`);
    return /sid=([^;]+)/.exec(changed.headers.get('set-cookie')!)![1]!;
  }

  async function seriousViolations(sid: string, paths: string[], device: object) {
    const context = await live.browser.newContext(device);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    const bad: string[] = [];
    for (const path of paths) {
      const res = await page.goto(`${live.portal.base}${path}`);
      expect(res!.status(), path).toBe(200);
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        bad.push(`${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      }
    }
    await context.close();
    return bad;
  }

  it('has no serious or critical axe-core violation on any back-office page (admin, desktop)', async () => {
    const sid = await signIn('admin', /admin\s+(\S+)\s+admin/);
    const paths = registered.filter((p) => p !== '/admin/login' && p !== '/admin/password');
    expect(paths).toContain('/admin/reports');
    expect(await seriousViolations(sid, paths, { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })).toEqual([]);
  }, 180_000);

  it('has none on the pages a village officer works from (phone)', async () => {
    const sid = await signIn('zhulin', /zhulin\s+(\S+)/);
    const paths = ['/admin/complaints', '/admin/enterprises', '/admin/tasks', '/admin/revisits', '/admin/patrols'];
    expect(await seriousViolations(sid, paths, PHONE)).toEqual([]);
    const context = await live.browser.newContext(PHONE);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/tasks`);
    await page.screenshot({ path: `${ARTIFACTS}/village-tasks-phone.png`, fullPage: true });
    await context.close();
  }, 120_000);
});
