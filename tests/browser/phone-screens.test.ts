import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import {
  axeAnalyze,
  demoSession,
  firstLoginInBrowser,
  hasBrowser,
  PHONE,
  portalAndBrowser,
  saveShot,
} from '../helpers/browser.ts';

// A village officer's lists on a phone are cards that fit the screen, and a checklist photo goes up
// without leaving the task page; the office's desktop keeps its table and bulk controls.

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const WARN = 'rgb(154, 59, 18)'; // --warn
const shot = (page: Page, name: string) => saveShot(page, `phone-${name}`, { fullPage: true });

describe.skipIf(!hasBrowser)('phone screens: lists as cards, checklist photos uploaded in place', () => {
  const live = portalAndBrowser();
  const at = cellCenter(1, 1); // 竹林村
  let taskId = 0;
  let officer: Page;

  const logIn = (page: Page, username: string, password: string) =>
    firstLoginInBrowser(page, live.portal, username, password);

  async function seriousViolations(page: Page) {
    const { violations } = await axeAnalyze(page);
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${page.url()}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }

  const scrollWidth = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth);

  async function phone(browser: Browser) {
    return (await browser.newContext({ ...PHONE, permissions: [] })).newPage();
  }

  it('prepares a report and a shutdown task in 竹林村', async () => {
    const report = new FormData();
    const fields = {
      category: 'air',
      lat: String(at.lat + 0.001),
      lng: String(at.lng - 0.001),
      description: '竹林村西头孙十家的废塑料作坊，天天傍晚烧东西，黑烟很大。',
      anonymous: '1',
    };
    for (const [k, v] of Object.entries(fields)) report.append(k, v);
    const filed = await fetch(`${live.portal.base}/api/complaints`, { method: 'POST', body: report });
    expect(filed.status, await filed.clone().text()).toBe(201);

    const sid = await demoSession(live.portal, 'admin');
    const post = (path: string, body: unknown) =>
      fetch(`${live.portal.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
        body: JSON.stringify(body),
      });
    const file = await post('/api/admin/enterprises', {
      name: '孙十废塑料作坊',
      businessLicence: false,
      lat: at.lat + 0.001,
      lng: at.lng - 0.001,
    });
    expect(file.status, await file.clone().text()).toBe(201);
    const task = await post('/api/admin/tasks', {
      enterpriseId: (await file.json()).id,
      type: 'shutdown',
      villageLead: '周村长',
      townshipLead: '陈副镇长',
      dueOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(task.status, await task.clone().text()).toBe(201);
    taskId = (await task.json()).id;
  });

  it('shows the village officer his queue and tasks as cards that fit a phone', async () => {
    officer = await phone(live.browser);
    await logIn(officer, 'zhulin', '竹林村网格员的手机密码');
    const bad: string[] = [];

    await officer.goto(`${live.portal.base}/admin/complaints`);
    const card = officer.locator('table.queue tbody tr', { hasText: '孙十家的废塑料作坊' });
    expect(await card.evaluate((tr) => getComputedStyle(tr).display)).toBe('flex');
    expect((await officer.locator('table.queue thead th').first().boundingBox())!.width).toBeLessThanOrEqual(1);
    const box = (await card.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(390);
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(await card.textContent()).toMatch(/^#\d+待受理废气.*竹林村.*孙十家/);
    const left = card.locator('.days-left');
    expect(await left.textContent()).toMatch(/^\d+ 天$/);
    expect(await left.evaluate((e) => getComputedStyle(e, '::before').content)).toBe('"剩 "');
    expect(await scrollWidth(officer)).toBeLessThanOrEqual(390);
    bad.push(...(await seriousViolations(officer)));
    await shot(officer, 'queue');
    // The whole card opens the complaint, not only its number.
    await officer.mouse.click(box.x + box.width - 20, box.y + box.height - 12);
    await officer.waitForURL(/\/admin\/complaints\/\d+$/);

    await officer.goto(`${live.portal.base}/admin/tasks`);
    const task = officer.locator('#tasks .work-card', { hasText: '孙十废塑料作坊' });
    const link = task.getByRole('link');
    expect(await link.textContent()).toMatch(/任务 #\d+ · 竹林村/);
    expect(await link.textContent()).toContain('关停取缔');
    expect(await link.textContent()).toMatch(/期限 \d{4}-\d\d-\d\d（剩 \d+ 天）/);
    expect((await link.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await scrollWidth(officer)).toBeLessThanOrEqual(390);
    bad.push(...(await seriousViolations(officer)));
    await shot(officer, 'tasks');

    await Promise.all([officer.waitForURL(new RegExp(`/admin/tasks/${taskId}$`)), link.click()]);
    expect(await scrollWidth(officer)).toBeLessThanOrEqual(390);
    bad.push(...(await seriousViolations(officer)));
    expect(bad).toEqual([]);
  }, 120_000);

  it('gives each checklist item its hint and camera, and uploads a photo without reloading the page', async () => {
    await officer.goto(`${live.portal.base}/admin/tasks/${taskId}`);
    const power = officer.locator('#checklist > li', { has: officer.locator('h3', { hasText: '断电' }) });
    expect(await power.locator('.item-hint').textContent()).toContain('电表');
    const hints = await officer.locator('#checklist .item-hint').allTextContents();
    expect(hints).toHaveLength(5);
    expect(new Set(hints).size).toBe(5);
    const camera = power.locator('label.camera-button');
    expect(await camera.textContent()).toContain('拍照');
    expect((await camera.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    const input = power.locator('input[type="file"]');
    expect(await input.getAttribute('accept')).toBe('image/*');
    expect(await input.getAttribute('capture')).toBe('environment');
    expect(await input.getAttribute('aria-describedby')).toBe(await power.locator('.item-hint').getAttribute('id'));

    await officer.evaluate(() => ((window as { __stayed?: boolean }).__stayed = true));
    let navigations = 0;
    officer.on('framenavigated', (f) => f === officer.mainFrame() && navigations++);

    // The network drops during the first try: the photo stays chosen and the button offers a retry.
    const photo = await demoPhoto({ hue: 40, lat: at.lat + 0.001, lng: at.lng - 0.001 });
    expect(await power.locator('textarea[name="note"]').isVisible()).toBe(false); // the hint and the camera first
    await input.setInputFiles({ name: 'meter.jpg', mimeType: 'image/jpeg', buffer: photo });
    expect(await power.locator('.chosen img').count()).toBe(1);
    expect(await camera.textContent()).toContain('已选 1 张');
    await power.locator('textarea[name="note"]').fill('电表已拆除，供电所刘所长在场');
    await officer.route('**/evidence', (route) => route.abort('internetdisconnected'));
    await power.getByRole('button', { name: '上传佐证' }).click();
    await power.getByRole('alert').filter({ hasText: '网络中断' }).waitFor();
    expect(await power.getByRole('alert').textContent()).toContain('1 张照片还在');
    expect(await input.evaluate((i: HTMLInputElement) => i.files?.length)).toBe(1);
    await shot(officer, 'upload-failed');

    await officer.unroute('**/evidence');
    await power.getByRole('button', { name: '重试上传' }).click();
    await expect.poll(() => power.evaluate((li) => li.classList.contains('done')), { timeout: 30_000 }).toBe(true);
    const done = officer.locator('#checklist > li.done', { has: officer.locator('h3', { hasText: '断电' }) });
    expect(await done.locator('h3 .tag').textContent()).toBe('已完成');
    expect(await done.locator('.done-note').textContent()).toContain('已上传 1 张照片');
    const thumb = done.locator('.evidence img');
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await done.locator('.evidence figcaption').textContent()).toMatch(/距企业 \d+ 米/);
    expect(await officer.locator('#missing').textContent()).not.toContain('断电');
    expect(await officer.evaluate(() => (window as { __stayed?: boolean }).__stayed)).toBe(true);
    expect(navigations).toBe(0);
    await done.scrollIntoViewIfNeeded();
    await saveShot(officer, 'phone-upload-done');
    await shot(officer, 'task');
  }, 120_000);

  it('keeps the table and its bulk controls for the office on a desktop', async () => {
    const office = await (await live.browser.newContext(DESK)).newPage();
    await logIn(office, 'shouli', '受理员桌面电脑的新密码');
    await office.goto(`${live.portal.base}/admin/complaints`);
    const row = office.locator('table.queue tbody tr', { hasText: '孙十家的废塑料作坊' });
    expect(await row.evaluate((tr) => getComputedStyle(tr).display)).toBe('table-row');
    expect(await office.locator('table.queue thead th', { hasText: '剩余天数' }).isVisible()).toBe(true);
    await row.getByRole('checkbox').check();
    expect(await office.locator('#bulk-count').textContent()).toBe('已选 1 条');
    await office.locator('#select-all').check();
    expect(await office.locator('#bulk-count').textContent()).toBe(
      `已选 ${await office.locator('input.pick').count()} 条`,
    );
    await shot(office, 'desk-queue');

    // The office on its phone: cards too, each with its checkbox above the card's link.
    const onPhone = await (await live.browser.newContext(PHONE)).newPage();
    await onPhone.context().addCookies(await office.context().cookies());
    await onPhone.goto(`${live.portal.base}/admin/complaints`);
    const card = onPhone.locator('table.queue tbody tr', { hasText: '孙十家的废塑料作坊' });
    const pick = card.locator('.pick-target');
    expect((await pick.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await pick.click();
    expect(await card.getByRole('checkbox').isChecked()).toBe(true);
    expect(onPhone.url()).toMatch(/\/admin\/complaints$/);
    expect(await scrollWidth(onPhone)).toBeLessThanOrEqual(390);
    await shot(onPhone, 'office-queue');

    // An overdue task is marked in the warning colour.
    await onPhone.goto(`${live.portal.base}/admin/tasks?overdue=1`);
    const late = onPhone.locator('#tasks .work-card.late').first();
    expect(await late.locator('.days-left.late').evaluate((e) => getComputedStyle(e).color)).toBe(WARN);
    expect(await late.locator('a').evaluate((a) => getComputedStyle(a).borderLeftColor)).toBe(WARN);
    expect(await scrollWidth(onPhone)).toBeLessThanOrEqual(390);
    await shot(onPhone, 'office-tasks-overdue');
  }, 120_000);
});
