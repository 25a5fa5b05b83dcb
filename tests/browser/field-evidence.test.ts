import { describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { axeAnalyze, demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';

describe.skipIf(!hasBrowser)('a village officer records a revisit finding with a photo, on his phone', () => {
  const live = portalAndBrowser();
  /** The office files a 竹林村 workshop and shuts it down through a task it accepts: its revisits fall due. */
  async function closedWorkshop(name: string, at: { lat: number; lng: number }) {
    const sid = await demoSession(live.portal, 'shouli');
    const call = async (path: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${live.portal.base}${path}`, {
        method,
        headers: {
          cookie: `sid=${sid}`,
          ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body instanceof FormData || body === undefined ? body : JSON.stringify(body),
      });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return res.json();
    };
    const { id: enterpriseId } = await call('/api/admin/enterprises', {
      name,
      personInCharge: name.slice(0, 2),
      lat: at.lat,
      lng: at.lng,
      address: '竹林村七组',
    });
    const dueOn = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const { id: taskId } = await call('/api/admin/tasks', {
      enterpriseId,
      type: 'shutdown',
      villageLead: '周村长',
      townshipLead: '陈副镇长',
      dueOn,
    });
    const task = await call(`/api/admin/tasks/${taskId}`, undefined, 'GET');
    for (const item of task.items as { id: number }[]) {
      const form = new FormData();
      form.append('note', '已完成，现场拍照');
      const photo = await demoPhoto({ hue: 50, width: 400, height: 300, lat: at.lat, lng: at.lng });
      form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'e.jpg');
      await call(`/api/admin/tasks/${taskId}/items/${item.id}/evidence`, form);
    }
    const version = async () => (await call(`/api/admin/tasks/${taskId}`, undefined, 'GET')).version as number;
    await call(`/api/admin/tasks/${taskId}/actions`, { action: 'submit', version: await version() });
    await call(`/api/admin/tasks/${taskId}/actions`, {
      action: 'accept',
      version: await version(),
      note: '两断三清到位',
    });
  }

  it('chooses 复产, takes a photo, saves in one request; the done list shows it with time and distance', async () => {
    const c = cellCenter(1, 1);
    const workshop = { lat: c.lat + 0.003, lng: c.lng - 0.002 };
    await closedWorkshop('冯七塑料造粒作坊', workshop);

    const context = await live.browser.newContext({ ...PHONE, permissions: [] });
    await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, 'zhulin'), url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/revisits`);
    const card = page.locator('#revisits > li', { hasText: '冯七塑料造粒作坊' }).first();
    await card.getByText('记录检查结果').click();
    const file = card.locator('input[type="file"][name="photos"]');
    expect(await file.getAttribute('capture')).toBe('environment');
    expect(await file.evaluate((el: HTMLInputElement) => el.required)).toBe(false); // 无异常 needs no photo
    await card.getByLabel('关停取缔后复产经营').check();
    expect(await file.evaluate((el: HTMLInputElement) => el.required)).toBe(true); // a finding does
    await card.locator('textarea[name="note"]').fill('夜里又开工，私接电线，机器声很大');
    // Taken about 110 m east of the workshop, with the phone's GPS in the file.
    const photo = await demoPhoto({ hue: 10, lat: workshop.lat, lng: workshop.lng + 0.00115 });
    await file.setInputFiles({ name: 'revisit.jpg', mimeType: 'image/jpeg', buffer: photo });
    await card.scrollIntoViewIfNeeded();
    await saveShot(page, 'revisit-phone-form');
    const saved = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/admin/revisits/'));
    await card.getByRole('button', { name: '保存' }).click();
    // One request carries the outcome, the note and the photo.
    const request = await saved;
    expect(request.headers()['content-type']).toMatch(/^multipart\/form-data/);
    await page.waitForURL(/\/admin\/revisits\?status=done#revisit-\d+$/);

    const done = page.locator('#revisits > li', { hasText: '冯七塑料造粒作坊' });
    await expect.poll(() => done.count()).toBe(1);
    expect(await done.textContent()).toContain('关停取缔后复产经营');
    expect(await done.textContent()).toContain('新任务');
    const caption = await done.locator('.field-photos figcaption').first().textContent();
    expect(caption).toMatch(/^拍摄于 .+，距企业 1\d\d 米$/);
    const img = done.locator('.field-photos img').first();
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    await saveShot(page, 'revisit-phone-done');
    await saveShot(page, 'revisit-phone-done-full', { fullPage: true });
  });

  it('records a night patrol on the phone: accounts ticked, a finding with its photo, in one request', async () => {
    const context = await live.browser.newContext({ ...PHONE, permissions: [] });
    await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, 'zhulin'), url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/patrols`);
    const form = page.locator('#patrol-form');
    if (!(await form.isVisible())) await page.getByText('登记一次夜查').click();
    // Last night, 21:00 to 23:00 Beijing time, as the phone's date pickers give it.
    const day = new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
    await form.locator('#p-start').fill(`${day}T21:00`);
    await form.locator('#p-end').fill(`${day}T23:00`);
    await form.locator('#p-area').fill('竹林村沿河一带');
    const people = form.locator('#p-people');
    // Himself is ticked; another village's officer is not offered.
    expect(await people.getByLabel(/竹林村网格员老周/).isChecked()).toBe(true);
    await people.getByLabel(/领导小组王组长/).check();
    await form.getByRole('button', { name: '＋ 添加一条发现' }).click();
    const row = form.locator('.finding-row').first();
    await row.locator('select[name="enterpriseId"]').selectOption({ label: '竹林村·王五家具加工作坊' });
    await row.locator('textarea[name="note"]').fill('22:40 仍有电锯声，门口堆木料');
    await row
      .locator('input[type="file"]')
      .setInputFiles({ name: 'night.jpg', mimeType: 'image/jpeg', buffer: await demoPhoto({ hue: 250 }) });
    await row.scrollIntoViewIfNeeded();
    await saveShot(page, 'patrol-phone-form');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/admin/patrols'));
    await form.getByRole('button', { name: '保存夜查记录' }).click();
    expect((await sent).headers()['content-type']).toMatch(/^multipart\/form-data/);
    const patrol = page.locator('.patrols > li', { hasText: '竹林村沿河一带' });
    await patrol.waitFor();
    expect(await patrol.textContent()).toMatch(/参加人员：.*领导小组王组长/);
    const img = patrol.locator('.field-photos img');
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    await saveShot(page, 'patrol-phone-list');
  });

  it('records a draw outcome with a photo on the office’s desk', async () => {
    const context = await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, 'shouli'), url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/draws`);
    await page.getByRole('link', { name: '本月“双随机”抽查' }).click();
    const row = page.locator('table.queue tbody tr').first();
    await row.locator('select[name="outcome"]').selectOption('problem_found');
    await row.locator('input[name="note"]').fill('无环评手续，废气直排');
    await row
      .locator('input[type="file"]')
      .setInputFiles({ name: 'draw.jpg', mimeType: 'image/jpeg', buffer: await demoPhoto({ hue: 330 }) });
    await row.getByRole('button', { name: '保存' }).click();
    const img = page.locator('table.queue tbody tr').first().locator('.field-photos img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    await saveShot(page, 'draw-outcome-photo', { fullPage: true });
  });

  it('has no serious or critical axe-core violation on these pages, photos and forms included', async () => {
    const bad: string[] = [];
    const check = async (user: string, device: object, paths: string[]) => {
      const context = await live.browser.newContext(device);
      await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, user), url: live.portal.base }]);
      const page = await context.newPage();
      for (const path of paths) {
        expect((await page.goto(`${live.portal.base}${path}`))!.status(), path).toBe(200);
        // The forms folded away in <details> are checked open.
        await page.evaluate(() => {
          for (const d of document.querySelectorAll('details')) d.open = true;
        });
        const { violations } = await axeAnalyze(page);
        for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
          bad.push(`${user} ${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
      }
      await context.close();
    };
    await check('zhulin', PHONE, ['/admin/revisits', '/admin/revisits?status=done', '/admin/patrols']);
    await check('shouli', { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' }, [
      '/admin/draws/1',
      '/admin/patrols',
    ]);
    expect(bad).toEqual([]);
  }, 180_000);
});
