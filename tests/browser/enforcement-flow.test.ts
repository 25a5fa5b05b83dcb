import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { hasBrowser, PHONE, portalAndBrowser, firstLoginInBrowser, saveShot } from '../helpers/browser.ts';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };

describe.skipIf(!hasBrowser)('a complaint becomes a shutdown task, done on a phone and accepted', () => {
  const live = portalAndBrowser();
  const logIn = (page: Page, username: string, password: string) =>
    firstLoginInBrowser(page, live.portal, username, password);

  it('files, triages, assigns, the village proves all five items, accepts, tells the reporter, exports', async () => {
    // A resident reports a workshop in 竹林村.
    const resident = await (await live.browser.newContext(PHONE)).newPage();
    const c = cellCenter(1, 1);
    await resident.goto(`${live.portal.base}/report`);
    await resident.getByRole('radio', { name: /^废气/ }).check();
    await resident.locator('#coords summary').click();
    await resident.locator('#lat').fill(String(c.lat - 0.002));
    await resident.locator('#lng').fill(String(c.lng + 0.002));
    await resident.locator('#lng').dispatchEvent('change');
    await resident.locator('#description').fill('竹林村北面周八家的塑料造粒作坊，夜里开工，黑烟熏人。');
    await resident.getByRole('button', { name: '提交举报' }).click();
    await resident.locator('#tracking-code').waitFor();
    const code = (await resident.locator('#tracking-code').textContent())!.trim();

    // The office accepts it, files the workshop and opens a shutdown task.
    const staff = await (await live.browser.newContext(DESK)).newPage();
    await logIn(staff, 'shouli', '竹林村的天空一定要变蓝');
    await staff.goto(`${live.portal.base}/admin/complaints`);
    // staff never see the code
    await staff.locator('table.queue tbody tr', { hasText: '周八家的塑料造粒作坊' }).getByRole('link').click();
    await staff.locator('#action-accept').getByRole('button', { name: '受理' }).click();
    await expect.poll(() => staff.locator('h1 .status').textContent()).toBe('已受理');
    await staff.getByRole('link', { name: '为此举报建档' }).click();
    await staff.waitForURL(/\/admin\/enterprises\/new\?complaint=/);
    await staff.getByLabel('企业名称').fill('周八塑料造粒作坊');
    await staff.getByLabel('企业负责人（法人）').fill('周八');
    await staff.getByLabel('行业类别').fill('塑料制品');
    await staff.getByLabel('环境保护方面问题').fill('造粒废气直排，无任何处理设施');
    await staff.getByRole('button', { name: '建立档案' }).click();
    await staff.waitForURL(/\/admin\/enterprises\/\d+$/);
    await staff.locator('#task-form').getByLabel('关停取缔').check();
    await staff.locator('#task-form').getByLabel('供电').check();
    await staff.getByLabel('村居负责人（包保）').fill('周村长');
    await staff.getByLabel('镇街负责人').fill('陈副镇长');
    await staff.getByLabel('责任部门负责人').fill('供电所刘所长');
    await saveShot(staff, 'enterprise-file', { fullPage: true });
    await staff.getByRole('button', { name: '下达任务' }).click();
    await staff.waitForURL(/\/admin\/tasks\/\d+$/);
    const taskUrl = staff.url();
    expect(await staff.locator('#checklist > li').count()).toBe(5);

    // The village officer, on his phone, photographs each item and submits.
    const officer = await (await live.browser.newContext({ ...PHONE, permissions: [] })).newPage();
    await logIn(officer, 'zhulin', '竹林村网格员的新密码');
    await officer.goto(`${live.portal.base}/admin/tasks`);
    await officer.getByRole('link', { name: '周八塑料造粒作坊' }).click();
    await officer.waitForURL(taskUrl);
    const photo = await demoPhoto({ hue: 200, lat: c.lat - 0.002, lng: c.lng + 0.002 });
    for (const [i, label] of ['断水', '断电', '清除原料', '清除产品', '清除设备'].entries()) {
      const item = officer.locator('#checklist > li', { has: officer.locator('h3', { hasText: label }) });
      await item
        .locator('input[type="file"]')
        .setInputFiles({ name: `${i}.jpg`, mimeType: 'image/jpeg', buffer: photo });
      await item.locator('textarea[name="note"]').fill(`${label}已完成，现场拍照`);
      await item.getByRole('button', { name: '上传佐证' }).click();
      await expect.poll(() => officer.locator('#checklist > li.done').count(), { timeout: 15_000 }).toBe(i + 1);
    }
    const caption = await officer.locator('.evidence figcaption').first().textContent();
    expect(caption).toMatch(/距企业 \d+ 米/); // the photo's GPS, kept privately, checked against the file
    await saveShot(officer, 'task-phone-evidence', { fullPage: true });
    await officer.locator('#checklist').scrollIntoViewIfNeeded();
    await saveShot(officer, 'task-phone-checklist');
    await officer.getByRole('button', { name: '提交验收' }).click();
    await expect.poll(() => officer.locator('#task-status').textContent()).toBe('待验收');

    // The office accepts; the reporter sees the report resolved.
    await staff.goto(taskUrl);
    await staff.getByRole('button', { name: '验收通过' }).click();
    await expect.poll(() => staff.locator('#task-status').textContent()).toBe('已验收');
    await saveShot(staff, 'task-accepted', { fullPage: true });
    await resident.goto(`${live.portal.base}/track?code=${code}`);
    expect(await resident.locator('#status').textContent()).toContain('办结');
    expect(await resident.locator('.timeline').textContent()).toContain('通过验收');
    await saveShot(resident, 'track-resolved', { fullPage: true });

    // The dynamic list, downloaded as staff would, carries the row.
    await staff.goto(`${live.portal.base}/admin/enterprises`);
    const href = await staff.getByRole('link', { name: /导出动态管理清单/ }).getAttribute('href');
    const res = await staff.context().request.get(`${live.portal.base}${href}`);
    expect(res.status()).toBe(200);
    const book = new ExcelJS.Workbook();
    const body = await res.body();
    await book.xlsx.load(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    const rows: string[] = [];
    book.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).map(String).join('|')));
    const row = rows.find((r) => r.includes('周八塑料造粒作坊'));
    expect(row).toBeDefined();
    expect(row).toContain('关停取缔');
    expect(row).toContain('周村长');
    await saveShot(staff, 'register', { fullPage: true });
  }, 180_000);
});
