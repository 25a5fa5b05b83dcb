import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fromBuffer } from 'yauzl';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { auditLog, complaintDepartments, complaints, departments, users, villages } from '../../db/schema.ts';
import {
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
  revisits,
  taskEvidence,
  taskItems,
} from '../../db/schema-enforcement.ts';
import { assignments, departmentActions, type FieldPhotoSubject, fieldPhotos } from '../../db/schema-supervision.ts';
import { freshContext } from '../helpers/context.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { listen } from '../helpers/server.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// The evidence package of an enterprise's file (issue 16): every evidence photo of every kind of field work, and a
// manifest whose hashes a plain zip reader and sha256 confirm; tampering shows; nothing of the reporter in it.
// Not the default 24 h: the package's marks and note follow the setting the pages follow.
const { ctx, app } = await freshContext({ EVIDENCE_LATE_HOURS: '30' });
const idOf = {
  village: (code: string) => ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, code)).get()!.id,
  department: (code: string) =>
    ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).get()!.id,
  user: (username: string) => ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id,
};
const ZHULIN_ID = idOf.village('qingxi-zhulin'),
  ECO = idOf.department('eco'),
  MARKET = idOf.department('market');
await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'shichang', displayName: '市场监管所老郑', role: 'department', departmentId: MARKET },
);
const cookie = (username: string) => signIn(ctx, username);
const OFFICE = 'shouli',
  VILLAGE = 'zhulin',
  ECO_OFFICER = 'shengtai',
  MARKET_OFFICER = 'shichang',
  LEADER = 'lingdao';
const post = async (path: string, body: unknown, user = OFFICE) => {
  const res = await app.request(path, { method: 'POST', ...json(body, cookie(user)) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return res.json();
};
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// The reporter: words, name, phone and tracking code that must appear in no entry of the package.
const REPORT = { description: '举报人自述：我家就在作坊隔壁，每晚被熏醒', name: '赵举报', phone: '13911112222' };
const filed = await (
  await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ ...REPORT, anonymous: '0' }, [await demoPhoto({ hue: 30 })]),
  })
).json();
const complaint = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, filed.trackingCode)).get()!;
const TRACKING = [complaint.trackingCode, `${complaint.trackingCode.slice(0, 5)}-${complaint.trackingCode.slice(5)}`];
ctx.db.insert(complaintDepartments).values({ complaintId: complaint.id, departmentId: ECO }).run();

const enterpriseId = (
  await post('/api/admin/enterprises', {
    name: '周某塑料加工作坊',
    personInCharge: '周某',
    lat: ZHULIN.lat,
    lng: ZHULIN.lng,
    address: '竹林村三组 12 号',
    complaintIds: [complaint.id],
  })
).id as number;

/** An original as a phone would send it, and its stored copies, written beside the portal's own. */
async function storedFiles(hue: number, gps?: { lat: number; lng: number }) {
  const original = await demoPhoto({ hue, width: 640, height: 480, ...gps });
  const id = randomBytes(16).toString('base64url');
  const display = await sharp(original).webp().toBuffer();
  writeFileSync(join(ctx.photos.dir, `${id}.webp`), display);
  writeFileSync(join(ctx.photos.dir, `${id}t.webp`), display);
  writeFileSync(join(ctx.photos.dir, `${id}.orig`), original);
  return {
    id,
    file: `${id}.webp`,
    thumbFile: `${id}t.webp`,
    width: 640,
    height: 480,
    bytes: display.length,
    sha256: sha256(original),
    originalFile: `${id}.orig`,
  };
}
const RECEIVED = new Date('2026-11-20T08:00:00Z');
const uploader = idOf.user(VILLAGE);

/** A field photo recorded as the hashing upload records it (rows and files written directly). */
async function fieldPhoto(subject: FieldPhotoSubject, subjectId: number, over: Record<string, unknown> = {}) {
  const files = await storedFiles(subjectId * 7, { lat: ZHULIN.lat + 0.0003, lng: ZHULIN.lng });
  ctx.db
    .insert(fieldPhotos)
    .values({
      ...files,
      subject,
      subjectId,
      partId: subject === 'draw_item' ? enterpriseId : null,
      exifLat: ZHULIN.lat + 0.0003,
      exifLng: ZHULIN.lng,
      exifTakenAt: new Date(RECEIVED.getTime() - 600_000),
      exifSource: 'file',
      uploadedBy: uploader,
      createdAt: RECEIVED,
      ...over,
    })
    .run();
  return files.id;
}

