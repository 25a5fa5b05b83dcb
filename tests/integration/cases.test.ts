import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createPortalServer } from '../../api/server.ts';
import { bumpPublicCases } from '../../api/domain/shared/public-version.ts';
import { atomFeed, sitemapXml } from '../../api/domain/public/feeds.ts';
import { caseMapPoints, listPublicCases, publicCase } from '../../api/domain/public/published-cases.ts';
import { villageCentroid } from '../../api/domain/shared/geo.ts';
import { hasPhone, maskName, redactionRules, redactText } from '../../api/domain/public/redaction.ts';
import { auditLog, villages } from '../../db/schema.ts';
import { enterprises, taskEvidence, tasks } from '../../db/schema-enforcement.ts';
import { casePhotos, cases } from '../../db/schema-public.ts';
import { seedDemoCases } from '../../api/seed/demo-cases.ts';
import { freshContext } from '../helpers/context.ts';
import { ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

let now = Date.parse('2026-11-02T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now });
const cookie = (user: string) => signIn(ctx, user);
const req = (method: string, path: string, body: unknown, user: string) =>
  app.request(path, { method, ...json(body, cookie(user)) });
const get = (path: string, user?: string) => app.request(path, user ? { headers: { cookie: cookie(user) } } : {});
const row = (id: number) => ctx.db.select().from(cases).where(eq(cases.id, id)).get()!;
const act = (id: number, body: Record<string, unknown>, user: string) =>
  req('POST', `/api/admin/cases/${id}/actions`, { version: row(id).version, ...body }, user);

const PHONES = [
  '13812345678',
  '138 1234 5678',
  '138-1234-5678',
  '+86 139 0000 1111',
  '0571-88886666',
  '(0571) 8888 6666',
  '010 6666 7777',
];

/** A checkerboard: blurring any part of it changes that part a lot. */
async function checkerboard(): Promise<Buffer> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">' +
    '<defs><pattern id="p" width="20" height="20" patternUnits="userSpaceOnUse">' +
    '<rect width="10" height="10" fill="#000"/><rect x="10" y="10" width="10" height="10" fill="#000"/>' +
    '</pattern></defs>' +
    '<rect width="800" height="600" fill="#fff"/><rect width="800" height="600" fill="url(#p)"/></svg>';
  return sharp(Buffer.from(svg))
    .jpeg({ quality: 92 })
    .withExif({ IFD0: { Make: 'TestPhone', Model: 'Secret' } })
    .toBuffer();
}

async function upload(taskId: number, itemId: number, photo: Buffer) {
  const form = new FormData();
  form.append('note', '现场已处理，拍照为证');
  form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
  const res = await app.request(`/api/admin/tasks/${taskId}/items/${itemId}/evidence`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookie('zhulin') },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** An unlicensed workshop in 竹林村, shut down and accepted, its file full of names and phone numbers. */
async function acceptedWorkshop() {
  const res = await req(
    'POST',
    '/api/admin/enterprises',
    {
      name: '王五熔铅作坊',
      personInCharge: '王五',
      phone: '13812345678',
      landlord: '欧阳明',
      landlordPhone: '0571-88886666',
      premises: 'rented',
      lat: ZHULIN.lat,
      lng: ZHULIN.lng,
      address: '竹林村三组',
      problems: {
        environment: '王五在院内熔铅，烟气直排，房东欧阳明（电话 138 1234 5678）知情',
        licensing: '王五熔铅作坊无营业执照',
      },
    },
    'shouli',
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const enterpriseId = (await res.json()).id as number;
  const t = await req(
    'POST',
    '/api/admin/tasks',
    { enterpriseId, type: 'shutdown', villageLead: '李村长', townshipLead: '王镇长', dueOn: '2026-12-01' },
    'shouli',
  );
  const taskId = (await t.json()).id as number;
  const detail = await (await get(`/api/admin/tasks/${taskId}`, 'shouli')).json();
  const board = await checkerboard();
  for (const item of detail.items) await upload(taskId, item.id, board);
  const v = () => ctx.db.select().from(tasks).where(eq(tasks.id, taskId)).get()!.version;
  expect(
    (await req('POST', `/api/admin/tasks/${taskId}/actions`, { action: 'submit', version: v() }, 'zhulin')).status,
  ).toBe(200);
  now += 86_400_000;
  expect(
    (await req('POST', `/api/admin/tasks/${taskId}/actions`, { action: 'accept', version: v() }, 'shouli')).status,
  ).toBe(200);
  return { enterpriseId, taskId };
}

const { enterpriseId, taskId } = await acceptedWorkshop();
let caseId = 0;

describe('redaction', () => {
  it('removes numbers however they are written, and keeps dates, times and quantities', () => {
    const none = redactionRules(null);
    for (const t of [
      '１３８１２３４５６７８',
      '138 1234  5678',
      '138.1234.5678',
      '138－1234－5678',
      '1 3 8 1 2 3 4 5 6 7 8',
      '一三八一二三四五六七八',
      '5862 1234',
      '330102198001011234',
    ]) {
      const out = redactText(`联系：${t}。`, none);
      expect(out, t).toBe(t.length === 18 ? '联系：（证件号码已隐去）。' : '联系：（电话已隐去）。');
      expect(hasPhone(out)).toBe(false);
      expect(hasPhone(`联系：${t}。`), t).toBe(true);
    }
    const plain = '2026-10-08 21:30 现场检查，2026年10月8日晚上，面积 1200 平方米，罚款 50000 元。';
    expect(redactText(plain, none)).toBe(plain);
    expect(hasPhone(plain)).toBe(false);
  });

  it("masks names in lists and notes, and reporters' names staff typed by mistake (not even the surname stays)", () => {
    const rules = redactionRules({
      name: '李梅废品收购站',
      personInCharge: '王五（法人）',
      landlord: '李四、赵六',
      businessLicence: false,
      reporters: ['张三'],
    });
    expect(redactText('经群众张三举报，负责人王五，房东李四和赵六，李梅废品收购站', rules)).toBe(
      '经群众某某举报，负责人王某某，房东李某某和赵某某，李某某经营户',
    );
  });

  it('keeps the surname, masks the rest, knows compound surnames', () => {
    expect(maskName('王五')).toBe('王某某');
    expect(maskName('欧阳明')).toBe('欧阳某某');
    expect(maskName('张小明')).toBe('张某某');
    expect(maskName('欧阳')).toBe('欧某某');
  });

  it('removes mobiles and landlines however they are written, and nothing else', () => {
    for (const p of PHONES)
      expect(redactText(`联系电话：${p}。`, redactionRules(null)), p).toBe('联系电话：（电话已隐去）。');
    expect(redactText('2026-11-02 断电，面积 300 平方米，编号 12345', redactionRules(null))).toBe(
      '2026-11-02 断电，面积 300 平方米，编号 12345',
    );
  });

  it('masks a workshop named after its person, keeps a licensed enterprise name even with a masked name inside', () => {
    const workshop = redactionRules({
      name: '王五熔铅作坊',
      personInCharge: '王五',
      landlord: '',
      businessLicence: false,
    });
    expect(redactText('王五熔铅作坊由王五经营', workshop)).toBe('王某某熔铅作坊由王某某经营');
    const licensed = redactionRules({
      name: '钱七金属制品有限公司',
      personInCharge: '钱七',
      landlord: '',
      businessLicence: true,
    });
    expect(redactText('钱七金属制品有限公司负责人钱七', licensed)).toBe('钱七金属制品有限公司负责人钱某某');
    // A workshop whose person is not on file: only the surname and the kind are left.
    const unknown = redactionRules({
      name: '赵小六喷漆作坊',
      personInCharge: '',
      landlord: '',
      businessLicence: false,
    });
    expect(redactText('赵小六喷漆作坊夜间开工', unknown)).toBe('赵某某作坊夜间开工');
  });
});

describe('cases', () => {
  it('prefills a draft from the accepted task, already redacted', async () => {
    const res = await req('POST', '/api/admin/cases', { taskId }, 'shouli');
    expect(res.status, await res.clone().text()).toBe(201);
    caseId = (await res.json()).id;
    const e = row(caseId);
    const zhulin = ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
    expect(e).toMatchObject({
      status: 'draft',
      villageId: zhulin.id,
      remediationType: 'shutdown',
      taskId,
      enterpriseId,
      happenedOn: '2026-11-03',
    });
    expect(e.title).toContain('王某某熔铅作坊');
    expect(e.actions.split('\n')).toEqual(['断水', '断电', '清除原料', '清除产品', '清除设备']);
    expect(e.found.environment).toBe('王某某在院内熔铅，烟气直排，房东欧阳某某（电话 （电话已隐去））知情');
    expect(JSON.stringify(e)).not.toMatch(/王五|欧阳明|1381/);
  });

  it('redacts every text field on save, whatever is typed', async () => {
    const typed = (p: string) => `王五熔铅作坊的王五和房东欧阳明，电话 ${p}`;
    const res = await req(
      'PATCH',
      `/api/admin/cases/${caseId}`,
      {
        version: row(caseId).version,
        title: `竹林村${typed(PHONES[0]!)}`,
        villageId: row(caseId).villageId,
        remediationType: 'shutdown',
        happenedOn: '2026-11-03',
        summary: typed(PHONES[1]!),
        actions: `断水\n${typed(PHONES[4]!)}`,
        found: { environment: typed(PHONES[3]!), fire: typed(PHONES[5]!), site: typed(PHONES[6]!) },
      },
      'shouli',
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const e = row(caseId);
    const fields = [e.title, e.summary, e.actions, ...Object.values(e.found)];
    expect(fields).toHaveLength(6);
    for (const f of fields) {
      expect(f).toContain('王某某熔铅作坊的王某某和房东欧阳某某');
      expect(f).not.toMatch(/王五|欧阳明|\d{4}/);
    }
    const bad = await req(
      'PATCH',
      `/api/admin/cases/${caseId}`,
      { version: row(caseId).version, title: '短', villageId: 1, happenedOn: '2026-11-03' },
      'shouli',
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('标题');
    const stale = await req(
      'PATCH',
      `/api/admin/cases/${caseId}`,
      { version: 1, title: '竹林村熔铅作坊被关停', villageId: 1, happenedOn: '2026-11-03' },
      'shouli',
    );
    expect(stale.status).toBe(409);
  });

  it('keeps a licensed enterprise name and masks its person', async () => {
    const res = await req(
      'POST',
      '/api/admin/enterprises',
      { name: '青溪钱七五金有限公司', businessLicence: true, personInCharge: '钱七', lat: ZHULIN.lat, lng: ZHULIN.lng },
      'shouli',
    );
    const id = (await (await req('POST', '/api/admin/cases', { enterpriseId: (await res.json()).id }, 'shouli')).json())
      .id;
    await req(
      'PATCH',
      `/api/admin/cases/${id}`,
      {
        version: row(id).version,
        title: '青溪钱七五金有限公司完成整改',
        summary: '负责人钱七已整改',
        villageId: row(id).villageId,
        happenedOn: '2026-11-03',
      },
      'shouli',
    );
    expect(row(id).title).toBe('青溪钱七五金有限公司完成整改');
    expect(row(id).summary).toBe('负责人钱某某已整改');
  });

  it('refuses village and department officers, lets the leader read only', async () => {
    for (const user of ['zhulin', 'shengtai']) {
      expect((await req('POST', '/api/admin/cases', { taskId }, user)).status, user).toBe(403);
      expect(
        (
          await req(
            'PATCH',
            `/api/admin/cases/${caseId}`,
            { version: row(caseId).version, title: '竹林村熔铅作坊被关停', villageId: 1, happenedOn: '2026-11-03' },
            user,
          )
        ).status,
      ).toBe(403);
      expect((await act(caseId, { action: 'submit' }, user)).status).toBe(403);
      expect(
        (
          await req(
            'POST',
            `/api/admin/cases/${caseId}/photos`,
            { source: 'evidence', sourceId: 'x'.repeat(22), kind: 'before', version: 1 },
            user,
          )
        ).status,
      ).toBe(403);
      expect((await get(`/api/admin/cases/${caseId}`, user)).status).toBe(403);
    }
    expect((await get('/api/admin/cases', 'lingdao')).status).toBe(200);
    expect((await act(caseId, { action: 'submit' }, 'lingdao')).status).toBe(403);
    expect(row(caseId).status).toBe('draft');
  });

  it('burns the blur into a new re-encoded copy without metadata; the original evidence stays as it was', async () => {
    const ev = ctx.db.select().from(taskEvidence).where(eq(taskEvidence.taskId, taskId)).all();
    const original = join(ctx.photos.dir, ev[0]!.file);
    const hashBefore = createHash('sha256').update(readFileSync(original)).digest('hex');
    const region = { x: 0.1, y: 0.2, w: 0.3, h: 0.3 };
    const res = await req(
      'POST',
      `/api/admin/cases/${caseId}/photos`,
      { source: 'evidence', sourceId: ev[0]!.id, kind: 'before', blur: [region], version: row(caseId).version },
      'shouli',
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const photo = ctx.db
      .select()
      .from(casePhotos)
      .where(eq(casePhotos.id, (await res.json()).id))
      .get()!;
    expect(photo.file).not.toBe(ev[0]!.file);
    const blurred = readFileSync(join(ctx.photos.dir, photo.file));
    expect((await sharp(blurred).metadata()).exif).toBeUndefined();
    expect((await sharp(blurred).metadata()).format).toBe('webp');

    const grey = async (buf: Buffer) => await sharp(buf).greyscale().raw().toBuffer({ resolveWithObject: true });
    const a = await grey(readFileSync(original)),
      b = await grey(blurred);
    expect([b.info.width, b.info.height]).toEqual([a.info.width, a.info.height]);
    const W = a.info.width,
      H = a.info.height;
    let inside = 0,
      nIn = 0,
      outside = 0,
      nOut = 0;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const d = Math.abs(a.data[y * W + x]! - b.data[y * W + x]!);
        const inRegion =
          x >= region.x * W + 4 &&
          x < (region.x + region.w) * W - 4 &&
          y >= region.y * H + 4 &&
          y < (region.y + region.h) * H - 4;
        const clear =
          x < region.x * W - 4 ||
          x >= (region.x + region.w) * W + 4 ||
          y < region.y * H - 4 ||
          y >= (region.y + region.h) * H + 4;
        if (inRegion) {
          inside += d;
          nIn++;
        } else if (clear) {
          outside += d;
          nOut++;
        }
      }
    expect(inside / nIn).toBeGreaterThan(60); // a checkerboard blurred to grey
    expect(outside / nOut).toBeLessThan(12); // only re-encoding noise
    expect(createHash('sha256').update(readFileSync(original)).digest('hex')).toBe(hashBefore);

    // A new blur is a new file under a new id; the old public copy goes, the original stays.
    const re = await req(
      'POST',
      `/api/admin/cases/${caseId}/photos/${photo.id}/blur`,
      { blur: [region, { x: 0.6, y: 0.6, w: 0.2, h: 0.2 }], version: row(caseId).version },
      'shouli',
    );
    expect(re.status, await re.clone().text()).toBe(200);
    const newId = (await re.json()).id;
    expect(newId).not.toBe(photo.id);
    expect(existsSync(join(ctx.photos.dir, photo.file))).toBe(false);
    expect(
      ctx.db
        .select()
        .from(casePhotos)
        .where(eq(casePhotos.caseId, caseId))
        .all()
        .map((p) => p.id),
    ).toEqual([newId]);
    expect(createHash('sha256').update(readFileSync(original)).digest('hex')).toBe(hashBefore);
    const outOfRange = await req(
      'POST',
      `/api/admin/cases/${caseId}/photos`,
      {
        source: 'evidence',
        sourceId: ev[1]!.id,
        kind: 'after',
        blur: [{ x: 0.9, y: 0, w: 0.5, h: 0.1 }],
        version: row(caseId).version,
      },
      'shouli',
    );
    expect(outOfRange.status).toBe(400);
    const after = await req(
      'POST',
      `/api/admin/cases/${caseId}/photos`,
      { source: 'evidence', sourceId: ev.at(-1)!.id, kind: 'after', version: row(caseId).version },
      'shouli',
    );
    expect(after.status).toBe(201);
  });

  it('four eyes: the author cannot publish; a second member of the office can', async () => {
    expect(publicCase(ctx.db, caseId).status).toBe('missing');
    expect((await act(caseId, { action: 'approve' }, 'admin')).status).toBe(400); // not submitted yet
    expect((await act(caseId, { action: 'submit' }, 'shouli')).status).toBe(200);
    const own = await act(caseId, { action: 'approve' }, 'shouli');
    expect(own.status).toBe(403);
    expect((await own.json()).error.message).toBe('不能发布自己撰写的案例');
    expect(row(caseId).status).toBe('pending');
    expect(publicCase(ctx.db, caseId).status).toBe('missing');
    const photo = ctx.db.select().from(casePhotos).where(eq(casePhotos.caseId, caseId)).all()[0]!;
    expect((await get(`/api/cases/${caseId}/photos/${photo.id}/display`)).status).toBe(404);

    const ok = await act(caseId, { action: 'approve' }, 'admin');
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(row(caseId)).toMatchObject({ status: 'published', approvedBy: expect.any(Number) });
    const page = publicCase(ctx.db, caseId);
    expect(page.status).toBe('ok');
    if (page.status !== 'ok') return;
    expect(page.case.photos.map((p) => p.kind)).toEqual(['after', 'before']);
    expect(JSON.stringify(page)).not.toMatch(/王五|欧阳明|\d{11}|0571/);
    const img = await get(`/api/cases/${caseId}/photos/${photo.id}/display`);
    expect(img.status).toBe(200);
    expect(img.headers.get('cache-control')).toBe('public, max-age=300');
    expect((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).exif).toBeUndefined();
    expect((await get(`/api/cases/${caseId}/photos/${'A'.repeat(22)}/display`)).status).toBe(404);
    // A published case is not edited in place.
    expect(
      (
        await req(
          'PATCH',
          `/api/admin/cases/${caseId}`,
          { version: row(caseId).version, title: '竹林村熔铅作坊被关停', villageId: 1, happenedOn: '2026-11-03' },
          'admin',
        )
      ).status,
    ).toBe(400);
  });

  it('lists it with filters, places it at the village centre, and puts it in the feed and the sitemap', () => {
    const zhulin = ctx.db.select().from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!;
    expect(listPublicCases(ctx.db, { page: 1, village: zhulin.id }).rows.map((r) => r.id)).toEqual([caseId]);
    expect(listPublicCases(ctx.db, { page: 1, type: 'rectify' }).rows).toEqual([]);
    expect(listPublicCases(ctx.db, { page: 1, month: '2026-11' }).rows).toHaveLength(1);
    expect(listPublicCases(ctx.db, { page: 1, month: '2026-10' }).rows).toHaveLength(0);
    const [point] = caseMapPoints(ctx.db);
    const ent = ctx.db.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).get()!;
    expect(point).toMatchObject({ villageId: zhulin.id, count: 1, ...villageCentroid(zhulin.boundary) });
    expect(point!.lat).not.toBe(ent.lat);
    const feed = atomFeed(ctx.db, 'https://example.org');
    expect(feed).toContain(`<id>https://example.org/cases/${caseId}</id>`);
    expect(feed).not.toMatch(/王五|欧阳明|1381/);
    const map = sitemapXml(ctx.db, 'https://example.org', new Date(now));
    for (const path of [
      '/',
      '/report',
      '/track',
      '/cases',
      '/stats',
      '/results',
      `/cases/${caseId}`,
      '/results/2026-11',
    ]) {
      expect(map).toContain(`<loc>https://example.org${path}</loc>`);
    }
  });

  it('unpublishing answers 410 for the page and its photos, and keeps the record and its audit trail', async () => {
    const photo = ctx.db.select().from(casePhotos).where(eq(casePhotos.caseId, caseId)).all()[0]!;
    expect((await act(caseId, { action: 'unpublish' }, 'shouli')).status).toBe(400); // a reason is required
    expect((await act(caseId, { action: 'unpublish', reason: '当事人已申诉，待复核' }, 'shouli')).status).toBe(200);
    expect(publicCase(ctx.db, caseId).status).toBe('gone');
    expect((await get(`/api/cases/${caseId}/photos/${photo.id}/display`)).status).toBe(410);
    expect(row(caseId)).toMatchObject({ status: 'unpublished', unpublishReason: '当事人已申诉，待复核' });
    expect(sitemapXml(ctx.db, 'https://example.org', new Date(now))).not.toContain(`/cases/${caseId}<`);
    const trail = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'case'), eq(auditLog.objectId, String(caseId))))
      .all()
      .map((a) => a.action);
    expect(trail).toEqual([
      'case.create',
      'case.update',
      'case.photo_add',
      'case.photo_blur',
      'case.photo_add',
      'case.submit',
      'case.publish',
      'case.unpublish',
    ]);
    expect(publicCase(ctx.db, 999_999).status).toBe('missing');
  });

  it('seeds a published demo case written by admin and approved by the triage officer', async () => {
    const id = await seedDemoCases(ctx);
    expect(id).not.toBeNull();
    const e = row(id!);
    const admin = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectId, String(id)), eq(auditLog.action, 'case.publish')))
      .get()!;
    expect(e.status).toBe('published');
    expect(admin.actorLabel).toBe('受理员小陈');
  });
});

