import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { complaintContacts, complaintEvents, complaintPhotos, complaints } from '../../db/schema.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { complaintCount, photoFiles, reportForm, ZHULIN } from '../helpers/report.ts';

const { ctx, app } = await freshContext();
const post = (body: FormData | string, headers: Record<string, string> = {}) =>
  app.request('/api/complaints', { method: 'POST', body, headers });

describe('a valid report', () => {
  it('is filed with photos, routed to its village, and answered with a tracking code', async () => {
    const photo = await demoPhoto({ hue: 30, lat: ZHULIN.lat + 0.001, lng: ZHULIN.lng - 0.001 });
    // datetime-local sends Beijing wall-clock time without a zone.
    const seen = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 86400_000);
    const seenLocal = new Date(seen.getTime() + 8 * 3600_000).toISOString().slice(0, 16);
    const res = await post(
      reportForm(
        { anonymous: '0', name: '李四', phone: '+86 139-1234-5678', address: '竹林村 12 号后面', seenAt: seenLocal },
        [photo],
      ),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.trackingCode).toMatch(/^[2-9A-HJKMNP-Z]{10}$/);
    expect(body.villageName).toBe('竹林村');
    expect(body.outsideVillages).toBe(false);

    const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, body.trackingCode)).get()!;
    expect(row.status).toBe('submitted');
    expect(row.address).toBe('竹林村 12 号后面');
    expect(row.seenAt?.toISOString()).toBe(seen.toISOString());
    expect(
      ctx.db.select().from(complaintContacts).where(eq(complaintContacts.complaintId, row.id)).get(),
    ).toMatchObject({ name: '李四', phone: '13912345678' });
    expect(
      ctx.db
        .select()
        .from(complaintEvents)
        .where(eq(complaintEvents.complaintId, row.id))
        .all()
        .map((e) => e.toStatus),
    ).toEqual(['submitted']);

    const [stored] = ctx.db.select().from(complaintPhotos).where(eq(complaintPhotos.complaintId, row.id)).all();
    // The camera's position and time are kept for staff…
    expect(stored!.exifLat).toBeCloseTo(ZHULIN.lat + 0.001, 4);
    expect(stored!.exifLng).toBeCloseTo(ZHULIN.lng - 0.001, 4);
    expect(stored!.exifSource).toBe('file');
    expect(stored!.exifTakenAt?.toISOString()).toBe('2026-11-18T08:20:00.000Z');
    expect(photoFiles(ctx)).toEqual(expect.arrayContaining([stored!.file, stored!.thumbFile]));

    // …but the served photo carries no metadata at all.
    for (const size of ['display', 'thumb']) {
      const img = await app.request(`/api/complaints/${body.trackingCode}/photos/${stored!.id}/${size}`);
      expect(img.status).toBe(200);
      expect(img.headers.get('content-type')).toBe('image/webp');
      expect(img.headers.get('x-content-type-options')).toBe('nosniff');
      const bytes = Buffer.from(await img.arrayBuffer());
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('webp');
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(bytes.includes(Buffer.from('Exif'))).toBe(false);
      expect(bytes.includes(Buffer.from('DemoPhone'))).toBe(false);
    }
  });

  it('shows the holder of the code the status and timeline, never the contact or private photo fields', async () => {
    const res = await post(
      reportForm({ anonymous: '0', name: '王五', phone: '13700001111' }, [
        await demoPhoto({ hue: 90, lat: ZHULIN.lat, lng: ZHULIN.lng }),
      ]),
    );
    const { trackingCode } = await res.json();
    const view = await app.request(
      `/api/complaints/${trackingCode.slice(0, 5).toLowerCase()}-${trackingCode.slice(5)}`,
    );
    expect(view.status).toBe(200);
    expect(view.headers.get('cache-control')).toBe('no-store');
    const text = await view.text();
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      trackingCode,
      status: 'submitted',
      statusLabel: '已提交，待受理',
      category: '废气/异味/烟尘',
      villageName: '竹林村',
    });
    expect(body.timeline).toHaveLength(1);
    expect(body.photos).toHaveLength(1);
    for (const secret of ['王五', '13700001111', 'exif', 'Exif', String(ZHULIN.lat).slice(0, 7), 'lat', 'lng'])
      expect(text).not.toContain(secret);
  });

  it('answers 404 for an unknown or malformed code, and for a photo of another complaint', async () => {
    expect((await app.request('/api/complaints/ABCDE23456')).status).toBe(404);
    expect((await app.request('/api/complaints/not-a-code!')).status).toBe(404);
    const a = await (await post(reportForm({}, [await demoPhoto({ hue: 10 })]))).json();
    const b = await (await post(reportForm())).json();
    const photoId = ctx.db
      .select({ id: complaintPhotos.id })
      .from(complaintPhotos)
      .innerJoin(complaints, eq(complaints.id, complaintPhotos.complaintId))
      .where(eq(complaints.trackingCode, a.trackingCode))
      .get()!.id;
    expect((await app.request(`/api/complaints/${a.trackingCode}/photos/${photoId}/thumb`)).status).toBe(200);
    const other = await app.request(`/api/complaints/${b.trackingCode}/photos/${photoId}/thumb`);
    expect(other.status).toBe(404);
    expect((await other.json()).error.message).toContain('没有找到');
  });

  it('holds a point outside every village at township level, flagged', async () => {
    const res = await post(reportForm({ lat: '30.95', lng: '120.2' }));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ villageName: null, outsideVillages: true });
    const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, body.trackingCode)).get()!;
    expect(row.villageId).toBeNull();
    expect(row.outsideVillages).toBe(true);
    expect(row.townshipId).toBeGreaterThan(0);
  });

  /** An anonymous report at the centre of the demo's grid cell (i, j). */
  const fileAtCell = (i: number, j: number) => {
    const c = cellCenter(i, j);
    return app.request('/api/complaints', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        category: 'noise',
        lat: c.lat,
        lng: c.lng,
        description: '夜里机器声音很大，影响休息。',
        anonymous: true,
      }),
    });
  };

  it('routes each village centre to that village', async () => {
    const expected = [
      ['下塘村', 0, 0],
      ['石桥村', 1, 0],
      ['桃源社区', 2, 0],
      ['上塘村', 0, 1],
      ['竹林村', 1, 1],
      ['溪口村', 2, 1],
    ] as const;
    for (const [name, i, j] of expected) {
      const res = await fileAtCell(i, j);
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ townshipName: '青溪镇', villageName: name });
    }
  });

  it("names the township whose office holds the report: a 街道's, not a 镇's", async () => {
    const res = await fileAtCell(1, -1); // a cell of 城东街道
    expect(res.status).toBe(201);
    const filed = await res.json();
    expect(filed.townshipName).toBe('城东街道');
    const tracked = await app.request(`/api/complaints/${filed.trackingCode}`);
    expect((await tracked.json()).townshipName).toBe('城东街道');
  });

  it('returns the first answer to a retry with the same idempotency key and files nothing new', async () => {
    const key = 'retry-key-0123456789abcdef';
    const before = complaintCount(ctx);
    const filesBefore = photoFiles(ctx).length;
    const first = await post(reportForm({ idempotencyKey: key }, [await demoPhoto({ hue: 200 })]));
    const again = await post(reportForm({ idempotencyKey: key }, [await demoPhoto({ hue: 200 })]));
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(complaintCount(ctx)).toBe(before + 1);
    expect(photoFiles(ctx).length).toBe(filesBefore + 2);
  });

  it('files one complaint when two retries with one key race', async () => {
    const key = 'race-key-0123456789abcdef';
    const before = complaintCount(ctx);
    const filesBefore = photoFiles(ctx).length;
    const photo = await demoPhoto({ hue: 250 });
    const answers = await Promise.all([1, 2, 3].map(() => post(reportForm({ idempotencyKey: key }, [photo]))));
    const codes = new Set(await Promise.all(answers.map(async (r) => (await r.json()).trackingCode)));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(codes.size).toBe(1);
    expect(complaintCount(ctx)).toBe(before + 1);
    expect(photoFiles(ctx).length).toBe(filesBefore + 2); // the losers' files are removed
  });
});
