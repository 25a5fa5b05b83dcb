import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoSession, hasBrowser, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { ZHULIN } from '../helpers/report.ts';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };

// The task form shows the chosen type's checklist only, pre-ticks nothing the user did not
// choose, and sends only the chosen type's lines; without its script CSS still shows one list.
describe.skipIf(!hasBrowser)('the task form', () => {
  const live = portalAndBrowser();

  async function enterprisePage(scripts: boolean): Promise<{ page: Page; id: number }> {
    const sid = await demoSession(live.portal, 'shouli');
    const res = await fetch(`${live.portal.base}/api/admin/enterprises`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${sid}`, origin: live.portal.base },
      body: JSON.stringify({
        name: `吴某${scripts ? '甲' : '乙'}五金作坊`,
        personInCharge: '吴某',
        lat: ZHULIN.lat,
        lng: ZHULIN.lng,
        address: '竹林村二组',
        problems: { licensing: '无营业执照', environment: '酸洗废水直排' },
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: number };
    const context = await live.browser.newContext(DESK);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    if (!scripts) await page.route('**/_astro/*.js', (route) => route.abort());
    await page.goto(`${live.portal.base}/admin/enterprises/${id}`);
    return { page, id };
  }
  const form = (page: Page) => page.locator('#task-form');
  const area = (page: Page, name: string, value: string) => form(page).locator(`[name="${name}"][value="${value}"]`);
  const visible = async (page: Page) => ({
    optional: await area(page, 'optionalItems', 'remove_equipment').isVisible(),
    areas: await area(page, 'areas', 'licensing').isVisible(),
    relocation: await form(page).getByText('入园证明').isVisible(),
  });

  it('shows one checklist at a time, ticks nothing by itself, and sends only the chosen lines', async () => {
    const { page } = await enterprisePage(true);
    expect(await visible(page)).toEqual({ optional: false, areas: false, relocation: false });
    await expect.poll(() => form(page).getByText('选择整治类型后显示该类型的清单').isVisible()).toBe(true);
    expect(await form(page).locator('.type-checklist input:checked').count()).toBe(0);

    await form(page).getByLabel('关停取缔').check();
    expect(await visible(page)).toEqual({ optional: true, areas: false, relocation: false });
    await saveShot(page, 'task-form-shutdown', { fullPage: true });
    await form(page).getByLabel('拆除设备').check();

    await form(page).getByLabel('整改提升').check();
    expect(await visible(page)).toEqual({ optional: false, areas: true, relocation: false });
    expect(await area(page, 'areas', 'licensing').isChecked()).toBe(false);
    await expect.poll(() => form(page).getByText('（调查发现：无营业执照）').isVisible()).toBe(true);
    await area(page, 'areas', 'environment').check();
    await saveShot(page, 'task-form-rectify', { fullPage: true });

    await form(page).getByLabel('搬迁入园').check();
    expect(await visible(page)).toEqual({ optional: false, areas: false, relocation: true });

    await form(page).getByLabel('整改提升').check();
    await page.getByLabel('村居负责人（包保）').fill('吴村长');
    await page.getByLabel('镇街负责人').fill('陈副镇长');
    await page.getByRole('button', { name: '下达任务' }).click();
    await page.waitForURL(/\/admin\/tasks\/\d+$/);
    // The shutdown's 拆除设备, ticked and then left, is not on the rectification's checklist.
    const lines = await page.locator('#checklist > li').allTextContents();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('环境保护问题整改');
  });

  it('without its script, still shows only the chosen checklist', async () => {
    const { page } = await enterprisePage(false);
    await form(page).getByLabel('整改提升').check();
    expect(await visible(page)).toEqual({ optional: false, areas: true, relocation: false });
    await form(page).getByLabel('关停取缔').check();
    expect(await visible(page)).toEqual({ optional: true, areas: false, relocation: false });
  });
});
