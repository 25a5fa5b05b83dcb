import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { beijingDate, DAY_MS } from '../../api/domain/shared/time.ts';
import { dateOfDay, dayOf } from '../../api/domain/watch/days.ts';
import { DEMO_HOUSE_WORKSHOP_ACCOUNT, DEMO_RESTART_DAYS_AGO } from '../../api/seed/demo-watch.ts';
import {
  axeAnalyze,
  demoSession,
  firstLoginInBrowser,
  hasBrowser,
  PHONE,
  portalAndBrowser,
  saveShot,
} from '../helpers/browser.ts';
import { hasValidator, htmlErrors } from '../helpers/html-validator.ts';

// Issue 15's proof on `npm start`'s demo: the seed's meters and readings are flagged on first start; the office, at a
// desk, opens the flag of the foundry whose power came back, reads its chart and confirms it; 溪口村's officer finds
// the 回头看 it opened on his phone, and never the meter data. Every new page of the issue: axe-core and the Nu
// checker on real rows, and a screenshot to look at.
const FOUNDRY_METER = '3306020031';
const FOUNDRY = '赵六铸造作坊';
const NIGHT_WORKSHOP_METER = '3306040112';
const DESK = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };
const XIKOU_PASSWORD = '溪口村网格员的新密码够长';

