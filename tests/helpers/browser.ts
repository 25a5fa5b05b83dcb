import AxeBuilder from '@axe-core/playwright';
import type { AxeResults } from 'axe-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import { PAGES_BROWSER_OPTIONS } from './chromium.ts';
import { startPortal, type PortalProcess } from './portal-process.ts';
import { copyPortalTemplate } from './portal-template.ts';

export { hasBrowser } from './chromium.ts';

/**
 * Debian's chromium: in the browser files, a connection to the one the run started (portal-setup.ts; each file's
 * contexts are its own and close with the connection), elsewhere a chromium of its own.
 */
export function launch(): Promise<Browser> {
  const endpoint = inject('chromiumEndpoint');
  return endpoint ? chromium.connect(endpoint) : chromium.launch(PAGES_BROWSER_OPTIONS);
}

export const ARTIFACTS = 'test-results/screenshots';
mkdirSync(ARTIFACTS, { recursive: true });

/**
 * A screenshot for a person to look at, `test-results/screenshots/<name>.jpg`, at CSS pixels. A full phone page at
 * the phone's 2× took chromium 510–560 ms of CPU, at CSS pixels 150–160 ms; a desktop page as JPEG about half of PNG.
 */
export function saveShot(target: Page | Locator, name: string, { fullPage = false } = {}) {
  const options = { path: `${ARTIFACTS}/${name}.jpg`, quality: 80, scale: 'css' } as const;
  return fullPage ? (target as Page).screenshot({ ...options, fullPage }) : target.screenshot(options);
}

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
};

/**
 * `npm start` in a child process on a copy of the run's seeded demo (portal-template.ts: seeded with the default
 * configuration; `env` is this start's), as if started on it a second time.
 */
export function seededPortal(env: Record<string, string> = {}): Promise<PortalProcess> {
  const template = inject('portalTemplate');
  return startPortal(env, copyPortalTemplate(template), template.output);
}

/**
 * A seeded portal and Debian's chromium, started before a file's tests and stopped after them; read `live.portal`
 * and `live.browser` inside the tests.
 */
export function portalAndBrowser(env: Record<string, string> = {}) {
  const live = {} as { portal: PortalProcess; browser: Browser };
  beforeAll(async () => {
    [live.portal, live.browser] = await Promise.all([seededPortal(env), launch()]);
  });
  let failedFile = '';
  beforeEach(({ onTestFailed, task }) =>
    onTestFailed(() => {
      failedFile = basename(task.file.name, '.test.ts');
    }),
  );
  afterAll(async () => {
    if (failedFile) await shotLastPages(live.browser, failedFile);
    await live.browser?.close();
    await live.portal?.stop();
  });
  return live;
}

/** Where a failed file stopped: the page each person (a browser context) had open. */
async function shotLastPages(browser: Browser | undefined, name: string) {
  for (const [n, context] of (browser?.contexts() ?? []).entries()) {
    const page = context.pages()[0];
    if (page) await saveShot(page, `${name}-last-${n}`, { fullPage: true }).catch(() => undefined);
  }
}

/**
 * A demo account's session, signed in over HTTP with the one-time password the portal printed
 * and that password replaced, as a first login demands (once a portal and account). Returns the
 * session's token.
 */
// By portal, not by its address: a later file's portal in the same worker may be given the same port.
const sessions = new WeakMap<PortalProcess, Map<string, Promise<string>>>();
export function demoSession(portal: PortalProcess, username: string): Promise<string> {
  if (!sessions.has(portal)) sessions.set(portal, new Map());
  const mine = sessions.get(portal)!;
  if (!mine.has(username)) mine.set(username, firstLogin(portal, username));
  return mine.get(username)!;
}

async function firstLogin(portal: PortalProcess, username: string): Promise<string> {
  const otp = new RegExp(`^\\s*${username}\\s+(\\S+)`, 'm').exec(portal.output())![1]!;
  const post = (path: string, body: unknown, sid = '') =>
    fetch(`${portal.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
      body: JSON.stringify(body),
    });
  const sidOf = (res: Response) => /sid=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  const first = sidOf(await post('/api/admin/session', { username, password: otp }));
  const next = '工作台的新密码足够长了';
  return sidOf(await post('/api/admin/password', { current: otp, next, confirm: next }, first));
}

/**
 * An account's first login in the browser: its one-time password (the demo's as the portal printed it, or one given),
 * then a new one; lands on 待办.
 */
export async function firstLoginInBrowser(
  page: Page,
  portal: PortalProcess,
  username: string,
  password: string,
  otp = new RegExp(`${username}\\s+(\\S+)`).exec(portal.output())![1]!,
) {
  await page.goto(`${portal.base}/admin/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(otp);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/admin\/password/);
  await page.locator('#next').fill(password);
  await page.locator('#confirm').fill(password);
  await page.getByRole('button', { name: '保存新密码' }).click();
  await page.waitForURL(/\/admin\/todo$/);
}

/** A later login with the password an account chose; lands on 待办. */
export async function logInInBrowser(page: Page, portal: PortalProcess, username: string, password: string) {
  await page.goto(`${portal.base}/admin/login`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/admin\/todo$/);
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations on the page as it is now. A page without frames is checked in place: AxeBuilder's analyze
 * opens a page of its own to combine its frames' results, which took 1–2.5 s more per check here than the check did.
 */
export async function axeAnalyze(page: Page): Promise<Pick<AxeResults, 'violations'>> {
  if (page.frames().length > 1) return new AxeBuilder({ page }).analyze();
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(() =>
    (window as unknown as { axe: typeof import('axe-core') }).axe
      .run(document, { resultTypes: ['violations'] })
      .then((r) => r.violations),
  );
  return { violations };
}

/**
 * What axe-core finds serious or critical on each page, signed in with `sid` (each page must answer 200), as
 * "path: rule (elements)"; with `shot`, a full-page screenshot of each for a person to look at.
 */
export async function seriousViolations(
  live: { browser: Browser; portal: PortalProcess },
  sid: string,
  paths: string[],
  device: object,
  shot?: string,
): Promise<string[]> {
  const context = await live.browser.newContext(device);
  await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
  const page = await context.newPage();
  const bad: string[] = [];
  for (const [i, path] of paths.entries()) {
    const res = await page.goto(`${live.portal.base}${path}`);
    expect(res!.status(), path).toBe(200);
    const { violations } = await axeAnalyze(page);
    for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
      bad.push(`${path}: ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    if (shot) await saveShot(page, `${shot}-${i}`, { fullPage: true });
  }
  await context.close();
  return bad;
}

/**
 * Drops the report map's pin where the map names `village`, as a resident would: Leaflet centres each village's
 * label on the village's centroid, so this holds however much of the county the map shows.
 */
export async function pinOnVillage(page: Page, village: string) {
  const label = page.locator('#map .village-label').getByText(village, { exact: true });
  await label.scrollIntoViewIfNeeded();
  const box = (await label.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}
