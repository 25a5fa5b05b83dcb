import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { complaints } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { axeAnalyze, demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const shot = (page: Page, name: string) => saveShot(page, `reward-${name}`, { fullPage: true });
/** Serious or critical axe-core violations on the page as it stands. */
const axe = async (page: Page) =>
  (await axeAnalyze(page)).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${page.url()}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);

describe.skipIf(!hasBrowser)(
  '有奖举报: proposed, approved by a second person, claimed on a phone without JavaScript',
  () => {
    const live = portalAndBrowser();

    const api = async (username: string, path: string, init: { method?: string; json?: unknown; form?: FormData }) => {
      const sid = await demoSession(live.portal, username);
      const res = await fetch(`${live.portal.base}${path}`, {
        method: init.method ?? 'POST',
        headers: { cookie: `sid=${sid}`, ...(init.json !== undefined && { 'content-type': 'application/json' }) },
        body: init.form ?? JSON.stringify(init.json),
      });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json();
    };
    const staffPage = async (browser: Browser, username: string) => {
      const context = await browser.newContext(DESK);
      await context.addCookies([
        { name: 'sid', value: await demoSession(live.portal, username), url: live.portal.base },
      ]);
      return context.newPage();
    };

    it('the office proposes, another approves, the reporter claims with code and phone on a phone', async () => {
      const { base, dataDir } = live.portal;
      // A resident's report, verified 属实 through 交办 (the loop itself has its own browser test).
      const point = { lat: cellCenter(1, 1).lat + 0.001, lng: cellCenter(1, 1).lng - 0.001 };
      const description = '竹林村西头孙七家的塑料颗粒作坊，夜里偷偷开工，冒黑烟。';
      const filed = await fetch(`${base}/api/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ category: 'air', ...point, description, anonymous: '0', phone: '13700001234' }),
      });
      expect(filed.status).toBe(201);
      const code = ((await filed.json()) as { trackingCode: string }).trackingCode;
      const db = openDatabase(join(dataDir, 'portal.sqlite'));
      const row = () => db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!;
      const id = row().id;
      await api('shouli', `/api/admin/complaints/${id}/actions`, {
        json: { action: 'accept', version: row().version },
      });
      const villageId = row().villageId;
      await api('shouli', `/api/admin/complaints/${id}/actions`, {
        json: { action: 'assign', version: row().version, villageId, departmentIds: [] },
      });
      const item = () => db.select().from(assignments).where(eq(assignments.complaintId, id)).get()!;
      await api('zhulin', `/api/admin/assignments/${item().id}/actions`, {
        json: { action: 'acknowledge', version: item().version },
      });
      const form = new FormData();
      form.append('version', String(item().version));
      form.append('outcome', 'stopped');
      form.append('finding', '现场已停产，设备已断电');
      form.append('photos', new Blob([new Uint8Array(await demoPhoto({ hue: 30, ...point }))], { type: 'image/jpeg' }));
      await api('zhulin', `/api/admin/assignments/${item().id}/answer`, { form });
      await api('shouli', `/api/admin/assignments/${item().id}/actions`, {
        json: { action: 'approve', version: item().version },
      });
      expect(row().status).toBe('resolved');
      const scheme = await api('admin', '/api/admin/reward-schemes', {
        json: { name: '青山县有奖举报办法', claimDays: 90 },
      });
      let version = scheme.version as number;
      for (const [name, amountYuan] of [
        ['一般线索', 500],
        ['重要线索', 1000],
        ['重大线索', 2000],
      ] as const)
        version = (
          await api('admin', `/api/admin/reward-schemes/${scheme.id}/tiers`, { json: { version, name, amountYuan } })
        ).version;

      // 受理员 proposes on the complaint page; he is not offered the decision.
      const office = await staffPage(live.browser, 'shouli');
      await office.goto(`${base}/admin/complaints/${id}`);
      const propose = office.locator('#reward-propose');
      await propose
        .locator('select[name="tierId"]')
        .selectOption({ label: '青山县有奖举报办法 · 重要线索 · 1,000 元' });
      await propose.locator('textarea[name="reason"]').fill('首位举报，经核查属实已制止');
      await propose.getByRole('button', { name: '申报奖励' }).click();
      await office.locator('#reward-own').waitFor();
      expect(await office.locator('#reward-approve').count()).toBe(0);
      await saveShot(office.locator('#reward'), 'reward-proposed-panel');
      const violations = await axe(office);

      // The admin, a second person, approves.
      const admin = await staffPage(live.browser, 'admin');
      await admin.goto(`${base}/admin/complaints/${id}`);
      await admin.locator('#reward-approve').getByRole('button', { name: '批准奖励' }).click();
      await admin.locator('#reward-claim-office').waitFor();
      await shot(admin, 'approved-complaint');
      violations.push(...(await axe(admin)));
      await admin.goto(`${base}/admin/rewards`);
      expect(await admin.locator('#list-approved tbody tr').count()).toBe(1);
      // Every edit form open, for the screenshot and for axe.
      await admin.locator('details').evaluateAll((all) => {
        for (const d of all) d.setAttribute('open', '');
      });
      await shot(admin, 'admin-list');
      violations.push(...(await axe(admin)));

      // The reporter, on a phone with JavaScript off: the amount, the deadline, the form; a wrong phone, then his own.
      const phone = await (await live.browser.newContext({ ...PHONE, javaScriptEnabled: false })).newPage();
      await phone.goto(`${base}/track?code=${code}`);
      await expect.poll(() => phone.locator('#reward-amount').textContent()).toBe('1,000 元');
      await phone.locator('#reward').scrollIntoViewIfNeeded();
      await shot(phone, 'track-phone');
      await phone.locator('#reward-contact').fill('13700009999');
      await phone.getByRole('button', { name: '申领奖励' }).click();
      await phone.locator('#reward-error').waitFor();
      expect(await phone.content()).not.toContain('13700009999');
      expect(await phone.locator('#reward-contact').inputValue()).toBe('');
      await shot(phone, 'claim-refused-phone');
      // axe runs in the page: the same two screens with JavaScript on.
      const checked = await (await live.browser.newContext(PHONE)).newPage();
      await checked.goto(`${base}/track?code=${code}`);
      violations.push(...(await axe(checked)));
      await checked.locator('#reward-contact').fill('13700008888');
      await checked.getByRole('button', { name: '申领奖励' }).click();
      await checked.locator('#reward-error').waitFor();
      violations.push(...(await axe(checked)));
      await phone.locator('#reward-contact').fill('137 0000 1234');
      await phone.getByRole('button', { name: '申领奖励' }).click();
      await phone.locator('#reward-claimed').waitFor();
      expect(new URL(phone.url()).pathname).toBe('/track');
      expect(await phone.content()).not.toContain('13700001234');
      await shot(phone, 'claimed-phone');

      // The office records the payment.
      await office.goto(`${base}/admin/complaints/${id}`);
      await office.locator('#reward-pay input[name="paymentRef"]').fill('农行转账凭证 2026120300017');
      await office.locator('#reward-pay').getByRole('button', { name: '登记兑付' }).click();
      await expect.poll(() => office.locator('#reward .tag').first().textContent()).toBe('已兑付');
      await saveShot(office.locator('#reward'), 'reward-paid-panel');
      expect(violations).toEqual([]);
      db.$client.close();
    }, 180_000);
  },
);
