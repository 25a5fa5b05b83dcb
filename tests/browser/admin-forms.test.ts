import { describe, expect, it } from 'vitest';
import { hasBrowser, portalAndBrowser } from '../helpers/browser.ts';

// Back-office forms post through admin.ts. Before it runs (slow network, busy machine) a click
// would submit the form natively: lost, and for the login form, the password in the page's URL.
describe.skipIf(!hasBrowser)('back-office forms before their script has run', () => {
  const live = portalAndBrowser();

  it('take no clicks, never put a password in a URL, and work once the script is there', async () => {
    const otp = /shouli\s+(\S+)/.exec(live.portal.output())![1]!;
    const page = await (await live.browser.newContext({ locale: 'zh-CN' })).newPage();
    let scripts = false;
    await page.route('**/_astro/*.js', (route) => (scripts ? route.continue() : route.abort()));
    await page.goto(`${live.portal.base}/admin/login`);
    await page.locator('#username').fill('shouli');
    await page.locator('#password').fill(otp);
    await expect(page.getByRole('button', { name: '登录' }).click({ timeout: 1500 })).rejects.toThrow(/Timeout/);
    await page.locator('#password').press('Enter'); // a native submission, as the form allows
    await page.waitForLoadState();
    // Back on the login page, empty, with the password in no URL.
    expect(page.url()).toBe(`${live.portal.base}/admin/login`);
    await expect.poll(() => page.locator('#password').inputValue()).toBe('');

    scripts = true;
    await page.goto(`${live.portal.base}/admin/login`);
    await page.locator('#username').fill('shouli');
    await page.locator('#password').fill(otp);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/admin\/password/);
  });
});
