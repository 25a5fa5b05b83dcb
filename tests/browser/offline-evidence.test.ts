import { createHash } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { axeAnalyze, demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';

// Issue 16: a village officer records a 回头看 finding with two photos where there is no signal. The photos wait on
// the phone (IndexedDB) through a reload served by the service worker, go up once when the signal returns, and the
// visit then shows them with the hashes of the very files he picked. A save the server refuses stays in the queue
// with its reason until he discards it.
describe.skipIf(!hasBrowser)('field evidence recorded offline on the phone', () => {
  const live = portalAndBrowser();

  async function api(path: string, body?: unknown) {
    const sid = await demoSession(live.portal, 'shouli');
    const res = await fetch(`${live.portal.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie: `sid=${sid}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return res.json();
  }

  /** A 竹林村 workshop shut down through a task the office accepted: its revisits are scheduled. */
  async function closedWorkshop(name: string, at: { lat: number; lng: number }) {
    const { id: enterpriseId } = await api('/api/admin/enterprises', {
      name,
      personInCharge: name.slice(0, 2),
      lat: at.lat,
      lng: at.lng,
      address: '竹林村三组',
    });
    const dueOn = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const { id: taskId } = await api('/api/admin/tasks', {
      enterpriseId,
      type: 'shutdown',
      villageLead: '周村长',
      townshipLead: '陈副镇长',
      dueOn,
    });
    const sid = await demoSession(live.portal, 'shouli');
    for (const item of (await api(`/api/admin/tasks/${taskId}`)).items as { id: number }[]) {
      const form = new FormData();
      form.append('note', '已完成，现场拍照');
      const photo = await demoPhoto({ hue: 60, width: 400, height: 300, lat: at.lat, lng: at.lng });
      form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'e.jpg');
      const res = await fetch(`${live.portal.base}/api/admin/tasks/${taskId}/items/${item.id}/evidence`, {
        method: 'POST',
        headers: { cookie: `sid=${sid}` },
        body: form,
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    }
    for (const action of ['submit', 'accept']) {
      const { version } = await api(`/api/admin/tasks/${taskId}`);
      await api(`/api/admin/tasks/${taskId}/actions`, { action, version, note: '两断三清到位' });
    }
  }

  /** The village officer's phone, his position known to it, on the list of revisits to do, with the signal on. */
  async function officerPhone(at: { lat: number; lng: number }) {
    const context = await live.browser.newContext({
      ...PHONE,
      permissions: ['geolocation'],
      geolocation: { latitude: at.lat, longitude: at.lng, accuracy: 12 },
    });
    await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, 'zhulin'), url: live.portal.base }]);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/revisits`);
    // The service worker keeps the pages the officer opened while online; once it controls this page, reloading
    // fetches the page through it.
    const worker = await page.evaluate(async () => {
      if (!('serviceWorker' in navigator) || !(await navigator.serviceWorker.getRegistration())) return false;
      await navigator.serviceWorker.ready;
      return true;
    });
    if (worker) await page.reload();
    return { context, page, worker };
  }

  /** The workshop's first visit due (its revisits are scheduled at several intervals). */
  const firstVisit = async (page: Page, workshop: string) =>
    `#${await page.locator('#revisits > li', { hasText: workshop }).first().getAttribute('id')}`;

  /** Records a finding on the visit's card: outcome 复产, a note, these photos; 保存. */
  async function recordFinding(page: Page, visit: string, photos: Buffer[]) {
    const card = page.locator(visit);
    await card.getByText('记录检查结果').click();
    await card.getByLabel('关停取缔后复产经营').check();
    await card.locator('textarea[name="note"]').fill('夜里又开工，门口堆满原料');
    await card
      .locator('input[type="file"][name="photos"]')
      .setInputFiles(photos.map((buffer, i) => ({ name: `finding-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer })));
    await card.getByRole('button', { name: '保存' }).click();
    return card;
  }

  const badge = (page: Page) => page.locator('#upload-queue-toggle');
  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  /** Each POST of a revisit from now on: its Idempotency-Key. */
  const revisitPosts = (context: BrowserContext) => {
    const posts: string[] = [];
    context.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/admin/revisits/'))
        posts.push(r.headers()['idempotency-key']!);
    });
    return posts;
  };
  const seriousViolations = async (page: Page) =>
    (await axeAnalyze(page)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);

  it('keeps two photos taken offline through a reload and uploads them once when the signal returns', async () => {
    const c = cellCenter(1, 1);
    const at = { lat: c.lat - 0.002, lng: c.lng + 0.003 };
    const workshop = '张三五金作坊';
    await closedWorkshop(workshop, at);
    const { context, page, worker } = await officerPhone(at);
    const posts = revisitPosts(context);
    const visit = await firstVisit(page, workshop);

    await context.setOffline(true);
    // No GPS in the files (the camera app left it out): where they were taken is the phone's position, ±12 m.
    const photos = [await demoPhoto({ hue: 20 }), await demoPhoto({ hue: 200 })];
    const card = await recordFinding(page, visit, photos);
    const note = card.locator('.queued-note');
    await expect.poll(() => note.textContent()).toContain('待上传：2 张照片');
    expect(await note.textContent()).toContain('已保存在手机上，有信号时自动上传');
    expect(await badge(page).textContent()).toBe('待上传 1 项');
    await badge(page).click();
    const item = page.locator('#upload-queue-items > li');
    expect(await item.count()).toBe(1);
    expect(await item.textContent()).toContain(`回头看 · ${workshop} · 2 张照片`);
    expect(await page.locator('#upload-queue-net').textContent()).toContain('手机没有网络');
    expect(await seriousViolations(page)).toEqual([]);
    await saveShot(page, 'offline-queue-panel');

    // Still without signal, the page again: from the service worker's cache, and the queue from IndexedDB.
    if (!worker) throw new Error('no service worker registered for /admin/: the offline reload cannot be tested');
    expect((await page.reload())!.fromServiceWorker()).toBe(true);
    await expect.poll(() => badge(page).textContent()).toBe('待上传 1 项');
    const after = page.locator(visit).locator('.queued-note');
    await expect.poll(() => after.textContent()).toContain('待上传：2 张照片');
    await after.scrollIntoViewIfNeeded();
    await saveShot(page, 'offline-queue-reloaded');
    expect(posts).toEqual([]);

    await context.setOffline(false);
    await expect.poll(() => after.textContent(), { timeout: 30_000 }).toContain('已上传');
    // The queue is empty: closed, the badge is gone (open, it says all went up).
    expect(await page.locator('#upload-queue-items > li').count()).toBe(0);
    if (await badge(page).isVisible()) expect(await badge(page).textContent()).toBe('已全部上传');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatch(/^[0-9a-f-]{36}$/);

    // On the server: one revisit of this workshop, with the two photos whose hashes are those of the files sent.
    const { rows } = await api('/api/admin/revisits?status=done');
    const done = (rows as { enterpriseName: string; photos: { sha256: string; accuracyM: number | null }[] }[]).filter(
      (r) => r.enterpriseName === workshop,
    );
    expect(done).toHaveLength(1);
    expect(done[0]!.photos.map((p) => p.sha256).sort()).toEqual(photos.map(sha256).sort());
    expect(done[0]!.photos.every((p) => p.accuracyM === 12)).toBe(true);

    await after.getByRole('link', { name: '查看' }).click();
    const shown = page.locator(visit);
    await shown.waitFor();
    const text = (await shown.textContent()) ?? '';
    for (const p of photos) expect(text).toContain(sha256(p));
    // Placed by the phone's position when the photos were picked, with its accuracy.
    expect(text.match(/手机定位 ±12 米/g)).toHaveLength(2);
    await shown.scrollIntoViewIfNeeded();
    await saveShot(page, 'offline-queue-uploaded');
    await context.close();
  }, 120_000);

  it('shows a save the server refuses with its reason, and lets the officer discard it', async () => {
    const c = cellCenter(1, 1);
    const at = { lat: c.lat + 0.002, lng: c.lng - 0.003 };
    const workshop = '李四塑料作坊';
    await closedWorkshop(workshop, at);
    const { context, page } = await officerPhone(at);
    const visit = await firstVisit(page, workshop);
    const revisitUrl = await page.locator(visit).locator('form[data-field-upload]').getAttribute('data-field-upload');

    await context.setOffline(true);
    const card = await recordFinding(page, visit, [await demoPhoto({ hue: 120, lat: at.lat, lng: at.lng })]);
    await expect.poll(() => card.locator('.queued-note').textContent()).toContain('待上传：1 张照片');
    // Meanwhile someone else records this visit.
    await api(revisitUrl!, { outcome: 'fine', note: '镇里同事已检查，未发现问题' });

    await context.setOffline(false);
    await expect.poll(() => badge(page).textContent(), { timeout: 30_000 }).toBe('待上传 1 项（1 项失败）');
    expect(await card.locator('.queued-note').textContent()).toContain('这次回头看已经记录过了');
    await badge(page).click();
    const item = page.locator('#upload-queue-items > li');
    expect(await item.locator('.state').textContent()).toBe('上传失败：这次回头看已经记录过了');
    expect(await seriousViolations(page)).toEqual([]);
    await saveShot(page, 'offline-queue-failed');

    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.accept();
    });
    await item.getByRole('button', { name: '放弃' }).click();
    await expect.poll(() => item.count()).toBe(0);
    expect(asked[0]).toContain(`放弃“回头看 · ${workshop}”`);
    expect(await page.locator('#upload-queue-net').textContent()).toContain('已全部上传');
    const left = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const open = indexedDB.open('field-work');
          open.onsuccess = () => {
            const count = open.result.transaction('uploads').objectStore('uploads').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(left).toBe(0);
    await context.close();
  }, 120_000);

  it('sends a save whose answer was lost again under the same key, and the server keeps it once', async () => {
    const c = cellCenter(1, 1);
    const at = { lat: c.lat + 0.001, lng: c.lng + 0.001 };
    const workshop = '王五电镀作坊';
    await closedWorkshop(workshop, at);
    const { context, page } = await officerPhone(at);
    const posts = revisitPosts(context);
    const visit = await firstVisit(page, workshop);
    // The first try reaches the server and is saved there; its answer never reaches the phone.
    let first = true;
    await page.route('**/api/admin/revisits/*', async (route) => {
      if (!first) return route.continue();
      first = false;
      await route.fetch();
      await route.abort('connectionreset');
    });
    const photo = await demoPhoto({ hue: 300 });
    const card = await recordFinding(page, visit, [photo]);
    await expect.poll(() => card.locator('.queued-note').textContent()).toContain('待上传：1 张照片');

    // The queue's timer tries again (5 s after a failed try), with the key it was queued under.
    await expect.poll(() => card.locator('.queued-note').textContent(), { timeout: 30_000 }).toContain('已上传');
    expect(posts).toHaveLength(2);
    expect(posts[1]).toBe(posts[0]);
    const { rows } = await api('/api/admin/revisits?status=done');
    const done = (rows as { enterpriseName: string; photos: { sha256: string }[] }[]).filter(
      (r) => r.enterpriseName === workshop,
    );
    expect(done).toHaveLength(1);
    expect(done[0]!.photos.map((p) => p.sha256)).toEqual([sha256(photo)]);
    await context.close();
  }, 120_000);
});
