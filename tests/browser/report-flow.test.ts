import { describe, expect, it } from 'vitest';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { hasBrowser, PHONE, pinOnVillage, portalAndBrowser, saveShot } from '../helpers/browser.ts';

describe.skipIf(!hasBrowser)('a resident reports a workshop from a phone and follows it', () => {
  const live = portalAndBrowser();
  const cspViolations: string[] = [];

  async function phonePage() {
    const context = await live.browser.newContext(PHONE);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    return page;
  }

  it('drops the pin, attaches a photo, submits, and sees the status with the tracking code', async () => {
    const page = await phonePage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^废气/ }).check();
    await pinOnVillage(page, '竹林村');
    await expect.poll(() => page.locator('#map-status').textContent()).toContain('竹林村');
    expect(Number(await page.locator('#lat').inputValue())).toBeGreaterThan(30.9);

    const zhulin = cellCenter(1, 1);
    const photo = await demoPhoto({ hue: 15, lat: zhulin.lat, lng: zhulin.lng, width: 3000, height: 2000 });
    await page.locator('#photos').setInputFiles({ name: 'smoke.jpg', mimeType: 'image/jpeg', buffer: photo });
    await expect.poll(() => page.locator('#previews img').count()).toBe(1);
    await expect.poll(() => page.locator('#photo-location').isVisible()).toBe(true);
    await page.locator('#description').fill('竹林村北边的塑料颗粒作坊傍晚冒黑烟，气味刺鼻，已经持续一个多月。');
    await saveShot(page, 'report-filled', { fullPage: true });

    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#tracking-code').waitFor(); // the receipt replaces the form; no URL carries the code
    expect(page.url()).toBe(`${live.portal.base}/report`);
    const code = (await page.locator('#tracking-code').textContent())!.trim();
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$/);
    await expect.poll(() => page.locator('main').textContent()).toContain('位置属于竹林村');
    await saveShot(page, 'report-done', { fullPage: true });

    await page.goto(`${live.portal.base}/track`);
    await page.locator('#code').fill(code.toLowerCase());
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('已提交，待受理');
    expect(await page.locator('.thumbs img').count()).toBe(1);
    expect(await page.locator('.thumbs img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await saveShot(page, 'track', { fullPage: true });
    await page.context().close();
  });

  it('keeps the draft through a reload, until the server confirms', async () => {
    const page = await phonePage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^噪声/ }).check();
    await page.locator('#description').fill('晚上十一点以后还有冲床的声音，吵得睡不着。');
    await page.waitForTimeout(600); // the draft is saved 300 ms after typing stops
    await page.reload();
    await expect
      .poll(() => page.locator('#description').inputValue())
      .toBe('晚上十一点以后还有冲床的声音，吵得睡不着。');
    expect(await page.locator('input[name="category"][value="noise"]').isChecked()).toBe(true);
    await expect.poll(() => page.locator('#draft-note').isVisible()).toBe(true);
    await page.context().close();
  });

  it('shows field errors in Chinese when the report is incomplete', async () => {
    const page = await phonePage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('button', { name: '提交举报' }).click();
    const alert = page.locator('#form-alert');
    await expect.poll(() => alert.textContent()).toContain('请选择问题类别');
    expect(await alert.textContent()).toContain('请在地图上点选位置');
    await page.context().close();
  });

  it('still works as a plain HTML form without JavaScript', async () => {
    const context = await live.browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^废水/ }).check();
    const c = cellCenter(0, 0);
    await page.locator('#lat').fill(String(c.lat));
    await page.locator('#lng').fill(String(c.lng));
    await page.locator('#description').fill('短');
    await page.getByRole('button', { name: '提交举报' }).click();
    await expect.poll(() => page.locator('#form-alert').textContent()).toContain('至少写 10 个字');
    expect(await page.locator('#lat').inputValue()).toBe(String(c.lat)); // nothing typed is lost
    await page.locator('#description').fill('下塘村的小电镀作坊往河里排黄色的水，很臭。');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.waitForURL(/\/report\/done$/); // the receipt rides in a signed HttpOnly cookie, not the URL
    await page.locator('#tracking-code').waitFor();
    expect(await page.locator('main').textContent()).toContain('位置属于下塘村');
    await saveShot(page, 'report-done-nojs', { fullPage: true });
    await context.close();
  });

  it('keeps the report when the connection drops at submit, and sends it once it is back', async () => {
    const page = await phonePage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^关停后又复产/ }).check();
    const c = cellCenter(2, 1);
    await page.locator('#coords summary').click();
    await page.locator('#lat').fill(String(c.lat));
    await page.locator('#lng').fill(String(c.lng));
    await page.locator('#lng').dispatchEvent('change');
    await page.locator('#description').fill('去年关停的铸造作坊最近夜里又开工了。');
    await page.context().setOffline(true);
    await page.getByRole('button', { name: '提交举报' }).click();
    await expect.poll(() => page.locator('#form-alert').textContent()).toContain('网络不稳定');
    await page.context().setOffline(false);
    await page.reload();
    await expect.poll(() => page.locator('#description').inputValue()).toBe('去年关停的铸造作坊最近夜里又开工了。');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#tracking-code').waitFor(); // the receipt replaces the form; no URL carries the code
    expect(page.url()).toBe(`${live.portal.base}/report`);
    expect(await page.locator('main').textContent()).toContain('位置属于溪口村');
    await page.context().close();
  });

  it('serves pages with the security headers, and refuses a cross-site form post', async () => {
    const res = await fetch(`${live.portal.base}/report`);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const before = await fetch(`${live.portal.base}/report`, {
      method: 'POST',
      body: new URLSearchParams({ category: 'air' }),
      headers: { origin: 'https://evil.example' },
    });
    expect(before.status).toBe(403);
    expect(await before.text()).toContain('跨站');
  });

  it('breaks no rule of the Content Security Policy', async () => {
    // On its own as well as after the flows above: every public page with its scripts running.
    const page = await phonePage();
    await page.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    for (const path of ['/', '/report', '/track', '/cases', '/cases/1', '/stats']) {
      await page.goto(`${live.portal.base}${path}`, { waitUntil: 'networkidle' });
      cspViolations.push(
        ...(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).map(
          (v) => `${path}: ${v}`,
        ),
      );
    }
    expect(cspViolations).toEqual([]);
    // The listener hears a violation when there is one: an inline script is one under this policy.
    await page.evaluate(() =>
      document.head.append(Object.assign(document.createElement('script'), { textContent: 'void 0' })),
    );
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { violations: string[] }).violations.length))
      .toBe(1);
  });
});
