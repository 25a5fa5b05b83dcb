import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { axeAnalyze, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { officeOf } from '../helpers/public-reports.ts';

// Before and while reporting, on a phone: the public map of accepted reports, the nearby hint under the pin with
// following one instead of filing, the photo picker naming a bad file, and the form without JavaScript.
const SPOT = cellCenter(0, 1); // 上塘村
const near = (dLat: number, dLng = 0) => ({ lat: String(SPOT.lat + dLat), lng: String(SPOT.lng + dLng) });

describe.skipIf(!hasBrowser)('before and while reporting, on a phone', () => {
  // A 1 MB photo limit: a file over it stays small enough to hand the browser quickly on a busy machine.
  const live = portalAndBrowser({ MAX_PHOTO_BYTES: String(1024 * 1024) });
  let office: ReturnType<typeof officeOf>;
  const csp: string[] = [];

  beforeAll(async () => {
    office = officeOf(live.portal);
    const report = (dLat: number, dLng: number, description: string) => ({
      category: 'air',
      ...near(dLat, dLng),
      description,
      anonymous: '1',
    });
    await office.worked(report(0.0003, 0.0002, '化工作坊夜里排放刺鼻气体，窗户都不敢开。'), 'assigned');
    await office.worked(report(0.0006, -0.0004, '作坊烟囱冒黑烟，附近衣服都晒黑了。'), 'accepted');
    await office.worked(report(-0.004, 0.003, '去年的铸造作坊已经关停。'), 'resolved');
    await office.worked({ ...report(0.0004, 0, '冲床声音很大，晚上也不停。'), category: 'noise' }, 'accepted');
  }, 120_000);
  afterAll(() => office?.close());

  async function phone(js = true): Promise<Page> {
    const page = await (await live.browser.newContext({ ...PHONE, javaScriptEnabled: js })).newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    return page;
  }

  it('shows the accepted reports snapped and counted, on a map and in a table; axe finds nothing serious', async () => {
    const page = await phone();
    const res = await page.goto(`${live.portal.base}/map`);
    expect(res!.status()).toBe(200);
    // The demo's sample and the four above; the noise report shares a cell with none of the air ones.
    await expect.poll(() => page.locator('#report-map path.leaflet-interactive').count()).toBeGreaterThanOrEqual(4);
    const table = page.locator('#map-table');
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await table.textContent()).toContain('废气/异味/烟尘');
    await page.locator('#report-map path.leaflet-interactive').first().click({ force: true });
    await expect.poll(() => page.locator('.leaflet-popup-content').textContent()).toMatch(/约 100 米范围内 \d+ 件举报/);
    await saveShot(page, 'map-phone', { fullPage: true });
    const { violations } = await axeAnalyze(page);
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    // Without a script the table is the map.
    const plain = await phone(false);
    await plain.goto(`${live.portal.base}/map`);
    expect(await plain.locator('#map-table tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await plain.locator('#report-map').isVisible()).toBe(false);
  }, 60_000);

  it('offers the similar reports near the pin and files a follower merged into one, with its own code', async () => {
    const page = await phone();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^废气/ }).check();
    await page.locator('#coords summary').click();
    const pin = near(0);
    await page.locator('#lat').fill(pin.lat);
    await page.locator('#lng').fill(pin.lng);
    await page.locator('#lng').dispatchEvent('change');
    const hint = page.locator('#nearby');
    await expect.poll(() => hint.textContent()).toContain('附近 2 条同类举报正在处理');
    expect(await hint.textContent()).toContain('已交办属地处理 · 约 100 米内');
    expect(await hint.textContent()).not.toContain('冲床'); // categories and statuses only, no text
    await hint.scrollIntoViewIfNeeded();
    await saveShot(page, 'nearby-hint-phone');

    await hint.getByRole('button', { name: '这是同一个作坊，关注办理进展' }).first().click();
    await expect.poll(() => page.locator('#field-follow').isVisible()).toBe(true);
    expect(await page.locator('#follow-what').textContent()).toContain('已交办属地处理');
    await saveShot(page, 'nearby-follow-phone');
    await page.getByRole('radio', { name: '留下联系方式' }).check();
    await page.locator('#phone').fill('13800001111');
    await page.getByRole('button', { name: '关注办理进展', exact: true }).click();
    await page.locator('#tracking-code').waitFor();
    expect(await page.locator('#receipt-title').textContent()).toBe('已关注办理进展');
    const code = (await page.locator('#tracking-code').textContent())!.replace('-', '').trim();

    await page.goto(`${live.portal.base}/track?code=${code}`);
    expect(await page.locator('#status').textContent()).toBe('已合并到其他举报');
    expect(await page.locator('#followed-status').textContent()).toBe('已交办属地处理');
    expect(await page.locator('main').textContent()).not.toContain('化工作坊夜里排放');
  }, 60_000);

  it('names each photo the picker refuses before upload, and keeps the good one', async () => {
    const page = await phone();
    await page.goto(`${live.portal.base}/report`);
    const good = await demoPhoto({ hue: 40, lat: SPOT.lat, lng: SPOT.lng, width: 800, height: 600 });
    const huge = Buffer.alloc(1.2 * 1024 * 1024); // JPEG's first bytes, then nothing a browser can decode or shrink
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    await page.locator('#photos').setInputFiles([
      { name: 'workshop.jpg', mimeType: 'image/jpeg', buffer: good },
      { name: '营业执照.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n') },
      { name: 'empty.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(0) },
      { name: 'renamed.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('GIF89a not a photo at all') },
      { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: huge },
    ]);
    const alert = page.locator('#form-alert');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('超过 1 MB');
    const text = (await alert.textContent())!;
    expect(text).toContain('第 2 张照片 营业执照.pdf 不是图片');
    expect(text).toContain('第 3 张照片 empty.jpg 是空文件');
    expect(text).toContain('第 4 张照片 renamed.jpg 不是图片');
    expect(text).toContain('第 5 张照片 huge.jpg 超过 1 MB');
    expect(text).not.toContain('workshop.jpg');
    expect(await page.locator('#previews img').count()).toBe(1);
    await saveShot(page, 'photo-picker-phone');
  }, 60_000);

  it('without JavaScript shows each field’s error once, and the date field speaks zh-CN', async () => {
    const page = await phone(false);
    await page.goto(`${live.portal.base}/report`);
    expect(await page.locator('#seenAt').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('label[for="seenAt"]').textContent()).toContain('年-月-日');
    await page.locator('#description').fill('短');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#form-alert li').first().waitFor();
    const items = await page.locator('#form-alert li').allTextContents();
    expect(items.map((t) => t.split('：')[0])).toEqual(['问题类别', '位置', '问题描述']);
    // One error under each field, and the pin's (one sentence for its two numbers) once, not twice.
    const under = await page.locator('.field-error').evaluateAll((ps) => ps.map((p) => p.id));
    expect(under.sort()).toEqual(['category-error', 'description-error', 'lat-error']);
    const body = (await page.locator('main').textContent())!;
    expect(body.split('请在地图上选点，或填写经纬度').length - 1).toBe(2); // the summary and the field
    expect(await page.locator('#lng').getAttribute('aria-describedby')).toBe('lat-error');
    await saveShot(page, 'report-errors-nojs-phone', { fullPage: true });
  }, 60_000);

  it('breaks no rule of the Content Security Policy', () => {
    expect(csp).toEqual([]);
  });
});