/** Rows that an upload through the route left without an original (the hashing helper not in yet) get one. */
function ensureOriginals(table: typeof taskEvidence | typeof fieldPhotos) {
  for (const row of ctx.db.select().from(table).all()) {
    if (row.originalFile) continue;
    const original = readFileSync(join(ctx.photos.dir, row.file));
    writeFileSync(join(ctx.photos.dir, `${row.id}.orig`), original);
    ctx.db
      .update(table)
      .set({ originalFile: `${row.id}.orig`, sha256: sha256(original) })
      .where(eq(table.id, row.id))
      .run();
  }
}

// 1. A shutdown task joined by the eco department: line 1 photographed on site through the route, the phone's GPS
// in the file; line 2 with the phone's position and accuracy, taken two days before it reached the server.
const taskId = (
  await post('/api/admin/tasks', {
    enterpriseId,
    type: 'shutdown',
    villageLead: '李村长',
    townshipLead: '王镇长',
    dueOn: '2026-12-31',
    departmentIds: [ECO],
    departmentLead: '林所长',
  })
).id as number;
const lines = ctx.db.select().from(taskItems).where(eq(taskItems.taskId, taskId)).orderBy(taskItems.seq).all();
{
  const form = new FormData();
  form.append('note', '已断电，电表拆除');
  const photo = await demoPhoto({ hue: 10, width: 640, height: 480, lat: ZHULIN.lat, lng: ZHULIN.lng });
  form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
  const res = await app.request(`/api/admin/tasks/${taskId}/items/${lines[0]!.id}/evidence`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookie(VILLAGE) },
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}
ensureOriginals(taskEvidence);
const LATE_PHOTO = await (async () => {
  const files = await storedFiles(90);
  ctx.db
    .insert(taskEvidence)
    .values({
      ...files,
      taskId,
      itemId: lines[1]!.id,
      exifLat: ZHULIN.lat + 0.005, // about 550 m north: far from the site
      exifLng: ZHULIN.lng,
      exifSource: 'browser',
      accuracyM: 35,
      deviceTakenAt: new Date(RECEIVED.getTime() - 2 * 86_400_000),
      clockOffsetMs: 90_000,
      uploadedBy: uploader,
      createdAt: RECEIVED,
    })
    .run();
  return files.id;
})();

// 2. A revisit through its route; 3. a draw, 4. a patrol finding, 5. the complaint's 交办 answer and the eco
// department's penalty decision, each with a photo; 6. an older photo from before hashes were recorded.
const revisitId = ctx.db
  .insert(revisits)
  .values({ enterpriseId, villageId: ZHULIN_ID, taskId, dueAt: new Date(Date.now() + 86_400_000) })
  .returning()
  .get().id;
{
  const form = new FormData();
  form.append('outcome', 'fine');
  form.append('note', '未复产');
  const photo = await demoPhoto({ hue: 140, width: 640, height: 480 });
  form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
  form.append('lat', String(ZHULIN.lat));
  form.append('lng', String(ZHULIN.lng));
  const res = await app.request(`/api/admin/revisits/${revisitId}`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookie(VILLAGE) },
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}
ensureOriginals(fieldPhotos);
const office = idOf.user(OFFICE);
// The office's draw and patrol are its township's, as the county's records are.
const townshipId = ctx.db.select().from(villages).where(eq(villages.id, ZHULIN_ID)).get()!.townshipId;
const drawId = ctx.db
  .insert(inspectionDraws)
  .values({
    title: '十一月双随机',
    seed: 'seed',
    filters: {},
    townshipId,
    enterpriseCount: 1,
    inspectorsPerDepartment: 1,
    candidateEnterpriseIds: [enterpriseId],
    candidateInspectors: {},
    drawnEnterpriseIds: [enterpriseId],
    drawnInspectorIds: [],
    createdBy: office,
    createdAt: RECEIVED,
  })
  .returning()
  .get().id;
