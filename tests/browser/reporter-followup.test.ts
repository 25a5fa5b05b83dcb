import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { axeAnalyze, demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';
import { startSmtp } from '../helpers/smtp.ts';

// Issue 17's proof on a phone: a resident files with an e-mail and opts in, is told of the acceptance by e-mail
// (read from the test's own SMTP server), rates the outcome 不满意 and later reports 又开工了 on /track without
// JavaScript being needed; the office's queue, open in a second page as triage, shows each at its top.
const smtp = hasBrowser ? await startSmtp() : null;
afterAll(() => smtp?.close());
const EMAIL = 'lin.jubao@example.com';
const SPOT = cellCenter(1, 1); // 竹林村
const TEXT = '竹林村东头的废塑料作坊夜里熔炼，黑烟很大，气味刺鼻。';

describe.skipIf(!hasBrowser)('a reporter follows up from a phone; the office sees each', () => {
  const live = portalAndBrowser({
    SMTP_URL: smtp?.url ?? '',
    MAIL_FROM: '青溪镇整治办 <noreply@qingxi.example.cn>',
    OUTBOX_POLL_S: '0.2',
  });
  const shot = (page: Page, name: string) => saveShot(page, name, { fullPage: true });

  it('files, is told by e-mail, rates 不满意, reports 又开工了; the queue puts each first', async () => {
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const resident = await (await live.browser.newContext(PHONE)).newPage();
    await resident.goto(`${live.portal.base}/report`);
    await resident.getByRole('radio', { name: /^废气/ }).check();
    await resident.locator('#coords summary').click();
    await resident.locator('#lat').fill(String(SPOT.lat));
    await resident.locator('#lng').fill(String(SPOT.lng));
    await resident.locator('#lng').dispatchEvent('change');
    await resident.locator('#description').fill(TEXT);
    await resident.getByRole('radio', { name: /^留下联系方式/ }).check();
    await resident.locator('#name').fill('林举报');
    await resident.locator('#email').fill(EMAIL);
    await resident.locator('#field-notify input').check();
    await resident.getByRole('button', { name: '提交举报' }).click();
    await resident.locator('#tracking-code').waitFor();
    const code = (await resident.locator('#tracking-code').textContent())!.trim().replace('-', '');
    const { id } = db.prepare('select id from complaints where tracking_code = ?').get(code) as { id: number };

    // The office, signed in as triage in a page of its own.
    const office = await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const sid = await demoSession(live.portal, 'shouli');
    await office.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const staff = await office.newPage();
    const version = () =>
      (db.prepare('select version from complaints where id = ?').get(id) as { version: number }).version;
    const act = async (body: Record<string, unknown>) => {
      const res = await fetch(`${live.portal.base}/api/admin/complaints/${id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
        body: JSON.stringify({ version: version(), ...body }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const firstRow = async () => {
      await staff.goto(`${live.portal.base}/admin/complaints`);
      return staff.locator('table.queue tbody tr').first();
    };

    // 受理 on the complaint page; the e-mail arrives through the outbox worker.
    await staff.goto(`${live.portal.base}/admin/complaints/${id}`);
    await staff.locator('#action-accept').getByRole('button', { name: '受理' }).click();
    await expect.poll(() => staff.locator('h1 .status').textContent()).toBe('已受理');
    await smtp!.until((all) => all.some((m) => m.to === EMAIL));
    const mail = smtp!.received.find((m) => m.to === EMAIL)!;
    expect(mail.subject).toContain('已受理');
    expect(mail.text + mail.subject).not.toContain(code);
    expect(mail.text).not.toContain('林举报');

    // Worked and resolved by the office; the reporter rates it 不满意 on /track.
    await act({
      action: 'assign',
      villageId: db.prepare("select id from villages where code = 'qingxi-zhulin'").pluck().get(),
    });
    await act({ action: 'resolve', reply: '作坊已停产，设备已查封。' });
    await resident.goto(`${live.portal.base}/track?code=${code}`);
    await expect.poll(() => resident.locator('#status').textContent()).toBe('已办结');
    await shot(resident, 'track-followup-resolved');
    await resident.locator('#rating-form').getByText('不满意', { exact: true }).click();
    await resident.locator('#rating-comment').fill('白天停了，晚上照样开工。');
    await resident.getByRole('button', { name: '提交评价' }).click();
    await expect.poll(() => resident.locator('#sent').textContent()).toContain('已收到您的评价');
    expect(await resident.locator('#rating-given').textContent()).toContain('不满意');
    expect(await resident.locator('.timeline').first().textContent()).toContain('举报人评价：不满意');
    await shot(resident, 'track-followup-rated');

    let row = await firstRow();
    expect(await row.locator('.num').textContent()).toBe(`#${id}`);
    expect(await row.locator('.reporter-alert').textContent()).toBe('不满意');
    await shot(staff, 'queue-unsatisfied');

    // The office keeps the result, with a note and a reply the reporter reads.
    await staff.goto(`${live.portal.base}/admin/complaints/${id}`);
    expect(await staff.locator('#followups').textContent()).toContain('白天停了，晚上照样开工。');
    await staff.locator('#followup-review textarea[name="note"]').fill('夜查一次，未见生产');
    await staff.locator('#followup-review textarea[name="reply"]').fill('我们夜里去看过，暂未发现生产，请继续监督。');
    await shot(staff, 'complaint-followups');
    await staff.locator('#followup-review').getByRole('button', { name: '已阅/处理' }).click();
    // The page reloads once the review is saved: the follow-up then says who handled it.
    await expect.poll(() => staff.locator('#followups').textContent()).toContain('已处理');
    await staff.waitForLoadState();
    expect(await staff.locator('#followup-review').count()).toBe(0);
    row = await firstRow();
    expect(await row.locator('.reporter-alert').count()).toBe(0);

    // A week later the workshop is back: 又开工了, without JavaScript's help (a plain form post).
    await resident.goto(`${live.portal.base}/track?code=${code}`);
    expect(await resident.locator('.timeline').first().textContent()).toContain('我们夜里去看过');
    await resident.locator('#relapse-body').fill('昨晚十点又开工了，黑烟比以前还大。');
    await resident.getByRole('button', { name: '反映又开工了' }).click();
    await expect.poll(() => resident.locator('#sent').textContent()).toContain('重新打开');
    expect(await resident.locator('#status').textContent()).toBe('已受理');
    await shot(resident, 'track-followup-relapse');

    row = await firstRow();
    expect(await row.locator('.num').textContent()).toBe(`#${id}`);
    expect(await row.locator('.reporter-alert').textContent()).toBe('又开工了');
    expect(await row.locator('.state').textContent()).toBe('已受理');
    await shot(staff, 'queue-relapse');
    db.close();
    await office.close();
    await resident.context().close();
  });

  it("keeps /track's new parts and the office's pages valid HTML, no serious axe violation on a phone", async () => {
    const file = async () => {
      const res = await fetch(`${live.portal.base}/api/complaints`, {
        method: 'POST',
        body: new URLSearchParams({
          category: 'water',
          lat: String(SPOT.lat),
          lng: String(SPOT.lng),
          description: TEXT,
        }),
      });
      return ((await res.json()) as { trackingCode: string }).trackingCode;
    };
    const sid = await demoSession(live.portal, 'shouli');
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const row = (code: string) =>
      db.prepare('select id, version, village_id AS v from complaints where tracking_code = ?').get(code) as {
        id: number;
        version: number;
        v: number;
      };
    const act = async (code: string, body: Record<string, unknown>) => {
      const res = await fetch(`${live.portal.base}/api/admin/complaints/${row(code).id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
        body: JSON.stringify({ version: row(code).version, ...body }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const open = await file();
    const done = await file();
    await act(done, { action: 'accept' });
    await act(done, { action: 'assign', villageId: row(done).v });
    await act(done, { action: 'resolve' });
    const refused = await fetch(`${live.portal.base}/track`, {
      method: 'POST',
      headers: { origin: live.portal.base },
      body: new URLSearchParams({ code: done, kind: 'relapse', body: '又开工了' }),
    });
    expect(refused.status).toBe(400);
    const pages: Record<string, string> = {
      '/track (open: 补充材料)': await (await fetch(`${live.portal.base}/track?code=${open}`)).text(),
      '/track (resolved: 又开工了, 评价)': await (await fetch(`${live.portal.base}/track?code=${done}`)).text(),
      '/track (a refused 又开工了)': await refused.text(),
    };
    expect(pages['/track (a refused 又开工了)']).toContain('情况说明至少写 10 个字');
    await fetch(`${live.portal.base}/api/complaints/followups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: done, kind: 'rating', rating: 'unsatisfied', comment: '晚上照开' }),
    });
    pages['/admin/complaints/[id] (不满意 to review)'] = await (
      await fetch(`${live.portal.base}/admin/complaints/${row(done).id}`, { headers: { cookie: `sid=${sid}` } })
    ).text();
    pages['/admin/complaints (flagged)'] = await (
      await fetch(`${live.portal.base}/admin/complaints`, { headers: { cookie: `sid=${sid}` } })
    ).text();
    if (hasValidator) expect(htmlErrors(pages)).toEqual([]);

    const page = await (await live.browser.newContext(PHONE)).newPage();
    for (const code of [open, done]) {
      await page.goto(`${live.portal.base}/track?code=${code}`);
      const { violations } = await axeAnalyze(page);
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    }
    db.close();
    await page.context().close();
  });

  it('files a linked report for 又开工了 on an archived one, without JavaScript: its code on the receipt', async () => {
    const filed = await fetch(`${live.portal.base}/api/complaints`, {
      method: 'POST',
      body: new URLSearchParams({ category: 'air', lat: String(SPOT.lat), lng: String(SPOT.lng), description: TEXT }),
    });
    const { trackingCode: code } = (await filed.json()) as { trackingCode: string };
    const sid = await demoSession(live.portal, 'shouli');
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const row = () =>
      db.prepare('select id, version, village_id AS v from complaints where tracking_code = ?').get(code) as {
        id: number;
        version: number;
        v: number;
      };
    for (const action of ['accept', 'assign', 'resolve', 'close']) {
      const res = await fetch(`${live.portal.base}/api/admin/complaints/${row().id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
        body: JSON.stringify({ action, version: row().version, ...(action === 'assign' && { villageId: row().v }) }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const page = await (await live.browser.newContext({ ...PHONE, javaScriptEnabled: false })).newPage();
    await page.goto(`${live.portal.base}/track?code=${code}`);
    expect(await page.locator('#followup-relapse').textContent()).toContain('另立新举报办理');
    await page.locator('#relapse-body').fill('归档以后作坊又搬回来开工了，每天晚上冒黑烟。');
    await page.getByRole('button', { name: '反映又开工了' }).click();
    await page.waitForURL(/\/report\/done$/);
    const fresh = (await page.locator('#tracking-code').textContent())!.trim().replace('-', '');
    expect(fresh).not.toBe(code);
    const linked = db.prepare('select relapse_of_id AS of, status from complaints where tracking_code = ?').get(fresh);
    expect(linked).toEqual({ of: row().id, status: 'submitted' });
    await shot(page, 'track-followup-linked-receipt');
    await page.goto(`${live.portal.base}/track?code=${code}`);
    expect(await page.locator('#status').textContent()).toBe('已归档');
    expect(await page.locator('#relapse-filed').count()).toBe(1);
    expect(await page.content()).not.toContain(fresh);
    db.close();
    await page.context().close();
  });

  it('shows a refused follow-up once, beside its field, on a phone', async () => {
    const res = await fetch(`${live.portal.base}/api/complaints`, {
      method: 'POST',
      body: new URLSearchParams({
        category: 'noise',
        lat: String(SPOT.lat),
        lng: String(SPOT.lng),
        description: '晚上十一点以后冲床的声音很大。',
      }),
    });
    const { trackingCode } = (await res.json()) as { trackingCode: string };
    const page = await (await live.browser.newContext({ ...PHONE, javaScriptEnabled: false })).newPage();
    await page.goto(`${live.portal.base}/track?code=${trackingCode}`);
    await page.getByRole('button', { name: '提交补充材料' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#info-body-error').textContent()).toBe('请填写补充说明，或选择要补充的照片');
    expect(await page.locator('.field-error').count()).toBe(1);
    expect(await page.locator('#info-body').getAttribute('aria-describedby')).toBe('info-body-error');
    await page.locator('#info-body').fill('补充：作坊后门有一根排水管通到河里。');
    await page.getByRole('button', { name: '提交补充材料' }).click();
    await page.waitForURL(/sent=info/);
    expect(await page.locator('#sent').textContent()).toContain('已收到您补充的材料');
    await shot(page, 'track-followup-info');
    await page.context().close();
  });
});
