import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  axeAnalyze,
  demoSession,
  hasBrowser,
  PHONE,
  pinOnVillage,
  portalAndBrowser,
  saveShot,
} from '../helpers/browser.ts';
import { startSmtp } from '../helpers/smtp.ts';

// Being told, on screen: a resident ticks 「通知我」 on his phone; the mail host refuses his mailbox, so the message
// dies and the admin sees it masked and tries it again once the host takes it; the admin edits a template; a village
// officer sets his own channels on his phone.
const EMAIL = 'zhong.mimi@qq.com';
const PHONE_NO = '13712345678';
let refusing = true;
const smtp = await startSmtp({ refuse: () => refusing });
afterAll(() => smtp.close());

describe.skipIf(!hasBrowser)('messages: the opt-in, failed messages, templates, staff channels', () => {
  const live = portalAndBrowser({
    SMTP_URL: smtp.url,
    MAIL_FROM: '青溪镇整治办 <noreply@qingxi.example.cn>',
    OUTBOX_MAX_ATTEMPTS: '1',
    OUTBOX_POLL_S: '0.2',
  });
  const api = async (path: string, user: string, method = 'GET', body?: unknown) => {
    const sid = await demoSession(live.portal, user);
    const res = await fetch(`${live.portal.base}${path}`, {
      method,
      headers: { cookie: `sid=${sid}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  };
  async function pageAs(user: string, device: object) {
    const context = await live.browser.newContext(device);
    await context.addCookies([{ name: 'sid', value: await demoSession(live.portal, user), url: live.portal.base }]);
    return context.newPage();
  }
  const axe = async (page: Page) =>
    (await axeAnalyze(page)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id);

  it('a resident leaves his phone and e-mail and ticks 「受理、答复、办结时通知我」', async () => {
    const context = await live.browser.newContext(PHONE);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/report`);
    await page.getByRole('radio', { name: /^废气/ }).check();
    await pinOnVillage(page, '竹林村');
    await expect.poll(() => page.locator('#map-status').textContent()).toContain('竹林村');
    await page.locator('#description').fill('竹林村北边的塑料颗粒作坊傍晚冒黑烟，气味刺鼻。');
    await page.getByText('留下联系方式').click();
    await page.locator('#phone').fill(PHONE_NO);
    await page.locator('#email').fill('not-an-address');
    await page.getByText('受理、答复、办结时通知我').click();
    expect(await page.locator('input[name="notify"]').isChecked()).toBe(true);
    await page.getByRole('button', { name: '提交举报' }).click();
    await expect.poll(() => page.locator('#form-alert').textContent()).toContain('电子邮箱格式不正确');
    await page.locator('#email').fill(EMAIL);
    await saveShot(page.locator('#field-phone'), 'report-notify-phone');
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.locator('#tracking-code').waitFor();
    await context.close();

    const queue = await api('/api/admin/complaints', 'shouli');
    const row = (queue.json.rows as { id: number; version: number; description: string }[]).find((r) =>
      r.description.startsWith('竹林村北边的塑料颗粒作坊'),
    )!;
    const accepted = await api(`/api/admin/complaints/${row.id}/actions`, 'shouli', 'POST', {
      action: 'accept',
      version: row.version,
    });
    expect(accepted.status).toBe(200);
  });

  it('the admin sees the refused e-mail masked, with its error, and tries it again', async () => {
    // The host refused the mailbox; with one try allowed, the message is dead (the SMS waits: no gateway here).
    await expect.poll(async () => (await api('/api/admin/messages', 'admin')).json.counts.dead).toBe(1);
    const page = await pageAs('admin', { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${live.portal.base}/admin/messages`);
    const table = page.locator('#dead-messages');
    await expect.poll(() => table.textContent()).toContain('z***@qq.com');
    expect(await table.textContent()).toContain('Recipient address rejected');
    expect(await page.locator('#channel-status').textContent()).toContain('短信：未配置');
    const html = await page.content();
    expect(html).not.toContain(EMAIL);
    expect(html).not.toContain(PHONE_NO);
    expect(await axe(page)).toEqual([]);
    await saveShot(page, 'admin-messages', { fullPage: true });

    refusing = false;
    await page.getByRole('button', { name: /^重试消息/ }).click();
    await smtp.until((all) => all.length === 1);
    expect(smtp.received[0]!.to).toBe(EMAIL);
    expect(smtp.received[0]!.messageId).toMatch(/^<outbox-\d+\.[0-9a-f]{16}@qingxi\.example\.cn>$/);
    await expect
      .poll(async () => (await api('/api/admin/messages', 'admin')).json.counts)
      .toMatchObject({
        dead: 0,
        sent: 1,
      });
    await page.context().close();
  });

  it('the admin edits a template; an unknown placeholder is refused by name', async () => {
    const page = await pageAs('admin', { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await page.goto(`${live.portal.base}/admin/message-templates`);
    const form = page.locator('[id="tpl-reporter.accepted.email"]');
    await form.locator('textarea[name="body"]').fill('{姓名}您好，您的举报已受理。');
    await form.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => form.locator('.form-error').textContent()).toContain('{姓名}');
    expect(await axe(page)).toEqual([]);
    await saveShot(page, 'admin-message-templates', { fullPage: true });
    await page.context().close();
  });

  it('a village officer sets his e-mail and phone for his notices, on his phone', async () => {
    const page = await pageAs('zhulin', PHONE);
    await page.goto(`${live.portal.base}/admin/notifications`);
    await page.getByRole('link', { name: '设置通知方式' }).click();
    await page.locator('#email').fill('zhulin@example.cn');
    await page.getByLabel('短信').check();
    await page.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.locator('.form-error').textContent()).toBe('要用短信接收通知，请填写手机号');
    await page.locator('#phone').fill('139 0000 1111');
    await page.getByLabel('邮件').check();
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '保存' }).click()]);
    expect(await page.locator('#phone').inputValue()).toBe('13900001111');
    expect(await page.getByLabel('邮件').isChecked()).toBe(true);
    expect(await axe(page)).toEqual([]);
    await saveShot(page, 'admin-profile-phone', { fullPage: true });
    await page.context().close();
  });
});