ctx.db.insert(inspectionDrawItems).values({ drawId, enterpriseId, outcome: 'problem_found' }).run();
await fieldPhoto('draw_item', drawId);
const patrolId = ctx.db
  .insert(nightPatrols)
  .values({
    startedAt: RECEIVED,
    endedAt: RECEIVED,
    area: '竹林村',
    villageId: ZHULIN_ID,
    townshipId,
    participants: [],
    createdBy: office,
  })
  .returning()
  .get().id;
const findingId = ctx.db
  .insert(patrolFindings)
  .values({ patrolId, enterpriseId, note: '夜间生产' })
  .returning()
  .get().id;
await fieldPhoto('patrol_finding', findingId);
const due = { ackDueAt: RECEIVED, answerDueAt: RECEIVED, updatedAt: RECEIVED, status: 'answered' as const };
const villageItem = ctx.db
  .insert(assignments)
  .values({ complaintId: complaint.id, villageId: ZHULIN_ID, outcome: 'needs_case', ...due })
  .returning()
  .get().id;
const ecoItem = ctx.db
  .insert(assignments)
  .values({ complaintId: complaint.id, villageId: ZHULIN_ID, departmentId: ECO, outcome: 'needs_case', ...due })
  .returning()
  .get().id;
const DOCUMENT = '青环罚〔2026〕17 号';
const actionId = ctx.db
  .insert(departmentActions)
  .values({
    assignmentId: ecoItem,
    departmentId: ECO,
    kind: 'penalty',
    documentNumber: DOCUMENT,
    actedOn: '2026-11-21',
    recordedBy: idOf.user(ECO_OFFICER),
    recordedAt: RECEIVED,
  })
  .returning()
  .get().id;
await fieldPhoto('assignment', villageItem);
await fieldPhoto('department_action', actionId, { uploadedBy: idOf.user(ECO_OFFICER) });
const OLD_PHOTO = await fieldPhoto('patrol_finding', findingId, {
  sha256: null,
  originalFile: null,
  exifSource: null,
  exifLat: null,
  exifLng: null,
});
const ALL = 8;

interface Photo {
  path: string;
  sha256: string;
  recordedSha256: string | null;
  hashCheck: string;
  included: string;
  kind: string;
  evidenceOf: string;
  documentNumber: string | null;
  positionSource: string;
  accuracyM: number | null;
  clockOffsetMs: number | null;
  deviceTakenAt: string | null;
  receivedAt: string;
  uploader: { name: string; account: string };
  metresFromSite: number | null;
  far: boolean;
  late: boolean;
}

/** Every entry of a zip, read by yauzl as any unzip tool would read it. */
async function unzip(buf: Buffer): Promise<Map<string, { data: Buffer; stored: boolean }>> {
  const zip = await new Promise<import('yauzl').ZipFile>((resolve, reject) =>
    fromBuffer(buf, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const out = new Map<string, { data: Buffer; stored: boolean }>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const c of await zip.openReadStreamPromise(entry)) chunks.push(c as Buffer);
    out.set(entry.fileName, { data: Buffer.concat(chunks), stored: entry.compressionMethod === 0 });
  }
  return out;
}
const download = (user: string, id = enterpriseId) =>
  app.request(`/api/admin/enterprises/${id}/evidence.zip`, { headers: { cookie: cookie(user) } });
async function packageOf(user: string) {
  const res = await download(user);
  expect(res.status, await res.clone().text()).toBe(200);
  const entries = await unzip(Buffer.from(await res.arrayBuffer()));
  const manifest = JSON.parse(entries.get('manifest.json')!.data.toString('utf8'));
  return { res, entries, manifest, photos: manifest.photos as Photo[] };
}
/** Photo files this process holds open. */
const openPhotos = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(ctx.photos.dir);
    } catch {
      return false; // closed meanwhile
    }
  }).length;
const byId = (photos: Photo[], id: string) => photos.find((p) => p.path.includes(`/${id}.`))!;

