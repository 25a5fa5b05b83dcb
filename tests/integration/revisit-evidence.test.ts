import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { auditLog, villages } from '../../db/schema.ts';
import { enterprises, revisits, tasks } from '../../db/schema-enforcement.ts';
import { fieldPhotos } from '../../db/schema-supervision.ts';
import { freshContext } from '../helpers/context.ts';
import { SVG, truncatedJpeg } from '../helpers/images.ts';
import { photoFiles } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// 回头看 with on-site photos: a finding needs one, 'fine' may have none; the photos are re-encoded, their position
// kept for staff with the distance from the enterprise, and seen only by whoever may see the revisit.
const { ctx, app } = await freshContext();
const villageOf = (code: string) =>
  ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id;
const ZHULIN = villageOf('qingxi-zhulin'),
  SHANGTANG = villageOf('qingxi-shangtang');
await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'shangtang', displayName: '上塘村网格员', role: 'village', villageId: SHANGTANG },
);
const cookie = {
  office: signIn(ctx, 'shouli'),
  zhulin: signIn(ctx, 'zhulin'),
  shangtang: signIn(ctx, 'shangtang'),
  leader: signIn(ctx, 'lingdao'),
  department: signIn(ctx, 'shengtai'),
};
const site = cellCenter(1, 1); // in 竹林村

/** A 竹林村 workshop, shut down, with a revisit due: as after its task's acceptance. */
async function dueRevisit(name: string) {
  const res = await app.request('/api/admin/enterprises', {
    method: 'POST',
    ...json(
      { name, personInCharge: name.slice(0, 2), lat: site.lat, lng: site.lng, address: '竹林村三组' },
      cookie.office,
    ),
  });
  const enterpriseId = (await res.json()).id as number;
  return ctx.db
    .insert(revisits)
    .values({ enterpriseId, villageId: ZHULIN, dueAt: new Date(Date.now() + 86_400_000) })
    .returning()
    .get();
}

const photo = (over: { lat?: number; lng?: number; hue?: number } = {}) =>
  demoPhoto({ hue: 15, width: 640, height: 480, ...over });
function form(fields: Record<string, string>, photos: Buffer[] = []) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [i, p] of photos.entries())
    f.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `p${i}.jpg`);
  return f;
}
const record = (id: number, body: FormData, who = cookie.zhulin) =>
  app.request(`/api/admin/revisits/${id}`, { method: 'POST', body, headers: { cookie: who } });
const get = (path: string, who = cookie.zhulin) => app.request(path, { headers: { cookie: who } });
const photosOf = (id: number) =>
  ctx.db
    .select()
    .from(fieldPhotos)
    .where(and(eq(fieldPhotos.subject, 'revisit'), eq(fieldPhotos.subjectId, id)))
    .all();
const revisit = (id: number) => ctx.db.select().from(revisits).where(eq(revisits.id, id)).get()!;
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

