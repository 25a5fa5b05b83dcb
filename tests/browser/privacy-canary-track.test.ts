import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { demoSession, hasBrowser, PHONE, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { readable } from '../security/redaction-forms.ts';

// The privacy canary over /track's new parts (issue 17): the closing evidence the office chose (public copies of a
// village officer's field photo taken with GPS and camera tags), and what the reporter's follow-ups leave there. The
// reporter's name, phone and e-mail, and the same typed by him into a rating's comment and a 又开工了, are searched
// for, as typed and as privacy-canary.test.ts's normaliser reads them, in every answer /track and its API give the
// holder of the code, in a phone browser too, and on the public pages; the copies carry no metadata at all.
const CANARY = {
  name: '柯岚跟进测试',
  phone: '13987658765',
  typedPhone: '139 8765 8765',
  email: 'track.canary.k5@example.org',
};
const NEEDLES = [CANARY.name, CANARY.phone, CANARY.email];
const RAW = [...NEEDLES, CANARY.typedPhone];
// What the phone's camera wrote into the field photo (demoPhoto: its make, and the EXIF block that holds its GPS):
// none of it may survive into a public copy.
const CAMERA = ['DemoPhone', 'Exif'];

function expectNothing(where: string, body: string) {
  const seen = readable(body);
  for (const raw of RAW) expect(body.includes(raw), `${where} contains ${raw}`).toBe(false);
  for (const n of NEEDLES) expect(seen.includes(readable(n)), `${where} contains ${n} (normalised)`).toBe(false);
}

const SPOT = cellCenter(1, 1); // 竹林村

describe.skipIf(!hasBrowser)('privacy canary: /track’s closing evidence and follow-ups name no reporter', () => {
  const live = portalAndBrowser();
  let code = '';
  const copies: string[] = [];

  beforeAll(async () => {
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const row = () =>
      db.prepare('select id, version, village_id AS villageId from complaints where tracking_code = ?').get(code) as {
        id: number;
        version: number;
        villageId: number;
      };
    const triage = `sid=${await demoSession(live.portal, 'shouli')}`;
    const office = async (action: Record<string, unknown>) => {
      const res = await fetch(`${live.portal.base}/api/admin/complaints/${row().id}/actions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: triage },
        body: JSON.stringify({ version: row().version, ...action }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const form = new FormData();
    for (const [k, v] of Object.entries({
      category: 'air',
      lat: String(SPOT.lat),
      lng: String(SPOT.lng),
      description: '竹林村西头的熔铝作坊夜里冒黑烟，气味刺鼻。',
      anonymous: '0',
      name: CANARY.name,
      phone: CANARY.typedPhone,
      email: CANARY.email,
      notify: '1',
    }))
      form.append(k, v);
    const taken = await demoPhoto({ hue: 120, lat: SPOT.lat + 0.001, lng: SPOT.lng, width: 800, height: 600 });
    form.append('photos', new Blob([new Uint8Array(taken)], { type: 'image/jpeg' }), 'resident.jpg');
    const filed = await fetch(`${live.portal.base}/api/complaints`, { method: 'POST', body: form });
    expect(filed.status, await filed.clone().text()).toBe(201);
    code = ((await filed.json()) as { trackingCode: string }).trackingCode;
    await office({ action: 'accept' });
    await office({ action: 'assign', villageId: row().villageId });

    // The village officer answers from the field with a photo carrying GPS and camera tags.
    const { id } = row();
    const item = db.prepare('select id, version from assignments where complaint_id = ?').get(id) as {
      id: number;
      version: number;
    };
    const village = `sid=${await demoSession(live.portal, 'zhulin')}`;
    const ack = await fetch(`${live.portal.base}/api/admin/assignments/${item.id}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: village },
      body: JSON.stringify({ action: 'acknowledge', version: item.version }),
    });
    expect(ack.status, await ack.clone().text()).toBe(200);
    const answer = new FormData();
    answer.append('version', String(item.version + 1));
    answer.append('outcome', 'stopped');
    answer.append('finding', '现场已停产，熔炉已拆除');
    const field = await demoPhoto({ hue: 200, lat: SPOT.lat, lng: SPOT.lng, width: 800, height: 600 });
    answer.append('photos', new Blob([new Uint8Array(field)], { type: 'image/jpeg' }), 'field.jpg');
    const answered = await fetch(`${live.portal.base}/api/admin/assignments/${item.id}/answer`, {
      method: 'POST',
      body: answer,
      headers: { cookie: village },
    });
    expect(answered.status, await answered.clone().text()).toBe(200);
    await office({ action: 'resolve', reply: '作坊已停产，熔炉已拆除。' });

    // The office shows that photo on /track: one copy with a region blurred, one without.
    const source = db
      .prepare("select id from field_photos where subject = 'assignment' and subject_id = ?")
      .get(item.id) as { id: string };
    for (const blur of [[{ x: 0.2, y: 0.2, w: 0.3, h: 0.3 }], []]) {
      const res = await fetch(`${live.portal.base}/api/admin/complaints/${id}/track-photos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: triage },
        body: JSON.stringify({ sourceKind: 'field_photo', sourceId: source.id, blur }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      copies.push(((await res.json()) as { id: string }).id);
    }

    // The reporter writes himself into his rating's comment: it goes to the office, never onto /track.
    const follow = (body: Record<string, string>) =>
      fetch(`${live.portal.base}/api/complaints/followups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, ...body }),
      });
    const rated = await follow({
      kind: 'rating',
      rating: 'unsatisfied',
      comment: `我是${CANARY.name}，电话 ${CANARY.typedPhone}，邮箱 ${CANARY.email}，晚上照开`,
    });
    expect(rated.status, await rated.clone().text()).toBe(201);
    db.close();
  });

  it('first proves the canaries reached the office (stored, for the audited reveal and the review)', () => {
    const db = new Database(join(live.portal.dataDir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const contact = db.prepare('select name, phone, email from complaint_contacts').all() as Record<string, string>[];
    expect(contact.some((c) => c.name === CANARY.name && c.phone === CANARY.phone && c.email === CANARY.email)).toBe(
      true,
    );
    const comments = db.prepare("select body from complaint_followups where kind = 'rating'").pluck().all();
    expect(comments.join('')).toContain(CANARY.typedPhone);
    // The field photo as the phone sent it, kept privately, holds what the public copies must not.
    const original = db.prepare("select original_file from field_photos where subject = 'assignment'").pluck().get();
    const sent = readFileSync(join(live.portal.dataDir, 'photos', original as string));
    for (const s of CAMERA) expect(sent.includes(Buffer.from(s)), s).toBe(true);
    db.close();
  });

  it('serves public copies with no metadata, no camera tag, no GPS and nothing of the reporter', async () => {
    const shown = (await (await fetch(`${live.portal.base}/api/complaints/${code}`)).json()) as {
      evidence: { id: string }[];
    };
    expect(shown.evidence.map((e) => e.id)).toEqual(copies);
    for (const id of copies)
      for (const size of ['display', 'thumb']) {
        const res = await fetch(`${live.portal.base}/api/complaints/${code}/evidence/${id}/${size}`);
        expect(res.status).toBe(200);
        const bytes = Buffer.from(await res.arrayBuffer());
        const meta = await sharp(bytes).metadata();
        expect(meta.format).toBe('webp');
        for (const key of ['exif', 'xmp', 'iptc', 'icc'] as const) expect(meta[key], `${size} ${key}`).toBeUndefined();
        for (const s of [...RAW, ...CAMERA]) expect(bytes.includes(Buffer.from(s)), `${size} holds ${s}`).toBe(false);
      }
  });

  it('names the reporter nowhere on /track, its API answer or the public pages, before and after 又开工了', async () => {
    const answers = async () => {
      for (const path of [`/track?code=${code}`, `/api/complaints/${code}`, '/', '/cases', '/stats', '/feed.xml'])
        expectNothing(path, await (await fetch(`${live.portal.base}${path}`)).text());
    };
    await answers();
    const relapse = await fetch(`${live.portal.base}/api/complaints/followups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, kind: 'relapse', body: `${CANARY.name}反映：又开工了，电话 ${CANARY.typedPhone}` }),
    });
    expect(relapse.status, await relapse.clone().text()).toBe(201);
    await answers();
  });

  it('in a phone browser too: every answer /track loads, and the evidence shown', async () => {
    const page = await (await live.browser.newContext(PHONE)).newPage();
    const loaded: { url: string; body: Buffer }[] = [];
    page.on('response', async (r) => {
      if (r.url().startsWith(live.portal.base))
        loaded.push({ url: r.url(), body: await r.body().catch(() => Buffer.from('')) });
    });
    await page.goto(`${live.portal.base}/track?code=${code}`);
    await expect.poll(() => page.locator('#evidence img').count()).toBe(2);
    await expect
      .poll(() =>
        page.locator('#evidence img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)),
      )
      .toEqual([expect.any(Number), expect.any(Number)]);
    expectNothing('the page as shown', await page.content());
    for (const { url, body } of loaded) {
      for (const raw of RAW) expect(body.includes(Buffer.from(raw)), `${url} holds ${raw}`).toBe(false);
      if (/evidence/.test(url))
        for (const s of CAMERA) expect(body.includes(Buffer.from(s)), `${url} holds ${s}`).toBe(false);
    }
    await page.locator('#evidence').scrollIntoViewIfNeeded();
    await saveShot(page, 'track-evidence', { fullPage: true });
    await page.context().close();
  });
});
