import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { westEdgeMiddle } from '../../api/seed/demo-geography.ts';
import { ARTIFACTS, demoSession, hasBrowser, portalAndBrowser } from '../helpers/browser.ts';
import { reportForm } from '../helpers/report.ts';

// ~48 m west of 青溪镇's west border, in 石桥镇's 东村: 石桥镇 holds it, 青溪镇 is its border township.
const edge = westEdgeMiddle(0, 0);
const NEAR_BORDER = { lat: edge.lat, lng: edge.lng - 0.0005 };
const TEXT = '东村和下塘村交界的小路边有个熔铝作坊，夜里冒白烟，味道刺鼻。';

describe.skipIf(!hasBrowser)('a report by the 青溪镇/石桥镇 boundary: both offices see it, one hands it over', () => {
  const live = portalAndBrowser();

  async function office(username: string): Promise<Page> {
    const context = await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const sid = await demoSession(live.portal, username);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    return context.newPage();
  }

  async function serious(page: Page): Promise<string[]> {
    const { violations } = await new AxeBuilder({ page }).analyze();
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${page.url()}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }

  const row = (page: Page) => page.locator('table.queue tbody tr', { hasText: '熔铝作坊' });

  it('shows in both queues with a 镇街交界 badge; after 移交 only the receiving office holds it', async () => {
    // Filed as the public form files it (the form itself is report-flow's business).
    const filed = await fetch(`${live.portal.base}/api/complaints`, {
      method: 'POST',
      body: reportForm({ lat: String(NEAR_BORDER.lat), lng: String(NEAR_BORDER.lng), description: TEXT }),
    });
    expect(filed.status).toBe(201);

    const shiqiao = await office('shiqiao');
    const shouli = await office('shouli');
    // Each office finds it among its 镇街交界 reports, the badge naming the other township.
    await shiqiao.goto(`${live.portal.base}/admin/complaints?border=yes`);
    expect(await row(shiqiao).locator('.border-badge').textContent()).toBe('镇街交界 · 青溪镇');
    await shouli.goto(`${live.portal.base}/admin/complaints?border=yes`);
    expect(await row(shouli).locator('.border-badge').textContent()).toBe('镇街交界 · 石桥镇');
    const bad = [...(await serious(shouli))];

    // 石桥镇's office looks at it and hands it to 青溪镇: the workshop is on 青溪镇's side of the lane.
    await row(shiqiao).getByRole('link').click();
    await shiqiao.waitForURL(/\/admin\/complaints\/\d+$/);
    const path = new URL(shiqiao.url()).pathname;
    expect(await shiqiao.locator('#border-badge').textContent()).toBe('镇街交界 · 青溪镇');
    bad.push(...(await serious(shiqiao)));
    const form = shiqiao.locator('#handover-form');
    await form.getByLabel('接收的乡镇（街道）').selectOption({ label: '青溪镇' });
    await form.getByLabel(/移交理由/).fill('作坊厂房在小路东侧，属青溪镇下塘村');
    await form.getByRole('button', { name: '移交' }).click();
    // Gone from its view: back on the queue, told so, and the report no longer listed or openable.
    await shiqiao.waitForURL(/\/admin\/complaints\?handedOver=\d+$/);
    expect(await shiqiao.locator('#handed-over').textContent()).toContain('已移交');
    bad.push(...(await serious(shiqiao)));
    await shiqiao.goto(`${live.portal.base}/admin/complaints`);
    expect(await row(shiqiao).count()).toBe(0);
    expect((await shiqiao.goto(`${live.portal.base}${path}`))!.status()).toBe(404);

    // 青溪镇's office is told, holds it alone (no badge: the question is settled) and sees why in its history.
    await shouli.goto(`${live.portal.base}/admin/notifications`);
    expect(await shouli.locator('#notices').textContent()).toContain('由石桥镇移交青溪镇办理');
    await shouli.goto(`${live.portal.base}/admin/complaints`);
    expect(await row(shouli).count()).toBe(1);
    expect(await row(shouli).locator('.border-badge').count()).toBe(0);
    await shouli.goto(`${live.portal.base}${path}`);
    expect(await shouli.locator('#border-badge').count()).toBe(0);
    const history = await shouli.locator('.timeline').textContent();
    expect(history).toContain('移交');
    expect(history).toContain('作坊厂房在小路东侧');
    await shouli.screenshot({ path: `${ARTIFACTS}/handover-received.png`, fullPage: true });
    bad.push(...(await serious(shouli)));
    expect(bad).toEqual([]);
  }, 120_000);
});