describe('回头看 with on-site photos', () => {
  it('records a finding with its photos, re-encoded, with position, time and distance; an audit row', async () => {
    const r = await dueRevisit('钱一塑料作坊');
    // Taken 0.002° north of the workshop, about 220 m.
    const res = await record(
      r.id,
      form({ outcome: 'resumed', note: '夜间复产，私接电线' }, [
        await photo({ lat: site.lat + 0.002, lng: site.lng }),
        await photo({ hue: 200 }),
      ]),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ photos: 2, followUpTaskId: expect.any(Number) });
    expect(revisit(r.id)).toMatchObject({ status: 'done', outcome: 'resumed' });
    const stored = photosOf(r.id);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ exifSource: 'file', partId: null });
    expect(stored[0]!.exifLat).toBeCloseTo(site.lat + 0.002, 4);
    expect(stored[1]).toMatchObject({ exifSource: null, exifLat: null });
    const audit = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'revisit.record'), eq(auditLog.objectId, String(r.id))))
      .get()!;
    expect(audit.details).toMatchObject({ outcome: 'resumed', photos: 2 });

    const done = (await (await get('/api/admin/revisits?status=done')).json()).rows.find(
      (x: { id: number }) => x.id === r.id,
    );
    expect(done.photos).toHaveLength(2);
    expect(done.photos[0].metresFromSite).toBeGreaterThan(200);
    expect(done.photos[0].metresFromSite).toBeLessThan(240);
    expect(done.photos[0].takenAt).toBe('2026-11-18T08:20:00.000Z');
    expect(done.photos[0]).not.toHaveProperty('lat'); // the position itself is the office's
    const office = (await (await get('/api/admin/revisits?status=done', cookie.office)).json()).rows.find(
      (x: { id: number }) => x.id === r.id,
    );
    expect(office.photos[0].lat).toBeCloseTo(site.lat + 0.002, 4);
    expect(JSON.stringify(done)).not.toContain('siteLat');

    const image = await get(`/api/admin/revisits/${r.id}/photos/${stored[0]!.id}/display`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.exif).toBeUndefined();
    expect((await get(`/api/admin/revisits/${r.id}/photos/${stored[0]!.id}/thumb`)).status).toBe(200);
  });

  it('shows the photos to whoever may see the revisit, and answers 404 to anyone else', async () => {
    const r = await dueRevisit('孙二电镀作坊');
    const ok = await record(r.id, form({ outcome: 'relapsed', note: '废水又直排' }, [await photo()]));
    expect(ok.status).toBe(200);
    const path = `/api/admin/revisits/${r.id}/photos/${photosOf(r.id)[0]!.id}/thumb`;
    for (const who of [cookie.zhulin, cookie.office, cookie.leader]) expect((await get(path, who)).status).toBe(200);
    // Another village, and a department that joins none of this enterprise's tasks.
    for (const who of [cookie.shangtang, cookie.department]) expect((await get(path, who)).status).toBe(404);
    const other = await dueRevisit('李三喷漆作坊');
    const photoId = photosOf(r.id)[0]!.id;
    for (const wrong of [
      `/api/admin/revisits/${other.id}/photos/${photoId}/thumb`, // another revisit's photo
      `/api/admin/revisits/${r.id}/photos/nosuchphoto0000/thumb`,
      `/api/admin/revisits/${r.id}/photos/${photoId}/large`,
      `/api/admin/revisits/x/photos/${photoId}/thumb`,
    ])
      expect((await get(wrong)).status, wrong).toBe(404);
  });

  it('refuses a finding without a photo, saving nothing; "fine" may have none', async () => {
    const r = await dueRevisit('周四铸造作坊');
    const before = photoFiles(ctx).length;
    for (const outcome of ['resumed', 'relapsed', 'new_in_vacated', 'newly_found']) {
      const res = await record(
        r.id,
        form({ outcome, note: '发现问题', newEnterpriseName: '吴五喷漆作坊', newPersonInCharge: '吴五' }),
      );
      expect(res.status, outcome).toBe(400);
      expect(await message(res)).toBe('回头看发现问题时，请拍摄至少一张现场照片');
    }
    // JSON, as a script might send it, carries no photo either.
    const viaJson = await app.request(`/api/admin/revisits/${r.id}`, {
      method: 'POST',
      ...json({ outcome: 'resumed', note: '发现问题' }, cookie.zhulin),
    });
    expect(viaJson.status).toBe(400);
    expect(revisit(r.id).status).toBe('scheduled');
    expect(ctx.db.select().from(tasks).where(eq(tasks.enterpriseId, r.enterpriseId)).all()).toEqual([]);
    expect(photoFiles(ctx)).toHaveLength(before);

    const fine = await record(r.id, form({ outcome: 'fine', note: '厂房空置，未见生产' }));
    expect(fine.status).toBe(200);
    expect(await fine.json()).toMatchObject({ photos: 0, followUpTaskId: null });
    expect(photosOf(r.id)).toEqual([]);
  });

  it("uses the phone's position when the photo has none", async () => {
    const r = await dueRevisit('郑六塑料作坊');
    const res = await record(
      r.id,
      form({ outcome: 'fine', note: '未见生产', lat: String(site.lat), lng: String(site.lng + 0.001) }, [
        await photo(),
      ]),
    );
    expect(res.status).toBe(200);
    expect(photosOf(r.id)[0]).toMatchObject({ exifSource: 'browser' });
    const row = (await (await get('/api/admin/revisits?status=done')).json()).rows.find(
      (x: { id: number }) => x.id === r.id,
    );
    expect(row.photos[0]).toMatchObject({ positionFrom: 'browser', metresFromSite: expect.any(Number) });
    expect(row.photos[0].metresFromSite).toBeLessThan(120);
  });

  it('refuses bad input with a Chinese 4xx naming the field, never 5xx, and leaves no file', async () => {
    const r = await dueRevisit('王七家具作坊');
    const before = photoFiles(ctx).length;
    const good = await photo();
    const cases: [FormData | { body: string; type: string }, number, RegExp][] = [
      [form({ outcome: 'resumed', note: '复产' }, [SVG]), 400, /照片/],
      [form({ outcome: 'resumed', note: '复产' }, [await truncatedJpeg()]), 400, /照片/],
      [form({ outcome: 'burned_down', note: '复产' }, [good]), 400, /回头看结果/],
      [form({ outcome: 'resumed', note: '' }, [good]), 400, /现场情况/],
      [form({ outcome: 'resumed', note: '复产', lat: '0x1E' }, [good]), 400, /手机定位的纬度/],
      [form({ outcome: 'resumed', note: '复产', lat: '91' }, [good]), 400, /手机定位的纬度/],
      [form({ outcome: 'resumed', note: '复产', participants: '甲' }, [good]), 400, /不认识的字段/],
      [form({ outcome: 'newly_found', note: '新作坊', newEnterpriseName: '某加工点' }, [good]), 400, /作坊|个体户/],
      [form({ outcome: 'fine', note: '正常' }, Array(7).fill(good)), 400, /照片|文件/],
      [
        {
          body: '--x\r\nContent-Disposition: form-data; name="outcome"\r\n\r\nfine',
          type: 'multipart/form-data; boundary=x',
        },
        400,
        /表单|不完整/,
      ],
      [{ body: '{"outcome":', type: 'application/json' }, 400, /JSON/],
      [{ body: '[1,2]', type: 'application/json' }, 400, /JSON 对象/],
      [{ body: 'outcome=fine', type: 'text/plain' }, 415, /表单/],
    ];
    for (const [body, status, pattern] of cases) {
      const res =
        body instanceof FormData
          ? await record(r.id, body)
          : await app.request(`/api/admin/revisits/${r.id}`, {
              method: 'POST',
              body: body.body,
              headers: { cookie: cookie.zhulin, 'content-type': body.type },
            });
      expect(res.status, pattern.source).toBe(status);
      expect(await message(res), pattern.source).toMatch(pattern);
    }
    expect(revisit(r.id).status).toBe('scheduled');
    expect(photosOf(r.id)).toEqual([]);
    expect(photoFiles(ctx)).toHaveLength(before);
  });

  it('lets only the village of the revisit and the office record it; once', async () => {
    const r = await dueRevisit('冯八铸造作坊');
    const body = async () => form({ outcome: 'resumed', note: '复产' }, [await photo()]);
    expect((await record(r.id, await body(), cookie.shangtang)).status).toBe(404);
    expect((await record(r.id, await body(), cookie.department)).status).toBe(403);
    expect((await record(r.id, await body(), cookie.leader)).status).toBe(403);
    expect((await record(r.id, await body())).status).toBe(200);
    const again = await record(r.id, await body(), cookie.office);
    expect(again.status).toBe(409);
    expect(photosOf(r.id)).toHaveLength(1);
  });

  it('files the new workshop a revisit found, with the photo on the revisit', async () => {
    const r = await dueRevisit('蒋十一塑料作坊');
    const res = await record(
      r.id,
      form(
        {
          outcome: 'new_in_vacated',
          note: '空置厂房新进驻',
          newEnterpriseName: '沈十二喷漆作坊',
          newPersonInCharge: '沈十二',
        },
        [await photo()],
      ),
    );
    expect(res.status).toBe(200);
    const { enterpriseId } = await res.json();
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).get()!.name).toBe(
      '沈十二喷漆作坊',
    );
    expect(photosOf(r.id)).toHaveLength(1);
  });

  describe('the revisits page', () => {
    let pages: Awaited<ReturnType<typeof listenWithPages>>;
    beforeAll(async () => {
      pages = await listenWithPages(ctx);
    }, 180_000);
    afterAll(() => pages?.close());

    it('shows each done revisit with its photos and how far from the enterprise they were taken', async () => {
      const r = await dueRevisit('褚九塑料作坊');
      expect(
        (
          await record(
            r.id,
            form({ outcome: 'resumed', note: '复产' }, [await photo({ lat: site.lat, lng: site.lng })]),
          )
        ).status,
      ).toBe(200);
      const html = await (
        await fetch(`${pages.base}/admin/revisits?status=done`, { headers: { cookie: cookie.zhulin } })
      ).text();
      const id = photosOf(r.id)[0]!.id;
      expect(html).toContain(`src="/api/admin/revisits/${r.id}/photos/${id}/thumb"`);
      expect(html).toMatch(/距企业 \d+ 米/);
      const due = await dueRevisit('卫十电镀作坊');
      const open = await (await fetch(`${pages.base}/admin/revisits`, { headers: { cookie: cookie.zhulin } })).text();
      expect(open).toContain(`data-field-upload="/api/admin/revisits/${due.id}"`);
      expect(open).toContain('capture="environment"');
      const elsewhere = await (
        await fetch(`${pages.base}/admin/revisits?status=done`, { headers: { cookie: cookie.shangtang } })
      ).text();
      expect(elsewhere).not.toContain(`/api/admin/revisits/${r.id}/photos/`);
    });
  });
});