describe('the evidence package of an enterprise file', () => {
  it('holds every kind of evidence photo, each hash in the manifest that of the file in the zip', async () => {
    const { res, entries, manifest, photos } = await packageOf(OFFICE);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('cache-control')).toContain('no-store');
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toContain(`filename="evidence-${enterpriseId}-`);
    expect(decodeURIComponent(/filename\*=UTF-8''(.*)$/.exec(disposition)![1]!)).toMatch(
      /^证据包-周某塑料加工作坊-\d{4}-\d{2}-\d{2}\.zip$/,
    );
    expect(manifest.enterprise).toEqual({
      id: enterpriseId,
      name: '周某塑料加工作坊',
      address: '竹林村三组 12 号',
      village: '竹林村',
    });
    expect(manifest.exportedBy).toEqual({ name: '受理员小陈', account: OFFICE });
    expect(manifest.exportedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expect(manifest.photoCount).toBe(ALL);
    expect(photos.map((p) => p.kind).sort()).toEqual(
      ['assignment', 'department_action', 'draw', 'patrol', 'patrol', 'revisit', 'task', 'task'].sort(),
    );
    const photoEntries = [...entries.keys()].filter((k) => k.startsWith('photos/'));
    expect(photoEntries.sort()).toEqual(photos.map((p) => p.path).sort());
    for (const p of photos) {
      const entry = entries.get(p.path)!;
      expect(entry.stored, `${p.path} STOREd, not deflated`).toBe(true);
      expect(sha256(entry.data), p.path).toBe(p.sha256);
      if (p.recordedSha256) expect([p.path, p.hashCheck]).toEqual([p.path, '一致']);
      if (p.recordedSha256) expect(p.sha256).toBe(p.recordedSha256);
    }
    // What each is evidence of, and where it sits in the zip.
    expect(photos.find((p) => p.kind === 'task' && p.path.startsWith(`photos/task-${taskId}-line-1/`))).toMatchObject({
      positionSource: '照片自带定位',
      evidenceOf: expect.stringContaining(`任务 #${taskId}（关停取缔）第 1 项：${lines[0]!.label}`),
      uploader: { name: '竹林村网格员老周', account: VILLAGE },
      included: '原件',
    });
    expect(photos.find((p) => p.kind === 'department_action')).toMatchObject({
      path: expect.stringMatching(new RegExp(`^photos/complaint-${complaint.id}-department-action-${actionId}/`)),
      documentNumber: DOCUMENT,
      evidenceOf: expect.stringContaining(`处罚决定（文号 ${DOCUMENT}，2026-11-21）`),
      uploader: { name: '生态环境所小林', account: ECO_OFFICER },
    });
    expect(photos.find((p) => p.kind === 'assignment')!.evidenceOf).toContain(`举报 #${complaint.id} 交办反馈`);
    expect(photos.find((p) => p.kind === 'revisit')!.path).toMatch(
      new RegExp(`^photos/revisit-${revisitId}/.+\\.jpg$`),
    );
    expect(photos.find((p) => p.kind === 'draw')!.evidenceOf).toContain('十一月双随机');
    // Phone position, accuracy, clock offset, and the marks a reviewer sees.
    expect(byId(photos, LATE_PHOTO)).toMatchObject({
      positionSource: '手机定位',
      accuracyM: 35,
      clockOffsetMs: 90_000,
      deviceTakenAt: '2026-11-18T16:00:00+08:00',
      receivedAt: '2026-11-20T16:00:00+08:00',
      far: true,
      late: true,
      hashCheck: '一致',
    });
    expect(byId(photos, LATE_PHOTO).metresFromSite).toBeGreaterThan(500);
    expect(photos.find((p) => p.kind === 'draw')).toMatchObject({ far: false, late: false });
    // An older photo: its display copy, no recorded hash, said so.
    expect(byId(photos, OLD_PHOTO)).toMatchObject({ included: '显示副本', recordedSha256: null, positionSource: '无' });
    expect(byId(photos, OLD_PHOTO).hashCheck).toMatch(/^未登记/);
    expect(byId(photos, OLD_PHOTO).path).toMatch(/\.webp$/);
  });

  it('writes a CSV Excel opens (UTF-8 with BOM) and a Chinese note on checking hashes', async () => {
    const { entries, photos } = await packageOf(OFFICE);
    const csv = entries.get('manifest.csv')!.data;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    expect(text).toContain('企业名称,周某塑料加工作坊');
    expect(text).toContain(`档案编号,${enterpriseId}`);
    expect(text).toContain('导出人,受理员小陈（shouli）');
    const header = text.split('\r\n').find((l) => l.startsWith('文件,'))!;
    for (const column of ['文件SHA-256', '登记SHA-256', '校验结果', '定位精度（米）', '定位来源', '手机时钟偏差（秒）'])
      expect(header).toContain(column);
    for (const p of photos) expect(text).toContain(`${p.path},${p.sha256},`);
    const note = entries.get('说明.txt')!.data.toString('utf8');
    expect(note).toContain('sha256sum photos/');
    expect(note).toMatch(/certutil -hashfile photos\\\S+ SHA256/);
    expect(note).toContain('周某塑料加工作坊');
    expect(note).toContain('早于服务器接收时间 30 小时以上');
  });

  it('refuses HEAD (the policy names GET), auditing nothing: no package was sent', async () => {
    const exports = () => ctx.db.select().from(auditLog).where(eq(auditLog.action, 'enterprise.evidence_export')).all();
    const before = exports().length;
    const res = await app.request(`/api/admin/enterprises/${enterpriseId}/evidence.zip`, {
      method: 'HEAD',
      headers: { cookie: cookie(OFFICE) },
    });
    expect(res.status).toBe(403);
    expect(exports()).toHaveLength(before);
  });

  it('shows a tampered original as 校验不符, and a lost one, and still builds the package', async () => {
    const draw = ctx.db.select().from(fieldPhotos).where(eq(fieldPhotos.subject, 'draw_item')).get()!;
    const path = join(ctx.photos.dir, draw.originalFile!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(path, bytes);
    const action = ctx.db.select().from(fieldPhotos).where(eq(fieldPhotos.subject, 'department_action')).get()!;
    const kept = readFileSync(join(ctx.photos.dir, action.originalFile!));
    unlinkSync(join(ctx.photos.dir, action.originalFile!));
    try {
      const { entries, photos } = await packageOf(OFFICE);
      expect(photos).toHaveLength(ALL);
      const tampered = byId(photos, draw.id);
      expect(tampered.hashCheck).toBe('校验不符');
      expect(tampered.sha256).toBe(sha256(bytes));
      expect(tampered.sha256).not.toBe(tampered.recordedSha256);
      expect(sha256(entries.get(tampered.path)!.data)).toBe(tampered.sha256);
      const lost = byId(photos, action.id);
      expect(lost).toMatchObject({ included: '显示副本', hashCheck: '校验不符（原件缺失，附显示副本）' });
      expect(entries.get('manifest.csv')!.data.toString('utf8')).toContain(`${tampered.path},${tampered.sha256},`);
      expect(entries.get('manifest.csv')!.data.toString('utf8')).toMatch(/,校验不符,/);
    } finally {
      writeFileSync(join(ctx.photos.dir, action.originalFile!), kept);
    }
  });

  it('carries nothing of the reporter: no name, phone, words or tracking code in any entry', async () => {
    const { entries } = await packageOf(OFFICE);
    for (const [name, { data }] of entries) {
      for (const text of [data.toString('utf8'), data.toString('latin1')])
        for (const needle of [REPORT.name, REPORT.phone, REPORT.description, ...TRACKING])
          expect(text, `${name} holds ${needle}`).not.toContain(needle);
    }
  });

  it('is for the office, leaders and a joining department; never a village; 404 outside scope; audited', async () => {
    const village = await download(VILLAGE);
    expect(village.status).toBe(403);
    expect(await village.text()).not.toContain('PK');
    expect((await download(MARKET_OFFICER)).status).toBe(404); // a department that joins nothing of this file
    expect((await download(OFFICE, enterpriseId + 1000)).status).toBe(404);
    const leader = await packageOf(LEADER);
    expect(leader.photos).toHaveLength(ALL);
    // The eco department joins the task and the complaint: its own 交办 item and records, the task, the revisit;
    // not the surprise draw, the patrol, or the village's answer.
    const eco = await packageOf(ECO_OFFICER);
    expect(eco.photos.map((p) => p.kind).sort()).toEqual(['department_action', 'revisit', 'task', 'task']);
    expect(eco.manifest.scope).toContain('本部门');
    const rows = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'enterprise.evidence_export'), eq(auditLog.objectId, String(enterpriseId))))
      .all();
    expect(rows.map((r) => r.actorLabel)).toEqual(
      expect.arrayContaining(['受理员小陈', '领导小组王组长', '生态环境所小林']),
    );
    expect(rows.find((r) => r.actorLabel === '生态环境所小林')!.details).toEqual({
      enterprise: '周某塑料加工作坊',
      photos: 4,
    });
    expect(rows.find((r) => r.actorLabel === '领导小组王组长')!.details).toMatchObject({ photos: ALL });
    expect(rows.some((r) => r.actorLabel === '竹林村网格员老周')).toBe(false);
  });

  it('is offered on the enterprise page to those who may export it, not to the village officer', async () => {
    const site = await listenWithPages(ctx);
    try {
      const page = async (user: string) => {
        const res = await fetch(`${site.base}/admin/enterprises/${enterpriseId}`, {
          headers: { cookie: cookie(user) },
        });
        expect(res.status).toBe(200);
        return res.text();
      };
      const link = `href="/api/admin/enterprises/${enterpriseId}/evidence.zip"`;
      for (const user of [OFFICE, LEADER, ECO_OFFICER]) {
        const html = await page(user);
        expect(html, user).toContain(link);
        expect(html, user).toContain('导出证据包 (.zip)');
      }
      const village = await page(VILLAGE);
      expect(village).toContain('周某塑料加工作坊');
      expect(village).not.toContain('导出证据包');
    } finally {
      await site.close();
    }
  }, 180_000);

  it('streams 50 large photos without holding the main thread more than 50 ms', async () => {
    const big = (
      await post('/api/admin/enterprises', {
        name: '钱某五金作坊',
        personInCharge: '钱某',
        lat: ZHULIN.lat,
        lng: ZHULIN.lng,
        address: '竹林村五组',
      })
    ).id as number;
    const bigTask = (
      await post('/api/admin/tasks', {
        enterpriseId: big,
        type: 'shutdown',
        villageLead: '李村长',
        townshipLead: '王镇长',
        dueOn: '2026-12-31',
      })
    ).id as number;
    const item = ctx.db.select().from(taskItems).where(eq(taskItems.taskId, bigTask)).get()!;
    // A JPEG header, then 2 MB that compresses no better than a real photo.
    const jpegHead = (await demoPhoto({ hue: 1, width: 64, height: 48 })).subarray(0, 2);
    let bytes = 0;
    for (let i = 0; i < 50; i++) {
      const files = await storedFiles(i);
      const original = Buffer.concat([jpegHead, Buffer.from([0xff]), randomBytes(2 * 1024 * 1024)]);
      writeFileSync(join(ctx.photos.dir, files.originalFile), original);
      bytes += original.length;
      ctx.db
        .insert(taskEvidence)
        .values({ ...files, sha256: sha256(original), taskId: bigTask, itemId: item.id, uploadedBy: uploader })
        .run();
    }
    const server = await listen(ctx);
    try {
      const t0 = performance.now();
      const stall = await duringWork(server.base, async () => {
        const res = await fetch(`${server.base}/api/admin/enterprises/${big}/evidence.zip`, {
          headers: { cookie: cookie(OFFICE) },
        });
        // Chunks kept as they come: joining 100 MB into one buffer is the test's work, not the server's.
        const chunks: Uint8Array[] = [];
        for await (const c of res.body!) chunks.push(c);
        return chunks;
      });
      const ms = performance.now() - t0;
      const entries = await unzip(Buffer.concat(stall.result));
      const photos = JSON.parse(entries.get('manifest.json')!.data.toString('utf8')).photos as Photo[];
      expect(photos).toHaveLength(50);
      for (const p of photos) expect(p.hashCheck).toBe('一致');
      console.info(
        `evidence package: 50 photos, ${(bytes / 2 ** 20).toFixed(0)} MB in ${ms.toFixed(0)} ms; ` +
          `main thread held at most ${stall.blockedMs.toFixed(1)} ms (loop delay ${stall.loopMaxMs.toFixed(1)} ms)`,
      );
      expect(stall.blockedMs).toBeLessThan(STALL_LIMIT_MS);

      // A download cut short: the server stops reading and closes the photo it had open.
      const stop = new AbortController();
      const cut = await fetch(`${server.base}/api/admin/enterprises/${big}/evidence.zip`, {
        headers: { cookie: cookie(OFFICE) },
        signal: stop.signal,
      });
      const reader = cut.body!.getReader();
      await reader.read();
      await expect.poll(openPhotos).toBeGreaterThan(0);
      stop.abort();
      await expect.poll(openPhotos).toBe(0);
    } finally {
      await server.close();
    }
  }, 120_000);
});
