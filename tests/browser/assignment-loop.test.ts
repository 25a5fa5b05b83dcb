import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openDatabase } from '../../db/client.ts';
import { complaints, villages } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { sendReminders } from '../../api/domain/complaints/assignment-reminders.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import {
  hasBrowser,
  PHONE,
  portalAndBrowser,
  firstLoginInBrowser,
  logInInBrowser,
  saveShot,
} from '../helpers/browser.ts';
import { eq } from 'drizzle-orm';

const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const shot = (page: Page, name: string) => saveShot(page, `loop-${name}`, { fullPage: true });

describe.skipIf(!hasBrowser)('the assignment loop: the village and a department answer, the office reviews', () => {
  const live = portalAndBrowser();
  const logIn = (page: Page, username: string, password: string) =>
    firstLoginInBrowser(page, live.portal, username, password);

  const photo = async (hue: number, at: { lat: number; lng: number }) => ({
    name: `site-${hue}.jpg`,
    mimeType: 'image/jpeg',
    buffer: await demoPhoto({ hue, lat: at.lat + 0.0002, lng: at.lng }),
  });

  async function answer(page: Page, outcome: RegExp, finding: string, hue: number, at: { lat: number; lng: number }) {
    const form = page.locator('#answer-form');
    await form.getByRole('radio', { name: outcome }).check();
    await form.getByLabel('核查情况').fill(finding);
    await form.locator('input[type="file"]').setInputFiles([await photo(hue, at)]);
    await form.getByRole('button', { name: '提交反馈' }).click();
    await page.getByText('已提交反馈，等待整治办审核。').waitFor();
  }

  it('signs, answers 不属实, is returned, answers 属实·已制止; a department records a penalty; /track replies', async () => {
    const point = { lat: cellCenter(1, 1).lat - 0.002, lng: cellCenter(1, 1).lng + 0.002 };
    const resident = await (await live.browser.newContext(PHONE)).newPage();
    await resident.goto(`${live.portal.base}/report`);
    await resident.getByRole('radio', { name: /^废气/ }).check();
    await resident.locator('#coords summary').click();
    await resident.locator('#lat').fill(String(point.lat));
    await resident.locator('#lng').fill(String(point.lng));
    await resident.locator('#lng').dispatchEvent('change');
    await resident.locator('#description').fill('竹林村东头吴九家的废旧轮胎熔炼作坊，天天夜里冒黑烟。');
    await resident.getByRole('button', { name: '提交举报' }).click();
    await resident.locator('#tracking-code').waitFor();
    const code = (await resident.locator('#tracking-code').textContent())!.trim();

    // The office accepts it and assigns it to 竹林村 with the environment station.
    const office = await (await live.browser.newContext(DESK)).newPage();
    await logIn(office, 'shouli', '竹林村的天空一定要变蓝');
    await office.goto(`${live.portal.base}/admin/complaints`);
    await office.locator('table.queue tbody tr', { hasText: '吴九家的废旧轮胎' }).getByRole('link').first().click();
    const complaintUrl = office.url();
    await office.locator('#action-accept').getByRole('button', { name: '受理' }).click();
    await expect.poll(() => office.locator('h1 .status').textContent()).toBe('已受理');
    await office.locator('summary', { hasText: '交办' }).click();
    const assign = office.locator('#action-assign');
    await assign.locator('select[name="villageId"]').selectOption({ label: '竹林村' });
    await assign.getByLabel(/生态环境/).check();
    await assign.getByRole('button', { name: '交办' }).click();
    await expect.poll(() => office.locator('h1 .status').textContent()).toBe('已交办');
    await expect.poll(() => office.locator('#assignments li').count()).toBe(2);

    // The village officer, on his phone, finds it on his to-do list and signs.
    const village = await (await live.browser.newContext(PHONE)).newPage();
    await logIn(village, 'zhulin', '竹林村的水要清澈见底');
    await village.locator('#todo-pending .work-card, #todo-dueToday .work-card').first().waitFor();
    await shot(village, 'village-todo');
    await village.locator('.work-card a', { hasText: '废气' }).first().click();
    await village.getByRole('button', { name: '签收' }).click();
    await village.locator('#answer-form').waitFor();
    await answer(village, /^不属实/, '到现场看了，吴九家院里只有几只旧轮胎，没有熔炼设备。', 200, point);
    await shot(village, 'village-answered');
    const itemUrl = village.url();

    // The office is not convinced and returns it.
    await office.goto(`${live.portal.base}/admin/todo`);
    await office.locator('#todo-review .work-card a').first().click();
    await office.locator('#answer').getByText('不属实').waitFor();
    expect(await office.locator('#answer figcaption').first().textContent()).toMatch(/距举报点 \d+ 米/);
    await office
      .locator('#return-form')
      .getByLabel(/退回理由/)
      .fill('群众反映夜里开工，请夜里再去核查');
    await office.locator('#return-form').getByRole('button', { name: '退回重办' }).click();
    await expect.poll(() => office.locator('#item-status').textContent()).toBe('核查中');

    // The village is told, checks at night and answers again.
    await village.goto(`${live.portal.base}/admin/todo`);
    expect(await village.locator('#unread-count').textContent()).toMatch(/^\d+$/);
    await village.locator('#todo-returned .work-card a, #todo-dueToday .work-card a').first().click();
    await village.waitForURL(itemUrl);
    await answer(village, /^属实·已制止/, '夜里十点到场，发现正在熔炼，已当场制止并拆除炉灶。', 120, point);

    // The office approves: the complaint waits for the department.
    await office.goto(itemUrl);
    await office.locator('#approve-form').getByRole('button', { name: '审核通过' }).click();
    await expect.poll(() => office.locator('#item-status').textContent()).toBe('已通过');
    await office.goto(complaintUrl);
    expect(await office.locator('h1 .status').textContent()).toBe('已交办');

    // The department officer records a penalty and answers.
    const dept = await (await live.browser.newContext(PHONE)).newPage();
    await logIn(dept, 'shengtai', '生态环境所要守住青山绿水');
    await dept.locator('.work-card a', { hasText: '废气' }).first().click();
    await dept.getByRole('button', { name: '签收' }).click();
    await dept.locator('#record summary').click();
    const record = dept.locator('#record-form');
    await record.getByLabel('登记类型').selectOption({ label: '处罚决定' });
    await record.getByLabel(/文号/).fill('青环罚〔2026〕17号');
    await record.getByLabel('日期').fill('2026-11-30');
    await record.getByLabel(/处罚种类/).fill('罚款');
    await record.getByLabel('金额（元）').fill('20000');
    await record.locator('input[type="file"]').setInputFiles([await photo(60, point)]);
    await record.getByRole('button', { name: '登记' }).click();
    await dept.getByText('已登记').waitFor();
    await answer(dept, /^属实·已制止/, '已立案查处，作出罚款两万元的处罚决定，责令停止生产。', 300, point);
    await dept.reload();
    expect(await dept.locator('#records').textContent()).toContain('青环罚〔2026〕17号');
    await shot(dept, 'department-recorded');

    // Approving the last open item resolves the complaint with a reply the reporter reads on /track.
    await office.goto(`${live.portal.base}/admin/todo`);
    await office.locator('#todo-review .work-card a').first().click();
    await office
      .locator('#approve-form')
      .getByLabel(/答复群众/)
      .fill('经核查属实，作坊已被制止并依法处罚。感谢您的监督。');
    await office.locator('#approve-form').getByRole('button', { name: '审核通过' }).click();
    await expect.poll(() => office.locator('#item-status').textContent()).toBe('已通过');
    await office.goto(complaintUrl);
    expect(await office.locator('h1 .status').textContent()).toBe('已办结');

    await resident.goto(`${live.portal.base}/track?code=${encodeURIComponent(code)}`);
    await resident.getByText('经核查属实，作坊已被制止并依法处罚。').waitFor();
    const tracked = await resident.locator('main').textContent();
    expect(tracked).not.toContain('夜里十点到场'); // the village's finding is staff-only
    await shot(resident, 'track-reply');
  }, 240_000); // four people, eleven steps, each a page load on a shared two-core machine

  it('an overdue item gets a reminder and an urge, and shows on both to-do pages', async () => {
    const office = await (await live.browser.newContext(DESK)).newPage();
    // The first test changed shouli's password; sign in with it.
    await logInInBrowser(office, live.portal, 'shouli', '竹林村的天空一定要变蓝');
    // Assign one more report of 青溪镇 to 竹林村 through the API the page uses, then let its 签收 deadline pass. The
    // queue also lists other townships' 镇街交界 reports, which only a village of their own township may take.
    const db = openDatabase(join(live.portal.dataDir, 'portal.sqlite'));
    const zhulin = db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
    const own = new Set(
      db
        .select({ id: complaints.id })
        .from(complaints)
        .where(eq(complaints.townshipId, zhulin.townshipId))
        .all()
        .map((c) => c.id),
    );
    await office.goto(`${live.portal.base}/admin/complaints?status=submitted`);
    const listed = await office
      .locator('table.queue tbody tr a[href^="/admin/complaints/"]')
      .evaluateAll((links) => links.map((a) => Number(/\/admin\/complaints\/(\d+)/.exec(a.getAttribute('href')!)![1])));
    const id = listed.find((n) => own.has(n))!;
    expect(id).toBeDefined();
    const post = (body: unknown) =>
      office.evaluate(
        async ([url, b]) =>
          (
            await fetch(url as string, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(b),
            })
          ).status,
        [`/api/admin/complaints/${id}/actions`, body],
      );
    const version = async () =>
      office.evaluate(
        async (u) => (await (await fetch(u)).json()).complaint.version as number,
        `/api/admin/complaints/${id}`,
      );
    expect(await post({ action: 'accept', version: await version() })).toBe(200);
    expect(await post({ action: 'assign', version: await version(), villageId: zhulin.id, departmentIds: [] })).toBe(
      200,
    );
    const item = db.select().from(assignments).where(eq(assignments.complaintId, id)).get()!;
    const past = new Date(Date.now() - 2 * 86_400_000);
    db.update(assignments).set({ ackDueAt: past }).where(eq(assignments.id, item.id)).run();
    expect(sendReminders(db, new Date()).overdue).toBeGreaterThan(0);
    db.$client.close();

    await office.goto(`${live.portal.base}/admin/todo`);
    expect(await office.locator('#overdue-by-village').textContent()).toContain('竹林村');
    await office.locator('#todo-overdue .work-card a').first().click();
    await office
      .locator('#urge-form')
      .getByLabel(/督办意见/)
      .fill('请今天下班前签收并到现场核查');
    await office.locator('#urge-form').getByRole('button', { name: '督办' }).click();
    await office.locator('#item-status').waitFor();
    await expect.poll(async () => office.locator('main').textContent()).toContain('已督办 1 次');

    const village = await (await live.browser.newContext(PHONE)).newPage();
    await logInInBrowser(village, live.portal, 'zhulin', '竹林村的水要清澈见底');
    expect(await village.locator('#todo-urged').textContent()).toContain(`举报 #${id}`);
    await village.goto(`${live.portal.base}/admin/notifications`);
    const notices = await village.locator('#notices').textContent();
    expect(notices).toContain('已超期');
    expect(notices).toContain('督办');
    await shot(village, 'village-notifications');
  });
});
