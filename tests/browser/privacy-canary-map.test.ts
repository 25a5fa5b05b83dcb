import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoSession, hasBrowser, PHONE, portalAndBrowser } from '../helpers/browser.ts';
import { officeOf } from '../helpers/public-reports.ts';
import { readable } from '../security/redaction-forms.ts';

// The privacy canary over the reporting engineer's public surfaces (issue 17): the map of accepted reports (its page
// and its GeoJSON), the nearby hint under the pin, and /track of a resident who followed a report. Unique strings are
// planted in reporters' contacts, descriptions and addresses and in the office's replies to them, then searched for,
// as typed and as privacy-canary.test.ts's normaliser reads them, in every answer those surfaces give, in a browser
// too.
const CANARY = {
  name: '柯岚图层测试',
  phone: '13987659876',
  typedPhone: '+86 139-8765-9876',
  email: 'map.canary.k4@example.org',
  description: '地图金丝雀描述：后院鸭棚改的喷漆间',
  address: '金丝雀巷七号后院',
  reply: '答复金丝雀：已联系柯岚先生核实',
  unreviewed: '未审金丝雀：尚未受理的举报内容',
};
const NEEDLES = [
  CANARY.name,
  CANARY.phone,
  CANARY.email,
  CANARY.description,
  CANARY.address,
  CANARY.reply,
  CANARY.unreviewed,
];
const RAW = [...NEEDLES, CANARY.typedPhone];

function expectNothing(where: string, body: string) {
  const seen = readable(body);
  for (const raw of RAW) expect(body.includes(raw), `${where} contains ${raw}`).toBe(false);
  for (const n of NEEDLES) expect(seen.includes(readable(n)), `${where} contains ${n} (normalised)`).toBe(false);
}

const SPOT = cellCenter(2, 1); // 溪口村
const at = (dLat: number) => ({ lat: String(SPOT.lat + dLat), lng: String(SPOT.lng) });

describe.skipIf(!hasBrowser)(
  'privacy canary: the map, the nearby hint and a follower’s /track name no reporter',
  () => {
    const live = portalAndBrowser();
    let office: ReturnType<typeof officeOf>;
    let follower = '';
    let mainCode = '';

    beforeAll(async () => {
      office = officeOf(live.portal);
      const named = (dLat: number) => ({
        category: 'water',
        ...at(dLat),
        description: CANARY.description,
        address: CANARY.address,
        anonymous: '0',
        name: CANARY.name,
        phone: CANARY.typedPhone,
        email: CANARY.email,
      });
      mainCode = await office.worked(named(0.0003), 'assigned', CANARY.reply);
      await office.worked(named(0.0006), 'accepted', CANARY.reply);
      await office.worked(named(-0.0005), 'resolved', CANARY.reply);
      await office.file({ ...named(0.0001), description: CANARY.unreviewed });

      // A resident follows the assigned one from the hint.
      const q = new URLSearchParams({ ...at(0), category: 'water' });
      const hint = await (await fetch(`${live.portal.base}/api/nearby-reports?${q}`)).json();
      expect(hint.count).toBe(2);
      const res = await fetch(`${live.portal.base}/api/complaints`, {
        method: 'POST',
        body: new URLSearchParams({ category: 'water', ...at(0), follow: hint.items[0].token, anonymous: '1' }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      follower = (await res.json()).trackingCode;
    }, 120_000);
    afterAll(() => office?.close());

    it('first proves the canaries are stored where staff read them', async () => {
      expect(office.row(mainCode).id).toBeGreaterThan(0);
      // The office's own page of the main report holds the reply: the searches below are not vacuous.
      const sid = await demoSession(live.portal, 'shouli');
      const staff = await fetch(`${live.portal.base}/api/admin/complaints/${office.row(mainCode).id}`, {
        headers: { cookie: `sid=${sid}` },
      });
      const text = await staff.text();
      expect(text).toContain(CANARY.description);
      expect(text).toContain(CANARY.reply);
    });

    it('finds them in no answer of the map, the hint or the follower’s /track', async () => {
      const get = async (path: string) => {
        const res = await fetch(`${live.portal.base}${path}`);
        expect(res.status, path).toBe(200);
        return res.text();
      };
      const map = await get('/api/report-map');
      expect(JSON.parse(map).features.length).toBeGreaterThanOrEqual(3);
      const answers: Record<string, string> = {
        '/map': await get('/map'),
        '/api/report-map': map,
        '/track?code=…': await get(`/track?code=${follower}`),
        '/api/complaints/…': await get(`/api/complaints/${follower}`),
      };
      for (const dLat of [0, 0.0003, -0.0005, 0.0015]) {
        for (const category of ['water', '']) {
          const q = new URLSearchParams({ ...at(dLat), ...(category && { category }) });
          answers[`/api/nearby-reports?${q}`] = await get(`/api/nearby-reports?${q}`);
        }
      }
      expect(answers['/track?code=…']).toContain('followed-status');
      for (const [path, body] of Object.entries(answers)) expectNothing(path, body);
    });

    it('nor in anything a phone loads for the map and while placing the pin', async () => {
      const page = await (await live.browser.newContext(PHONE)).newPage();
      const loaded: Promise<void>[] = [];
      page.on('response', (res) =>
        loaded.push(
          res.body().then(
            (b) => {
              if (/json|html|javascript|text/.test(res.headers()['content-type'] ?? ''))
                expectNothing(res.url(), b.toString());
            },
            () => undefined,
          ),
        ),
      );
      await page.goto(`${live.portal.base}/map`);
      await expect.poll(() => page.locator('#report-map path.leaflet-interactive').count()).toBeGreaterThanOrEqual(3);
      for (const marker of await page.locator('#report-map path.leaflet-interactive').all()) {
        await marker.click({ force: true });
        expectNothing('/map popup', (await page.locator('.leaflet-popup-content').allTextContents()).join('\n'));
      }
      expectNothing('/map as shown', (await page.locator('body').textContent()) ?? '');

      await page.goto(`${live.portal.base}/report`);
      await page.getByRole('radio', { name: /^废水/ }).check();
      await page.locator('#coords summary').click();
      await page.locator('#lat').fill(at(0).lat);
      await page.locator('#lng').fill(at(0).lng);
      await page.locator('#lng').dispatchEvent('change');
      await expect.poll(() => page.locator('#nearby').textContent()).toContain('附近 2 条同类举报正在处理');
      expectNothing('/report with the hint', (await page.locator('body').textContent()) ?? '');
      await page.goto(`${live.portal.base}/track?code=${follower}`);
      expectNothing('/track of the follower', (await page.locator('body').textContent()) ?? '');
      await Promise.all(loaded);
      expect(loaded.length).toBeGreaterThan(5);
    }, 90_000);
  },
);