describe.skipIf(!hasBrowser)('relapse watch: the foundry that came back, confirmed and visited', () => {
  const live = portalAndBrowser();
  const shot = (page: Page, name: string) => saveShot(page, name, { fullPage: true });
  const readDb = () =>
    new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
  const today = dayOf(Date.now());
  const state = { foundryFlag: 0, houseFlag: 0, revisitId: 0, xikouOtp: '', enterpriseId: 0 };

  async function signedIn(username: string, device: object): Promise<BrowserContext> {
    const context = await live.browser.newContext(device);
    const sid = await demoSession(live.portal, username);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    return context;
  }

  it('flags the demo on first start: the foundry, the night shift and the house; no quiet meter', () => {
    const db = readDb();
    const flags = db
      .prepare(
        `select f.id, f.rule, f.status, f.first_day firstDay, m.account_no accountNo from power_flags f
         join meters m on m.id = f.meter_id order by f.id`,
      )
      .all() as { id: number; rule: string; status: string; firstDay: number; accountNo: string }[];
    const meters = db.prepare('select count(*) from meters').pluck().get() as number;
    db.close();
    expect(meters).toBeGreaterThan(15);
    const on = (account: string) => flags.filter((f) => f.accountNo === account).map((f) => f.rule);
    expect(on(FOUNDRY_METER)).toContain('cut_meter_use');
    expect(on(FOUNDRY_METER)).toContain('jump_after_closure');
    expect(on(NIGHT_WORKSHOP_METER)).toEqual(['night_use']);
    expect(on(DEMO_HOUSE_WORKSHOP_ACCOUNT)).toEqual(['house_factory']);
    expect(new Set(flags.map((f) => f.accountNo))).toEqual(
      new Set([FOUNDRY_METER, NIGHT_WORKSHOP_METER, DEMO_HOUSE_WORKSHOP_ACCOUNT]),
    );
    expect(flags.every((f) => f.status === 'open')).toBe(true);
    const foundry = flags.find((f) => f.accountNo === FOUNDRY_METER && f.rule === 'cut_meter_use')!;
    // The power came back on the seed's day N: the flag's first day is that day.
    expect(dateOfDay(foundry.firstDay)).toBe(dateOfDay(today - DEMO_RESTART_DAYS_AGO));
    state.foundryFlag = foundry.id;
    state.houseFlag = flags.find((f) => f.accountNo === DEMO_HOUSE_WORKSHOP_ACCOUNT)!.id;
  });

  it('the office opens the foundry flag from /admin/watch, reads its chart and confirms it', async () => {
    // 溪口村 has an officer to be told (the demo's village account is 竹林村's).
    const admin = await demoSession(live.portal, 'admin');
    const db = readDb();
    const xikou = db.prepare("select id from villages where code = 'qingxi-xikou'").pluck().get() as number;
    const made = await fetch(`${live.portal.base}/api/admin/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${admin}` },
      body: JSON.stringify({ username: 'xikou', displayName: '溪口村网格员老蒋', role: 'village', villageId: xikou }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    state.xikouOtp = ((await made.json()) as { oneTimePassword: string }).oneTimePassword;

    const context = await signedIn('shouli', DESK);
    const page = await context.newPage();
    await page.goto(`${live.portal.base}/admin/watch`);
    const row = page.locator('#flags tbody tr').filter({ hasText: FOUNDRY_METER }).filter({ hasText: '断电后仍用电' });
    expect(await row.locator('td').nth(3).textContent()).toContain(FOUNDRY);
    expect(await row.getByText('待核实').count()).toBe(1);
    await shot(page, 'relapse-watch-flags');
    await row.getByRole('link', { name: `查看 #${state.foundryFlag}` }).click();
    await page.waitForURL(`**/admin/watch/flags/${state.foundryFlag}`);

    expect(await page.locator('h1').textContent()).toContain('断电后仍用电');
    const explanation = (await page.locator('#explanation').textContent())!;
    expect(explanation).toMatch(/\d/);
    // The chart: an SVG drawn on the server, with its numbers as a table beside it.
    const figure = page.locator('figure.chart');
    expect(await figure.locator('svg path').count()).toBeGreaterThan(0);
    await shot(page, 'relapse-watch-foundry');
    await figure.locator('summary').click();
    const rows = figure.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(DEMO_RESTART_DAYS_AGO);
    const back = dateOfDay(today - DEMO_RESTART_DAYS_AGO);
    expect(await figure.locator('tbody').textContent()).toContain(back);

    const due = beijingDate(new Date(Date.now() + 7 * DAY_MS));
    expect(await page.locator('#c-due').inputValue()).toBe(due);
    await page.locator('#c-note').fill('夜查时看到厂房亮灯，机器声很大');
    await page.getByRole('button', { name: '确认并安排回头看' }).click();
    await expect.poll(() => page.locator('#revisit').count()).toBe(1);
    expect(await page.locator('#revisit').textContent()).toContain(due);
    expect(await page.locator('#confirm-form').count()).toBe(0);
    await shot(page, 'relapse-watch-foundry-confirmed');

    const flag = db
      .prepare('select status, revisit_id, enterprise_id from power_flags where id = ?')
      .get(state.foundryFlag) as { status: string; revisit_id: number; enterprise_id: number };
    expect(flag.status).toBe('confirmed');
    const visit = db.prepare('select village_id, status, due_at from revisits where id = ?').get(flag.revisit_id) as {
      village_id: number;
      status: string;
      due_at: number;
    };
    expect(visit.village_id).toBe(xikou);
    expect(visit.status).toBe('scheduled');
    expect(beijingDate(new Date(visit.due_at))).toBe(due);
    state.revisitId = flag.revisit_id;
    state.enterpriseId = flag.enterprise_id;
    db.close();
    await context.close();
  });

  it("溪口村's officer finds the new 回头看 on his phone, and no meter data", async () => {
    const context = await live.browser.newContext(PHONE);
    const page = await context.newPage();
    await firstLoginInBrowser(page, live.portal, 'xikou', XIKOU_PASSWORD, state.xikouOtp);

    await page.goto(`${live.portal.base}/admin/notifications`);
    expect(await page.locator('main').textContent()).toContain(`新的回头看：${FOUNDRY}`);
    await page.goto(`${live.portal.base}/admin/revisits`);
    const visit = page.locator(`#revisit-${state.revisitId}`);
    expect(await visit.locator('.title').textContent()).toBe(FOUNDRY);
    expect(await visit.textContent()).toContain(`${beijingDate(new Date(Date.now() + 7 * DAY_MS))} 到期`);
    expect(await page.locator('main').textContent()).not.toContain(FOUNDRY_METER);
    await visit.scrollIntoViewIfNeeded();
    await shot(page, 'relapse-watch-village-revisits-phone');
    const { violations } = await axeAnalyze(page);
    expect(serious(violations)).toEqual([]);

    // A village must not learn which house is watched: none of the watch's pages or its API is his.
    for (const path of ['/admin/watch', `/admin/watch/flags/${state.houseFlag}`, '/admin/watch/meters']) {
      const res = await page.goto(`${live.portal.base}${path}`);
      expect(res!.status(), path).toBe(403);
    }
    const api = await context.request.get(`${live.portal.base}/api/admin/watch/flags`);
    expect(api.status()).toBe(403);
    await context.close();
  });

  it("has no serious axe-core violation on issue 15's pages; their HTML validates; screenshots", async () => {
    // A county account names the township a plan is for: 青溪镇, whose meters the demo watches.
    const admin = await demoSession(live.portal, 'admin');
    const db = readDb();
    const qingxi = db.prepare("select id from townships where code = 'qingxi'").pluck().get() as number;
    db.close();
    const planned = await fetch(`${live.portal.base}/api/admin/patrol-plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${admin}` },
      body: JSON.stringify({ title: '本周夜查', size: 3, randomPercent: 34, townshipId: qingxi }),
    });
    expect(planned.status, await planned.clone().text()).toBe(201);
    const plan = ((await planned.json()) as { id: number }).id;
    const paths = [
      '/admin/watch',
      `/admin/watch/flags/${state.foundryFlag}`,
      `/admin/watch/flags/${state.houseFlag}`,
      '/admin/watch/rules',
      '/admin/watch/meters',
      '/admin/watch/imports',
      '/admin/watch/plans',
      `/admin/watch/plans/${plan}`,
      '/admin/department-data',
      '/admin/department-data/evaluation',
      '/admin/department-data/landlords',
      `/admin/enterprises/${state.enterpriseId}`,
    ];
    const context = await signedIn('admin', DESK);
    const page = await context.newPage();
    const bad: string[] = [];
    const pages: Record<string, string> = {};
    for (const path of paths) {
      const res = await page.goto(`${live.portal.base}${path}`);
      expect(res!.status(), path).toBe(200);
      pages[path] = (await res!.text()) ?? '';
      await shot(page, `relapse-watch${path.replaceAll('/', '-')}`);
      // Every folded part open, so axe reads the forms and tables inside them.
      await page.locator('main details').evaluateAll((all) => {
        for (const d of all) d.setAttribute('open', '');
      });
      bad.push(...serious((await axeAnalyze(page)).violations).map((v) => `${path}: ${v}`));
    }
    await context.close();

    // Leaders read the same pages on a phone.
    const phone = await signedIn('lingdao', PHONE);
    const small = await phone.newPage();
    for (const path of ['/admin/watch', `/admin/watch/flags/${state.houseFlag}`, `/admin/watch/plans/${plan}`]) {
      await small.goto(`${live.portal.base}${path}`);
      await shot(small, `relapse-watch-phone${path.replaceAll('/', '-')}`);
      const found = serious((await axeAnalyze(small)).violations);
      bad.push(...found.map((v) => `${path} (phone): ${v}`));
    }
    await phone.close();
    expect(bad).toEqual([]);
    const invalid = hasValidator ? htmlErrors(pages) : [];
    expect(invalid.map((e) => `${e.page}:${e.line}: ${e.message}\n    ${e.extract ?? ''}`)).toEqual([]);
  }, 300_000);
});

function serious(violations: { id: string; impact?: string | null; nodes: { target: unknown[] }[] }[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
