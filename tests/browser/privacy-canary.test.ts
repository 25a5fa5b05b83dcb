import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { staffByUsername } from '../../api/services/auth/sessions.ts';
import { issueApiKey } from '../../api/services/api-keys.ts';
import { submitComplaint } from '../../api/services/complaints.ts';
import { addExposurePhoto } from '../../api/services/exposure-photos.ts';
import { applyExposureAction, createExposure } from '../../api/services/exposures.ts';
import { fileOpen311Request } from '../../api/services/open311-submit.ts';
import { linkComplaints } from '../../api/services/tasks.ts';
import { complaintContacts, complaintPhotos, complaints } from '../../db/schema.ts';
import { tasks } from '../../db/schema-enforcement.ts';
import { exposures } from '../../db/schema-public.ts';
import { seedDemo } from '../../db/seed/demo.ts';
import { cellCenter } from '../../db/seed/demo-geography.ts';
import { demoPhoto } from '../../db/seed/demo-photo.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';

// A reporter no page may ever name: unique strings, searched for in every public answer.
const CANARY = { name: '柯南德尔测试', phone: '13987651234', email: 'canary.q7x2@example.org', first: '德尔', last: '柯南' };
const NEEDLES = [CANARY.name, CANARY.phone, CANARY.email, '13987651234'.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')];

/** The demo township, plus a canary reporter whose complaints end up in a published case. */
async function prepare(dir: string) {
  const ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
  await seedDemo(ctx, { samples: true });
  const staff = (u: string) => staffByUsername(ctx.db, u)!;
  const task = ctx.db.select().from(tasks).where(eq(tasks.status, 'accepted')).orderBy(asc(tasks.id)).get()!;
  const at = cellCenter(2, 1); // 溪口村, where the demo's accepted shutdown is
  const photo = await demoPhoto({ hue: 300, lat: at.lat + 0.003, lng: at.lng + 0.003 }); // carries EXIF GPS
  const filed = await submitComplaint(ctx, {
    source: 'web', photos: [photo],
    fields: { category: 'air', lat: at.lat + 0.004, lng: at.lng + 0.003, address: undefined, seenAt: undefined, description: '铸造作坊夜里又开工，烟很大。', anonymous: false, name: CANARY.name, phone: CANARY.phone, photoExif: [] },
  });
  if (!filed.ok) throw new Error('canary report refused');
  const key = issueApiKey(ctx.db, { id: staff('admin').id, label: '管理员' }, '微信小程序', ctx.clock());
  const viaApi = await fileOpen311Request(ctx, { service_code: 'air', lat: String(at.lat + 0.004), long: String(at.lng + 0.003), description: '铸造作坊又冒烟了，请处理。', first_name: CANARY.first, last_name: CANARY.last, phone: CANARY.phone, email: CANARY.email }, key.id);
  if (!viaApi.ok) throw new Error(`open311 refused: ${viaApi.messages.join('; ')}`);
  const code = filed.receipt.trackingCode;
  const complaint = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!;
  // Not a vacuous search: both contacts are stored, for staff to see.
  const stored = ctx.db.select().from(complaintContacts).all().filter((c) => c.phone === CANARY.phone);
  if (stored.length !== 2 || !stored.some((c) => c.name === CANARY.name)) throw new Error('canary contact not stored');
  linkComplaints(ctx.db, staff('shouli'), task.enterpriseId, [complaint.id], ctx.clock());
  // A second case from the same task, with the canary's own photo as its "before".
  const created = createExposure(ctx.db, staff('shouli'), { taskId: task.id }, ctx.clock());
  if (!created.ok) throw new Error(created.message);
  const version = () => ctx.db.select({ v: exposures.version }).from(exposures).where(eq(exposures.id, created.id)).get()!.v;
  const photoId = ctx.db.select({ id: complaintPhotos.id }).from(complaintPhotos).where(eq(complaintPhotos.complaintId, complaint.id)).get()!.id;
  const added = await addExposurePhoto(ctx, staff('shouli'), created.id, { source: 'complaint', sourceId: photoId, kind: 'before', blur: [], version: version() }, ctx.clock());
  if (!added.ok) throw new Error(added.message);
  applyExposureAction(ctx.db, staff('shouli'), created.id, { action: 'submit', version: version() }, ctx.clock());
  const published = applyExposureAction(ctx.db, staff('admin'), created.id, { action: 'approve', version: version() }, ctx.clock());
  if (!published.ok) throw new Error(published.message);
  ctx.db.$client.close();
  return { code, complaintId: complaint.id, caseId: created.id };
}

describe('privacy canary: a reporter is named nowhere public', () => {
  let portal: PortalProcess;
  let seeded: Awaited<ReturnType<typeof prepare>>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-canary-'));
    seeded = await prepare(dir);
    portal = await startPortal({}, dir);
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it('finds the canary in no public page, feed, sitemap entry, Open311 answer or image, and no image carries EXIF', async () => {
    const fetched = new Map<string, Buffer>();
    const get = async (path: string) => {
      if (fetched.has(path)) return fetched.get(path)!;
      const res = await fetch(`${portal.base}${path}`);
      expect(res.status, path).toBeLessThan(500);
      const body = Buffer.from(await res.arrayBuffer());
      fetched.set(path, body);
      return body;
    };
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const pages = ['/', '/report', '/report/done', '/track', `/track?code=${seeded.code}`, '/cases', `/cases/${seeded.caseId}`, '/stats', '/results', `/results/${month}`, '/feed.xml', '/sitemap.xml'];
    for (const p of pages) await get(p);
    // Every URL the sitemap lists.
    const sitemap = (await get('/sitemap.xml')).toString();
    for (const m of sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)) await get(new URL(m[1]!).pathname + new URL(m[1]!).search);
    // Open311, both formats.
    for (const f of ['json', 'xml']) {
      for (const p of ['discovery', 'services', 'requests', 'services/air']) await get(`/api/open311/v2/${p}.${f}`);
      await get(`/api/open311/v2/requests/${seeded.complaintId}.${f}`);
      await get(`/api/open311/v2/requests.${f}?start_date=2000-01-01T00:00:00Z`);
    }
    await get(`/api/complaints/${seeded.code}`);
    // Every image a public page links to.
    const images = new Set<string>();
    for (const [path, body] of fetched) {
      if (path.startsWith('/api/')) continue;
      for (const m of body.toString().matchAll(/(?:src|content)="([^"]+\.(?:webp|jpg|png)|\/api\/cases\/[^"]+)"/g)) images.add(new URL(m[1]!, portal.base).pathname);
    }
    expect([...images].filter((i) => i.startsWith('/api/cases/')).length).toBeGreaterThan(0);
    for (const img of images) {
      const bytes = await get(img);
      const meta = await sharp(bytes).metadata();
      expect(meta.exif, `${img} carries EXIF`).toBeUndefined();
    }
    expect(fetched.size).toBeGreaterThan(30);
    for (const [path, body] of fetched) {
      for (const needle of NEEDLES) expect(body.includes(Buffer.from(needle)), `${path} contains ${needle}`).toBe(false);
    }
  }, 120_000);
});
