import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { cellCenter, westEdgeMiddle } from '../../api/seed/demo-geography.ts';
import { openDatabase } from '../../db/client.ts';
import { complaints, villages } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { axeAnalyze, demoSession, hasBrowser, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { reportForm } from '../helpers/report.ts';

// ~48 m west of 青溪镇's west border, in 石桥镇's 东村: 石桥镇 holds it, 青溪镇 is its border township.
const edge = westEdgeMiddle(0, 0);
const NEAR_BORDER = { lat: edge.lat, lng: edge.lng - 0.0005 };
const DONGCUN = cellCenter(-1, 0);
let handedOver = 0;
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
    const { violations } = await axeAnalyze(page);
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
    await saveShot(shouli, 'handover-received', { fullPage: true });
    bad.push(...(await serious(shouli)));
    expect(bad).toEqual([]);
    handedOver = Number(path.split('/').pop());
  }, 120_000);

  it('the county leader’s township ranking moves when 青溪镇’s work item goes overdue', async () => {
    const db = openDatabase(join(live.portal.dataDir, 'portal.sqlite'));
    const villageOf = (code: string) => db.select().from(villages).where(eq(villages.code, code)).get()!.id;
    const api = async (who: string, path: string, body: Record<string, unknown>) => {
      const res = await fetch(`${live.portal.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${await demoSession(live.portal, who)}` },
        body: JSON.stringify(body),
      });
      expect(res.status, `${who} ${path} ${JSON.stringify(body)}`).toBe(200);
    };
    const version = (id: number) => db.select().from(complaints).where(eq(complaints.id, id)).get()!.version;
    const act = async (who: string, id: number, body: Record<string, unknown>) =>
      api(who, `/api/admin/complaints/${id}/actions`, { ...body, version: version(id) });
    // 石桥镇: a report in 东村 assigned, and signed for on time by the village.
    const filed = await fetch(`${live.portal.base}/api/complaints`, {
      method: 'POST',
      body: reportForm({
        lat: String(DONGCUN.lat),
        lng: String(DONGCUN.lng),
        description: '东村桥头的废塑料作坊夜里烧料。',
      }),
    });
    const { trackingCode } = await filed.json();
    const own = db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!.id;
    await act('shiqiao', own, { action: 'accept' });
    await act('shiqiao', own, { action: 'assign', villageId: villageOf('shiqiao-dongcun') });
    const item = db.select().from(assignments).where(eq(assignments.complaintId, own)).get()!;
    await api('shiqiao-cun', `/api/admin/assignments/${item.id}/actions`, {
      action: 'acknowledge',
      version: item.version,
    });
    // 青溪镇: the report handed over to it, accepted and assigned to 下塘村.
    await act('shouli', handedOver, { action: 'accept' });
    await act('shouli', handedOver, { action: 'assign', villageId: villageOf('qingxi-xiatang') });

    const leader = await office('xianzhang');
    const ranking = async () => {
      await leader.goto(`${live.portal.base}/admin/assessment?level=township`);
      return leader
        .locator('table[data-ranking] tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => ({ unit: r.getAttribute('data-unit'), rank: r.querySelector('td')!.textContent!.trim() })),
        );
    };
    const before = await ranking();
    expect(before.find((r) => r.unit === 'qingxi')!.rank).toBe('1');

    // The clock moves past 下塘村's deadlines without a 签收 (the fake clock: its deadlines moved into the past).
    const late = db.select().from(assignments).where(eq(assignments.complaintId, handedOver)).get()!;
    const now = Date.now();
    db.update(assignments)
      .set({ ackDueAt: new Date(now - 120_000), answerDueAt: new Date(now - 60_000) })
      .where(eq(assignments.id, late.id))
      .run();
    db.$client.close();

    const after = await ranking();
    expect(after.slice(0, 2).map((r) => [r.unit, r.rank])).toEqual([
      ['shiqiao-zhen', '1'],
      ['qingxi', '2'],
    ]);
    expect(await serious(leader)).toEqual([]);
    await saveShot(leader, 'assessment-after-overdue', { fullPage: true });
  }, 120_000);
});
