import { adminPages, samplePath } from '../../admin/page-routes.ts';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';

describe.skipIf(!hasBrowser)('triage staff work a report from the public form', () => {
  const live = portalAndBrowser();

  async function report(page: Page, text: string, dLat: number): Promise<string> {
    const c = cellCenter(2, 0); // 桃源社区
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^废水/ }).check();
    await page.locator('#coords summary').click();
    await page.locator('#lat').fill(String(c.lat + dLat));
    await page.locator('#lng').fill(String(c.lng));
    await page.locator('#lng').dispatchEvent('change');
    await page.locator('#description').fill(text);
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#tracking-code').waitFor(); // shown in place of the form: the code goes into no URL
    return (await page.locator('#tracking-code').textContent())!.trim();
  }

  it('logs in, merges a duplicate, accepts and assigns with a reply; the reporter sees it', async () => {
    const resident = await (await live.browser.newContext(PHONE)).newPage();
    const first = await report(resident, '桃源社区南边的酸洗作坊往水沟里排废酸，沟里冒白烟。', 0);
    const second = await report(resident, '桃源社区有个作坊往沟里倒酸水，味道呛人。', 0.0005);

    const otp = /shouli\s+(\S+)/.exec(live.portal.output())![1]!;
    const staff = await (
      await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' })
    ).newPage();
    // A crafted link must not carry staff off the site after they log in.
    await staff.goto(`${live.portal.base}/admin/login?next=${encodeURIComponent('https://evil.example/phish')}`);
    await staff.locator('#username').fill('shouli');
    await staff.locator('#password').fill(otp);
    await staff.getByRole('button', { name: '登录' }).click();
    await staff.waitForURL(/\/admin\/password/);
    // Just logged in with it: the one-time password is not asked again.
    expect(await staff.locator('#current').count()).toBe(0);
    await staff.locator('#next').fill('桃源社区的水沟要变清');
    await staff.locator('#confirm').fill('桃源社区的水沟要变清');
    await staff.getByRole('button', { name: '保存新密码' }).click();
    await staff.waitForURL(/\/admin\/todo$/); // every role starts on its to-do list
    expect(new URL(staff.url()).origin).toBe(live.portal.base);
    await staff.goto(`${live.portal.base}/admin/complaints`);

    await staff.locator('#f-q').fill('酸洗作坊');
    await staff.getByRole('button', { name: '筛选' }).click();
    await staff.waitForURL(/q=/);
    expect(await staff.locator('table.queue tbody tr').count()).toBe(1);
    await staff.goto(`${live.portal.base}/admin/complaints?duplicate=yes`);
    await saveShot(staff, 'admin-queue', { fullPage: true });

    // The second report: merge it into the first, which shows among its neighbours.
    // Staff never see tracking codes: each report is found by what it says.
    await staff.locator('table.queue tbody tr', { hasText: '倒酸水' }).getByRole('link').click();
    // 合并到此 works through the page's script: wait for the page's load, after which it has run (a click before
    // it does nothing).
    await staff.waitForURL(/\/admin\/complaints\/\d+$/, { waitUntil: 'load' });
    await staff.locator('[data-merge-target]').first().click();
    await staff.locator('#action-merge textarea[name="reply"]').fill('您反映的问题已有群众举报，已合并处理。');
    await staff.locator('#action-merge').getByRole('button', { name: '合并为重复举报' }).click();
    await expect.poll(() => staff.locator('h1 .status').textContent()).toBe('已合并');

    // The first: accept, then assign to its village with a reply.
    await staff.goto(`${live.portal.base}/admin/complaints`);
    await staff.locator('table.queue tbody tr', { hasText: '酸洗作坊' }).getByRole('link').click();
    await staff.locator('#action-accept').getByRole('button', { name: '受理' }).click();
    await expect.poll(() => staff.locator('h1 .status').textContent()).toBe('已受理');
    await staff.locator('#action-assign').locator('xpath=..').locator('summary').click();
    await staff.locator('#action-assign select[name="villageId"]').selectOption({ label: '桃源社区' });
    await staff.locator('#action-assign').getByLabel('生态环境').check();
    await staff.locator('#action-assign textarea[name="reply"]').fill('已交桃源社区和生态环境部门查处，请放心。');
    await staff.locator('#action-assign').getByRole('button', { name: '交办' }).click();
    await expect.poll(() => staff.locator('h1 .status').textContent()).toBe('已交办');
    await saveShot(staff, 'admin-complaint', { fullPage: true });

    await resident.goto(`${live.portal.base}/track?code=${first}`);
    expect(await resident.locator('#status').textContent()).toBe('已交办属地处理');
    expect(await resident.locator('.timeline').textContent()).toContain('已交桃源社区和生态环境部门查处，请放心。');
    await saveShot(resident, 'track-assigned', { fullPage: true });
    await resident.goto(`${live.portal.base}/track?code=${second}`);
    expect(await resident.locator('#merged-note').textContent()).toContain('已合并处理');
    expect(await resident.locator('#followed-status').textContent()).toBe('已交办属地处理');
  });

  it('keeps pages behind the policy: anonymous to login, a village officer away from the audit log', async () => {
    const res = await fetch(`${live.portal.base}/admin/complaints`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/admin\/login\?next=/);
    // A search may be a tracking code read out on the phone: the way back after login keeps the filter, not it.
    const searched = await fetch(`${live.portal.base}/admin/complaints?status=submitted&q=K7QM-3PXA-9TZE`, {
      redirect: 'manual',
    });
    const back = decodeURIComponent(searched.headers.get('location')!);
    expect(back).toContain('status=submitted');
    expect(back).not.toContain('K7QM');
    const otp = /zhulin\s+(\S+)/.exec(live.portal.output())![1]!;
    const login = await fetch(`${live.portal.base}/api/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'zhulin', password: otp }),
    });
    const cookie = /sid=[^;]+/.exec(login.headers.get('set-cookie')!)![0];
    const forced = await fetch(`${live.portal.base}/admin/complaints`, { headers: { cookie }, redirect: 'manual' });
    expect(forced.headers.get('location')).toBe('/admin/password'); // the one-time password first
    await fetch(`${live.portal.base}/api/admin/password`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ current: otp, next: '竹林村网格员的新密码', confirm: '竹林村网格员的新密码' }),
    }).then(async (r) => {
      const fresh = /sid=[^;]+/.exec(r.headers.get('set-cookie')!)![0];
      expect((await fetch(`${live.portal.base}/admin/audit`, { headers: { cookie: fresh } })).status).toBe(403);
      const queue = await fetch(`${live.portal.base}/admin/complaints`, { headers: { cookie: fresh } });
      expect(queue.status).toBe(200);
      expect(queue.headers.get('cache-control')).toBe('no-store');
      const html = await queue.text();
      expect(html).not.toContain('桃源社区南边'); // another village's report
    });
  });

  it('renders every back-office page for an admin, and the public pages', async () => {
    const cookie = `sid=${await demoSession(live.portal, 'admin')}`;
    // Every page the back-office has (admin/pages), each [id] as the demo's first row.
    const registered = adminPages()
      .map((p) => samplePath(p.pattern))
      .filter((p) => p !== '/admin/login');
    expect(registered).toContain('/admin/tasks/1');
    for (const path of [
      ...registered,
      '/admin/complaints?sort=overdue&q=作坊',
      '/admin/enterprises?status=listed&q=作坊',
      '/admin/tasks?overdue=1',
    ]) {
      const res = await fetch(`${live.portal.base}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('整治办工作台');
    }
    for (const path of ['/', '/report', '/track'])
      expect((await fetch(`${live.portal.base}${path}`)).status, path).toBe(200);
    const missing = await fetch(`${live.portal.base}/no-such-page`);
    expect([missing.status, missing.statusText]).toEqual([404, 'Not Found']);
  });
});