describe('page cache', () => {
  it('serves /cases pages from memory until a case changes, with security headers, no session cookie', async () => {
    let renders = 0;
    const site = (_req: unknown, res: import('node:http').ServerResponse) => {
      renders++;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<p>render ${renders}</p>`);
    };
    const s = createPortalServer({ env: ctx.env, api: app, site });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const first = await fetch(`${base}/cases/1`);
      expect(await first.text()).toBe('<p>render 1</p>');
      const second = await fetch(`${base}/cases/1`);
      expect(await second.text()).toBe('<p>render 1</p>');
      expect(second.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(second.headers.get('x-frame-options')).toBe('DENY');
      expect(await (await fetch(`${base}/cases/1`, { headers: { cookie: 'sid=abc' } })).text()).toBe('<p>render 2</p>');
      expect(await (await fetch(`${base}/report`)).text()).toBe('<p>render 3</p>');
      bumpPublicCases();
      expect(await (await fetch(`${base}/cases/1`)).text()).toBe('<p>render 4</p>');
      expect(renders).toBe(4);
    } finally {
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});

describe('hostile text and ids in the case editor (issue 11)', () => {
  const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u3000', ' '];
  const TEXT_FIELDS = [
    { key: 'title', label: '标题' },
    { key: 'summary', label: '案例说明' },
    { key: 'actions', label: '整治措施' },
    { key: 'found.environment', label: '发现的问题（环境保护）' },
    { key: 'found.site', label: '发现的问题（现场管理）' },
  ] as const;
  /** Text that must not be stored: a control character, broken UTF-16, a non-character, somewhere in plausible text. */
  const brokenText = fc
    .tuple(
      fc
        .string({ maxLength: 10 })
        .map((s) => `竹林村${s.replace(/[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF\u2028\u2029\uFFFD-\uFFFF]/g, '')}`),
      fc.constantFrom(
        '\u0000',
        '\u0007',
        '\u001B',
        '\u007F',
        '\u0085',
        '\uD800',
        '\uDFFF',
        '\uDC00\uD800',
        '\uFFFE',
        '\uFFFF',
        '\uFFFD',
        '\u2028',
      ),
      fc
        .string({ maxLength: 10 })
        .map((s) => s.replace(/[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF\u2028\u2029\uFFFD-\uFFFF]/g, '')),
    )
    .map(([a, bad, b]) => `${a}${bad}${b}作坊整治`);
  const badId = fc.oneof(
    fc.constantFrom(
      '0x1',
      '0x1E',
      '1e1',
      '1E0',
      '+5',
      '.5',
      '5.',
      '1.5',
      'Infinity',
      '-1',
      '0',
      '１',
      '1 2',
      '1_0',
      '0b1',
      '0o7',
      '١',
      'NaN',
      '9007199254740993',
    ),
    fc.constantFrom(0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2),
    fc.constantFrom(true, [1], { id: 1 }),
  );
  const base = () => ({
    version: row(caseId).version,
    title: '竹林村熔铅作坊被关停',
    villageId: row(caseId).villageId,
    happenedOn: '2026-11-03',
    summary: '',
    actions: '',
    found: {},
  });
  const withField = (body: Record<string, unknown>, key: string, v: unknown) =>
    key.startsWith('found.') ? { ...body, found: { [key.slice(6)]: v } } : { ...body, [key]: v };
  const counts = () => ({
    cases: ctx.db.select({ id: cases.id }).from(cases).all().length,
    audits: ctx.db.select({ id: auditLog.id }).from(auditLog).all().length,
  });
  async function refused(res: Response, label: string, what: string) {
    expect(res.status, what).toBe(400);
    const message = (await res.json()).error.message as string;
    expect(message, what).toContain(label);
    expect(message, what).toMatch(/[\u4e00-\u9fa5]/);
  }

  it('a zero-width-only title, NUL, lone surrogates and "0x1" ids: 400 naming the field, nothing saved', async () => {
    const before = row(caseId);
    const n = counts();
    const patch = (body: unknown) => req('PATCH', `/api/admin/cases/${caseId}`, body, 'shouli');
    await refused(
      await patch({ ...base(), title: '\u200B\u200B\u200B\u200B\u200B\u200B' }),
      '标题',
      'zero-width title',
    );
    await refused(
      await patch({ ...base(), title: '\u200B竹\u200B林\u200B村\u200B' }),
      '标题',
      'three visible characters',
    );
    await refused(await patch({ ...base(), summary: '竹林村\u0000作坊' }), '案例说明', 'NUL');
    await refused(await patch({ ...base(), actions: '断水\n\uD800断电' }), '整治措施', 'lone surrogate');
    await refused(
      await patch({ ...base(), found: { fire: '消防\uDFFF通道' } }),
      '发现的问题（消防安全）',
      'lone low surrogate',
    );
    await refused(await patch({ ...base(), found: { kitchen: '油烟' } }), '检查方面', 'unknown area');
    await refused(await patch({ ...base(), villageId: '0x1' }), '村（社区）', 'hex village');
    await refused(await req('POST', '/api/admin/cases', { taskId: '0x1' }, 'shouli'), '任务编号', 'hex task');
    await refused(
      await req('POST', '/api/admin/cases', { enterpriseId: '1e1' }, 'shouli'),
      '企业档案编号',
      'exponent enterprise',
    );
    await refused(await req('POST', '/api/admin/cases', {}, 'shouli'), '任务或企业档案', 'neither');
    await refused(
      await req('POST', `/api/admin/cases/${caseId}/preview`, { title: '竹林\u0000村' }, 'shouli'),
      '标题',
      'preview NUL',
    );
    expect(row(caseId)).toEqual(before);
    expect(counts()).toEqual(n);
    // The same rules keep what a person typed: invisible characters at the ends and inside go, the text stays.
    const ok = await patch({
      ...base(),
      title: '\u200B竹林村\u200B熔铅作坊被关停\u3000',
      summary: '\uFEFF断水断电\u200B',
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(row(caseId)).toMatchObject({ title: '竹林村熔铅作坊被关停', summary: '断水断电' });
  });

  it('generated broken text and malformed ids anywhere: 400 naming the field, never 5xx, nothing saved', async () => {
    const before = row(caseId);
    const n = counts();
    const text = fc.tuple(
      fc.constantFrom(...TEXT_FIELDS),
      fc.oneof(
        brokenText,
        fc.array(fc.constantFrom(...INVISIBLE), { minLength: 1, maxLength: 20 }).map((a) => a.join('')),
      ),
    );
    await fc.assert(
      fc.asyncProperty(text, async ([f, v]) => {
        // Only the title is required: an invisible value elsewhere is no value, and allowed.
        if (!/[^\s\u200B-\u200D\u2060\uFEFF\u00AD]/.test(v) && f.key !== 'title') return;
        await refused(
          await req('PATCH', `/api/admin/cases/${caseId}`, withField(base(), f.key, v), 'shouli'),
          f.label,
          `${f.key}=${JSON.stringify(v)}`,
        );
        // The preview requires nothing, so an invisible title is only no title there.
        if (/[^\s\u200B-\u200D\u2060\uFEFF\u00AD]/.test(v))
          await refused(
            await req('POST', `/api/admin/cases/${caseId}/preview`, withField({}, f.key, v), 'shouli'),
            f.label,
            `preview ${f.key}=${JSON.stringify(v)}`,
          );
      }),
      { numRuns: 120 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('villageId', 'taskId', 'enterpriseId'), badId, async (field, v) => {
        const what = `${field}=${JSON.stringify(v)}`;
        if (field === 'villageId')
          await refused(
            await req('PATCH', `/api/admin/cases/${caseId}`, { ...base(), villageId: v }, 'shouli'),
            '村（社区）',
            what,
          );
        else
          await refused(
            await req('POST', '/api/admin/cases', { [field]: v }, 'shouli'),
            field === 'taskId' ? '任务编号' : '企业档案编号',
            what,
          );
      }),
      { numRuns: 80 },
    );
    const reason = await req(
      'POST',
      `/api/admin/cases/${caseId}/actions`,
      { action: 'unpublish', version: row(caseId).version, reason: '当事人\u0000申诉' },
      'shouli',
    );
    await refused(reason, '撤下理由', 'reason NUL');
    expect(row(caseId)).toEqual(before);
    expect(counts()).toEqual(n);
  });
});
