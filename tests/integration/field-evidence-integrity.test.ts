import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { evidenceRules, parseEnv } from '../../api/env.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { auditLog, complaints, departments, users, villages } from '../../db/schema.ts';
import { revisits, taskEvidence } from '../../db/schema-enforcement.ts';
import { assignments, departmentActions, fieldPhotos, fieldSubmissions } from '../../db/schema-supervision.ts';
import { freshContext } from '../helpers/context.ts';
import { cameraJpeg } from '../helpers/images.ts';
import { photoFiles, reportForm } from '../helpers/report.ts';
import { listen, rawPost } from '../helpers/server.ts';
import { json, signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// Evidence that stands up (issue 16, decision 017): each field photo is hashed as received and checked against the
// phone's hash, kept in its original bytes, with the phone's position, accuracy and times; a save sent again with
// its Idempotency-Key (the offline queue's retry) is answered as the first time and saved once.
const T = Date.parse('2026-06-02T02:00:00Z'); // 10:00 in Beijing: when the server gets every request here
const HOUR = 3_600_000;
const { ctx, app } = await freshContext({}, { now: () => T });
const ZHULIN = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, 'qingxi-zhulin')).get()!.id;
await createAccount(
  ctx.db,
  { id: null, label: 'test' },
  { username: 'cun2', displayName: '竹林村二号网格员', role: 'village', villageId: ZHULIN },
);
const cookie = { office: signIn(ctx, 'shouli'), zhulin: signIn(ctx, 'zhulin'), cun2: signIn(ctx, 'cun2') };
const uid = (username: string) =>
  ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;
const site = cellCenter(1, 1); // in 竹林村
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function enterpriseAt(name: string) {
  const res = await app.request('/api/admin/enterprises', {
    method: 'POST',
    ...json(
      { name, personInCharge: name.slice(0, 2), lat: site.lat, lng: site.lng, address: '竹林村三组' },
      cookie.office,
    ),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).id as number;
}
let workshops = 0;
async function dueRevisit() {
  const enterpriseId = await enterpriseAt(`赵${++workshops}塑料作坊`);
  return ctx.db
    .insert(revisits)
    .values({ enterpriseId, villageId: ZHULIN, dueAt: new Date(T + 86_400_000) })
    .returning()
    .get().id;
}

interface Photo {
  data: Buffer;
  /** photoMeta as the phone sends it; sha256 defaults to the bytes' own. */
  meta?: Record<string, unknown>;
  field?: string;
}
/** A field-work form as the offline queue sends it: fields, then each photo with its photoMeta, then sentAt. */
function fieldForm(fields: Record<string, string>, photos: Photo[], sentAt: number | null = T) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const [i, p] of photos.entries()) {
    f.append(p.field ?? 'photos', new Blob([new Uint8Array(p.data)], { type: 'image/jpeg' }), `p${i}.jpg`);
    if (p.meta) f.append('photoMeta', JSON.stringify({ sha256: sha(p.data), ...p.meta }));
  }
  if (sentAt !== null) f.append('sentAt', String(sentAt));
  return f;
}
const send = (path: string, body: FormData, key?: string, who = cookie.zhulin) =>
  app.request(path, { method: 'POST', body, headers: { cookie: who, ...(key ? { 'idempotency-key': key } : {}) } });
const FINDING = { outcome: 'resumed', note: '夜间复产，私接电线' };
const photosOf = (subject: 'revisit' | 'patrol_finding', id: number) =>
  ctx.db
    .select()
    .from(fieldPhotos)
    .where(and(eq(fieldPhotos.subject, subject), eq(fieldPhotos.subjectId, id)))
    .all();
const revisitStatus = (id: number) => ctx.db.select().from(revisits).where(eq(revisits.id, id)).get()!.status;
const submissions = (key: string) =>
  ctx.db.select().from(fieldSubmissions).where(eq(fieldSubmissions.clientKey, key)).all();
const audits = (action: string, objectId: number) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.objectId, String(objectId))))
    .all();
const stored = (name: string) => readFileSync(join(ctx.photos.dir, name));
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;
async function doneView(id: number) {
  const rows = (
    await (await app.request('/api/admin/revisits?status=done', { headers: { cookie: cookie.zhulin } })).json()
  ).rows as { id: number; photos: Record<string, unknown>[] }[];
  return rows.find((r) => r.id === id)!.photos;
}

describe('field photos as evidence', () => {
  it('records the hash, the original bytes, the phone time, and the best position with its accuracy', async () => {
    const id = await dueRevisit();
    // The photo's own GPS beats the phone's; the phone's position for a photo beats the form's.
    const own = await cameraJpeg({ hue: 10, takenAt: new Date(T - 2 * HOUR), lat: site.lat + 0.0005, lng: site.lng });
    const bare = await cameraJpeg({ hue: 50 });
    const formOnly = await cameraJpeg({ hue: 90 });
    const far = { lat: site.lat + 0.0045, lng: site.lng, accuracy: 12.5 }; // ~500 m north
    const res = await send(
      `/api/admin/revisits/${id}`,
      fieldForm({ ...FINDING, lat: String(site.lat), lng: String(site.lng) }, [
        { data: own, meta: { ...far, takenAt: T - 2 * HOUR } },
        { data: bare, meta: { ...far, takenAt: T - 30 * HOUR } },
        { data: formOnly, meta: { takenAt: T - HOUR } },
      ]),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const rows = photosOf('revisit', id);
    expect(rows.map((r) => r.sha256)).toEqual([sha(own), sha(bare), sha(formOnly)]);
    for (const [i, data] of [own, bare, formOnly].entries()) {
      expect(rows[i]!.originalFile).toBe(`${rows[i]!.id}.orig`);
      expect(stored(rows[i]!.originalFile!).equals(data)).toBe(true);
      expect((await ctx.photos.readOriginal(rows[i]!.originalFile!)).equals(data)).toBe(true);
    }
    expect(rows[0]).toMatchObject({ exifSource: 'file', accuracyM: null, clockOffsetMs: 0 });
    expect(rows[0]!.exifLat).toBeCloseTo(site.lat + 0.0005, 5);
    expect(rows[1]).toMatchObject({ exifSource: 'browser', exifLat: far.lat, accuracyM: 12.5 });
    expect(rows[2]).toMatchObject({ exifSource: 'browser', exifLat: site.lat, accuracyM: null });
    expect(rows.map((r) => r.deviceTakenAt?.getTime())).toEqual([T - 2 * HOUR, T - 30 * HOUR, T - HOUR]);
    expect(rows.every((r) => r.createdAt.getTime() === T && r.uploadedBy === uid('zhulin'))).toBe(true);

    const view = await doneView(id);
    expect(view[0]).toMatchObject({
      sha256: sha(own),
      receivedAt: new Date(T).toISOString(),
      deviceTakenAt: new Date(T - 2 * HOUR).toISOString(),
      clockOffsetMs: 0,
      accuracyM: null,
      marks: { far: false, late: false, clockSkewed: false },
    });
    // Taken ~500 m away by the phone's position, 30 hours before it was sent by the phone's clock.
    expect(view[1]).toMatchObject({ accuracyM: 12.5, marks: { far: true, late: true, clockSkewed: false } });
    expect(view[1]!.metresFromSite).toBeGreaterThan(450);
    expect(view[2]).toMatchObject({ marks: { far: false, late: false, clockSkewed: false } });
  });

  it('marks a photo taken over a day before receipt by its EXIF time, and a phone clock >5 min off', async () => {
    const id = await dueRevisit();
    // The phone's clock is 8 minutes slow: it sent at what it thought was 09:52.
    const slow = 8 * 60_000;
    const old = await cameraJpeg({ hue: 130, takenAt: new Date(T - 30 * HOUR) });
    const recent = await cameraJpeg({ hue: 170 });
    const res = await send(
      `/api/admin/revisits/${id}`,
      fieldForm(
        FINDING,
        [
          { data: old, meta: {} },
          // 24 h 4 min before by the slow clock, 23 h 56 min once corrected: not late.
          { data: recent, meta: { takenAt: T - slow - 24 * HOUR + 4 * 60_000 } },
        ],
        T - slow,
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(photosOf('revisit', id).map((r) => r.clockOffsetMs)).toEqual([slow, slow]);
    const view = await doneView(id);
    expect(view[0]).toMatchObject({ clockOffsetMs: slow, marks: { late: true, clockSkewed: true } });
    expect(view[0]!.takenBeforeReceiptMs).toBe(30 * HOUR);
    expect(view[1]).toMatchObject({ deviceTakenAt: expect.any(String), marks: { late: false, clockSkewed: true } });
    expect(view[1]!.takenBeforeReceiptMs).toBe(24 * HOUR - 4 * 60_000);
  });

  it('reads EVIDENCE_LATE_HOURS from the configuration, 24 unless set', () => {
    expect(evidenceRules(parseEnv({})).lateMs).toBe(24 * HOUR);
    expect(evidenceRules(parseEnv({ EVIDENCE_LATE_HOURS: '6' })).lateMs).toBe(6 * HOUR);
    expect(() => parseEnv({ EVIDENCE_LATE_HOURS: 'soon' })).toThrow(/EVIDENCE_LATE_HOURS/);
  });
});

describe('photos damaged on the way, and malformed photoMeta', () => {
  it('refuses a photo whose bytes are not those the phone hashed: 400 naming it, nothing saved or left', async () => {
    const id = await dueRevisit();
    const key = randomUUID();
    const files = photoFiles(ctx).sort();
    const good = await cameraJpeg({ hue: 200 });
    const sent = await cameraJpeg({ hue: 220 });
    const hashedOnPhone = await cameraJpeg({ hue: 221 });
    const res = await send(
      `/api/admin/revisits/${id}`,
      fieldForm(FINDING, [
        { data: good, meta: {} },
        { data: sent, meta: { sha256: sha(hashedOnPhone) } },
      ]),
      key,
    );
    expect(res.status).toBe(400);
    expect(await message(res)).toBe('第 2 张照片在传输中损坏（校验值不符），请重新上传');
    expect(photosOf('revisit', id)).toEqual([]);
    expect(revisitStatus(id)).toBe('scheduled');
    expect(photoFiles(ctx).sort()).toEqual(files);
    expect(submissions(key)).toEqual([]); // a refusal is not the answer to keep: the same key may be sent again

    const again = await send(
      `/api/admin/revisits/${id}`,
      fieldForm(FINDING, [
        { data: good, meta: {} },
        { data: sent, meta: {} },
      ]),
      key,
    );
    expect(again.status, await again.clone().text()).toBe(200);
    expect(photosOf('revisit', id)).toHaveLength(2);
  });

  it('refuses photoMeta not one per photo, or malformed, and a bad key or sentAt, naming the field', async () => {
    const id = await dueRevisit();
    const files = photoFiles(ctx).sort();
    const a = await cameraJpeg({ hue: 240 });
    const b = await cameraJpeg({ hue: 260 });
    const raw = (metas: string[], extra: Record<string, string> = {}) => {
      const f = new FormData();
      for (const [k, v] of Object.entries({ ...FINDING, ...extra })) f.append(k, v);
      for (const [i, data] of [a, b].entries())
        f.append('photos', new Blob([new Uint8Array(data)], { type: 'image/jpeg' }), `p${i}.jpg`);
      for (const m of metas) f.append('photoMeta', m);
      return f;
    };
    const meta = (over: Record<string, unknown>) => JSON.stringify({ sha256: sha(a), ...over });
    const cases: [FormData, string | RegExp, string?][] = [
      [raw([meta({})]), '照片校验信息（photoMeta）应与照片一一对应：收到 2 张照片、1 条校验信息'],
      [raw([meta({}), meta({}), meta({})]), /收到 2 张照片、3 条校验信息/],
      [raw(['{"sha256":', meta({})]), '第 1 张照片的校验信息（photoMeta）不是有效的 JSON'],
      [raw([meta({}), '[]']), '第 2 张照片的校验信息（photoMeta）有误：应为一个 JSON 对象'],
      [
        raw([meta({ sha256: sha(a).toUpperCase() }), meta({})]),
        /^第 1 张.+有误：校验值（sha256）应为 64 位小写十六进制$/,
      ],
      [raw([JSON.stringify({ takenAt: T }), meta({})]), /^第 1 张.+有误：缺少校验值（sha256）$/],
      [raw([meta({}), meta({ lat: 30.2 })]), /^第 2 张.+有误：纬度（lat）和经度（lng）须同时提供$/],
      [raw([meta({ lng: 'east' }), meta({})]), /经度（lng）应为数字/],
      [raw([meta({ accuracy: -3 }), meta({})]), /有误：定位精度（accuracy）超出范围$/],
      [raw([meta({ takenAt: 12 }), meta({})]), /拍摄时间（takenAt）超出范围/],
      [raw([], { sentAt: 'yesterday' }), '发送时间（sentAt）应为毫秒数'],
      [raw([]), 'Idempotency-Key 格式无效', 'short-key'],
      [raw([]), 'Idempotency-Key 格式无效', `${'k'.repeat(40)}/..`],
    ];
    for (const [body, expected, key] of cases) {
      const res = await send(`/api/admin/revisits/${id}`, body, key);
      expect(res.status, String(expected)).toBe(400);
      expect(await message(res)).toMatch(expected);
    }
    expect(photosOf('revisit', id)).toEqual([]);
    expect(revisitStatus(id)).toBe('scheduled');
    expect(photoFiles(ctx).sort()).toEqual(files);
  });
});

describe('Idempotency-Key: sent again, saved once', () => {
  it('answers a retry as the first time, with one set of rows and files; a key is the user’s and save’s', async () => {
    const id = await dueRevisit();
    const key = randomUUID();
    const photos = [await cameraJpeg({ hue: 280 }), await cameraJpeg({ hue: 300 })];
    const body = () =>
      fieldForm(
        FINDING,
        photos.map((data) => ({ data, meta: {} })),
      );
    const files = photoFiles(ctx).length;
    const first = await send(`/api/admin/revisits/${id}`, body(), key);
    expect(first.status, await first.clone().text()).toBe(200);
    const answer = await first.json();
    expect(answer).toMatchObject({ photos: 2, followUpTaskId: expect.any(Number) });
    for (let i = 0; i < 2; i++) {
      const again = await send(`/api/admin/revisits/${id}`, body(), key);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(answer);
    }
    // The stored answer comes before any photo is looked at: a retry's photos are not processed again.
    const unread = fieldForm(FINDING, [{ data: Buffer.from('not a photo at all') }]);
    const skipped = await send(`/api/admin/revisits/${id}`, unread, key);
    expect(skipped.status).toBe(200);
    expect(await skipped.json()).toEqual(answer);
    expect(photosOf('revisit', id)).toHaveLength(2);
    expect(photoFiles(ctx).length).toBe(files + 6); // display, thumbnail and original of each
    expect(audits('revisit.record', id)).toHaveLength(1);
    expect(submissions(key)).toMatchObject([{ userId: uid('zhulin'), result: { answer } }]);
    // Without the key, the same request is a second save, refused as the work moved on.
    const unkeyed = await send(`/api/admin/revisits/${id}`, body());
    expect(unkeyed.status).toBe(409);

    // The same key for another save is a mistake, not that save's answer; another officer's key is his own.
    const other = await dueRevisit();
    const reused = await send(`/api/admin/revisits/${other}`, fieldForm({ outcome: 'fine', note: '无异常' }, []), key);
    expect(reused.status).toBe(409);
    expect(await message(reused)).toBe('Idempotency-Key 已用于另一项提交，请勿重复使用');
    expect(revisitStatus(other)).toBe('scheduled');
    const his = await send(
      `/api/admin/revisits/${other}`,
      fieldForm({ outcome: 'fine', note: '无异常' }, []),
      key,
      cookie.cun2,
    );
    expect(his.status, await his.clone().text()).toBe(200);
    expect(revisitStatus(other)).toBe('done');
  });

  it('two requests at once with one key: one save, and both get its answer', async () => {
    const id = await dueRevisit();
    const key = randomUUID();
    const photos = [await cameraJpeg({ hue: 320 }), await cameraJpeg({ hue: 340 })];
    const body = () =>
      fieldForm(
        FINDING,
        photos.map((data) => ({ data, meta: {} })),
      );
    const files = photoFiles(ctx).length;
    const [a, b] = await Promise.all([
      send(`/api/admin/revisits/${id}`, body(), key),
      send(`/api/admin/revisits/${id}`, body(), key),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual(await b.json());
    expect(photosOf('revisit', id)).toHaveLength(2);
    expect(photoFiles(ctx).length).toBe(files + 6);
    expect(photoFiles(ctx).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(audits('revisit.record', id)).toHaveLength(1);
  });

  it('keys task evidence (201), a patrol whose photos come out of order, and a save without photos', async () => {
    // Task evidence answers 201; its retry gets the same status and body.
    const enterpriseId = await enterpriseAt('钱氏废塑料作坊');
    const made = await app.request('/api/admin/tasks', {
      method: 'POST',
      ...json(
        { enterpriseId, type: 'shutdown', villageLead: '李村长', townshipLead: '王镇长', dueOn: '2026-07-01' },
        cookie.office,
      ),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    const taskId = (await made.json()).id as number;
    const task = await (await app.request(`/api/admin/tasks/${taskId}`, { headers: { cookie: cookie.zhulin } })).json();
    const itemId = task.items[0].id as number;
    const key = randomUUID();
    const photo = await cameraJpeg({ hue: 20, takenAt: new Date(T - 10 * 60_000) });
    const evidence = () =>
      send(
        `/api/admin/tasks/${taskId}/items/${itemId}/evidence`,
        fieldForm({ note: '现场已断电，拍照为证' }, [{ data: photo, meta: { takenAt: T - 10 * 60_000 } }], T - HOUR),
        key,
      );
    const first = await evidence();
    expect(first.status, await first.clone().text()).toBe(201);
    const again = await evidence();
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(await first.json());
    const rows = ctx.db.select().from(taskEvidence).where(eq(taskEvidence.taskId, taskId)).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sha256: sha(photo), clockOffsetMs: HOUR, originalFile: `${rows[0]!.id}.orig` });
    expect(stored(rows[0]!.originalFile!).equals(photo)).toBe(true);
    const shown = await (
      await app.request(`/api/admin/tasks/${taskId}`, { headers: { cookie: cookie.zhulin } })
    ).json();
    expect(shown.items[0].evidence[0]).toMatchObject({
      sha256: sha(photo),
      clockOffsetMs: HOUR,
      marks: { far: false, late: false, clockSkewed: true },
    });

    // A patrol whose second finding's photo comes first in the form: each photoMeta follows its photo.
    const first0 = await cameraJpeg({ hue: 60 });
    const second = await cameraJpeg({ hue: 80 });
    const patrolKey = randomUUID();
    const patrol = () =>
      send(
        '/api/admin/patrols',
        fieldForm(
          {
            startedAt: '2026-06-01T21:00',
            endedAt: '2026-06-01T23:30',
            area: '竹林村工业区块',
            participantIds: [uid('zhulin'), uid('cun2')].join(','),
            'findings.0.note': '塑料作坊夜间开工',
            'findings.1.note': '河边有异味',
          },
          [
            { data: second, field: 'findings.1.photos', meta: { accuracy: 30, lat: site.lat, lng: site.lng } },
            { data: first0, field: 'findings.0.photos', meta: { accuracy: 5, lat: site.lat, lng: site.lng } },
          ],
        ),
        patrolKey,
      );
    const made1 = await patrol();
    expect(made1.status, await made1.clone().text()).toBe(201);
    const patrolId = (await made1.json()).id as number;
    const again1 = await patrol();
    expect(await again1.json()).toEqual({ id: patrolId });
    const detail = await (
      await app.request(`/api/admin/patrols/${patrolId}`, { headers: { cookie: cookie.zhulin } })
    ).json();
    expect(detail.findings).toHaveLength(2);
    expect(detail.findings.map((f: { photos: { sha256: string; accuracyM: number }[] }) => f.photos)).toMatchObject([
      [{ sha256: sha(first0), accuracyM: 5 }],
      [{ sha256: sha(second), accuracyM: 30 }],
    ]);

    // A revisit found fine, sent as JSON with no photos: once.
    const id = await dueRevisit();
    const fineKey = randomUUID();
    const fine = () =>
      app.request(`/api/admin/revisits/${id}`, {
        method: 'POST',
        ...json({ outcome: 'fine', note: '现场无异常', sentAt: T }, cookie.zhulin, { 'idempotency-key': fineKey }),
      });
    const r1 = await fine();
    expect(r1.status, await r1.clone().text()).toBe(200);
    const r2 = await fine();
    expect(r2.status).toBe(200);
    expect(await r2.json()).toEqual(await r1.json());
    expect(audits('revisit.record', id)).toHaveLength(1);
  });
});

describe('交办: an answer and a department’s record sent twice', () => {
  it('saves each once and answers the retry as the first time (201 for a record)', async () => {
    const filed = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({ lat: String(site.lat), lng: String(site.lng) }),
    });
    expect(filed.status, await filed.clone().text()).toBe(201);
    const { trackingCode } = await filed.json();
    const complaintId = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!.id;
    const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get()!.id;
    for (const body of [{ action: 'accept' }, { action: 'assign', villageId: ZHULIN, departmentIds: [eco] }]) {
      const version = ctx.db.select().from(complaints).where(eq(complaints.id, complaintId)).get()!.version;
      const res = await app.request(`/api/admin/complaints/${complaintId}/actions`, {
        method: 'POST',
        ...json({ version, ...body }, cookie.office),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const [village, department] = ctx.db
      .select()
      .from(assignments)
      .where(eq(assignments.complaintId, complaintId))
      .orderBy(assignments.id)
      .all();
    const eco1 = signIn(ctx, 'shengtai');
    for (const [item, who] of [
      [village!, cookie.zhulin],
      [department!, eco1],
    ] as const) {
      const res = await app.request(`/api/admin/assignments/${item.id}/actions`, {
        method: 'POST',
        ...json({ action: 'acknowledge', version: item.version }, who),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }

    const version = ctx.db.select().from(assignments).where(eq(assignments.id, village!.id)).get()!.version;
    const photo = await cameraJpeg({ hue: 140, lat: site.lat, lng: site.lng });
    const key = randomUUID();
    const answer = () =>
      send(
        `/api/admin/assignments/${village!.id}/answer`,
        fieldForm({ version: String(version), outcome: 'stopped', finding: '现场已停产，设备已断电' }, [
          { data: photo, meta: { takenAt: T - 60_000 } },
        ]),
        key,
      );
    const first = await answer();
    expect(first.status, await first.clone().text()).toBe(200);
    const again = await answer();
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const answered = ctx.db
      .select()
      .from(fieldPhotos)
      .where(and(eq(fieldPhotos.subject, 'assignment'), eq(fieldPhotos.subjectId, village!.id)))
      .all();
    expect(answered).toMatchObject([{ sha256: sha(photo), exifSource: 'file' }]);

    const recordKey = randomUUID();
    const record = () =>
      send(
        `/api/admin/assignments/${department!.id}/records`,
        fieldForm({ kind: 'case_opened', documentNumber: '青环立〔2026〕7号', actedOn: '2026-06-01' }, []),
        recordKey,
        eco1,
      );
    const r1 = await record();
    expect(r1.status, await r1.clone().text()).toBe(201);
    const r2 = await record();
    expect(r2.status).toBe(201);
    expect(await r2.json()).toEqual(await r1.json());
    expect(
      ctx.db.select().from(departmentActions).where(eq(departmentActions.assignmentId, department!.id)).all(),
    ).toHaveLength(1);
  });
});

describe('an upload cut off half-way, then sent again', () => {
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    server = await listen(ctx);
  });
  afterAll(() => server.close());

  /** The exact bytes a phone would send: a multipart body and its headers. */
  async function request(id: number, key: string, photos: Buffer[]) {
    const req = new Request('http://portal/', {
      method: 'POST',
      body: fieldForm(
        FINDING,
        photos.map((data) => ({ data, meta: { takenAt: T - 5 * 60_000 } })),
      ),
    });
    const body = Buffer.from(await req.arrayBuffer());
    const headers = {
      host: `127.0.0.1:${server.port}`,
      cookie: cookie.zhulin,
      'idempotency-key': key,
      'content-type': req.headers.get('content-type')!,
      'content-length': String(body.length),
    };
    return { path: `/api/admin/revisits/${id}`, headers, body };
  }
  /** Sends the head and the first `bytes` of the body on a raw connection, then drops it. */
  function cutOff(r: Awaited<ReturnType<typeof request>>, bytes: number) {
    return new Promise<void>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        const head = Object.entries(r.headers).map(([k, v]) => `${k}: ${v}\r\n`);
        socket.write(`POST ${r.path} HTTP/1.1\r\n${head.join('')}\r\n`);
        socket.write(r.body.subarray(0, bytes), () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
  }

  it('keeps one copy, its hash that of the bytes the phone sent and of the original kept', async () => {
    const id = await dueRevisit();
    const key = randomUUID();
    // Big enough that half of the body stops inside the second photo.
    const photos = [await cameraJpeg({ hue: 15 }), await cameraJpeg({ hue: 35 })];
    const r = await request(id, key, photos);
    const files = photoFiles(ctx).length;
    const secondPhotoAt = r.body.indexOf(photos[1]!);
    expect(secondPhotoAt).toBeGreaterThan(0);
    await cutOff(r, secondPhotoAt + Math.floor(photos[1]!.length / 2));

    const res = await rawPost(server.port, r.path, r.headers, [r.body]);
    expect(res.status, res.body).toBe(200);
    const answer = JSON.parse(res.body);
    const rows = photosOf('revisit', id);
    expect(rows.map((p) => p.sha256)).toEqual(photos.map(sha));
    for (const row of rows) expect(sha(stored(row.originalFile!))).toBe(row.sha256);
    expect(photoFiles(ctx).length).toBe(files + 6);
    expect(photoFiles(ctx).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Sent whole but its answer lost (the connection dropped as the server saved): the retry gets that answer.
    const id2 = await dueRevisit();
    const key2 = randomUUID();
    const r2 = await request(id2, key2, [await cameraJpeg({ hue: 55 })]);
    await cutOff(r2, r2.body.length);
    await expect.poll(() => submissions(key2).length, { timeout: 30_000 }).toBe(1);
    const retry = await rawPost(server.port, r2.path, r2.headers, [r2.body]);
    expect(retry.status, retry.body).toBe(200);
    expect(JSON.parse(retry.body)).toEqual((submissions(key2)[0]!.result as { answer: unknown }).answer);
    expect(photosOf('revisit', id2)).toHaveLength(1);
    expect(photoFiles(ctx).length).toBe(files + 9);
    expect(answer).toMatchObject({ photos: 2 });
  });
});

describe('what the reviewer sees on the pages', () => {
  let site2: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site2 = await listenWithPages(ctx);
  });
  afterAll(() => site2.close());
  const page = async (path: string) => {
    const res = await fetch(`${site2.base}${path}`, { headers: { cookie: cookie.zhulin } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('shows each photo’s source, times, hash and marks on the revisit list and the task page', async () => {
    const id = await dueRevisit();
    const old = await cameraJpeg({ hue: 5, takenAt: new Date(T - 30 * HOUR), lat: site.lat, lng: site.lng });
    const phone = await cameraJpeg({ hue: 25 });
    const none = await cameraJpeg({ hue: 45 });
    const res = await send(
      `/api/admin/revisits/${id}`,
      fieldForm(
        FINDING,
        [
          { data: old, meta: {} },
          { data: phone, meta: { lat: site.lat, lng: site.lng, accuracy: 12.6, takenAt: T - 8 * 60_000 - HOUR } },
          { data: none, meta: {} },
        ],
        T - 8 * 60_000,
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const html = await page('/admin/revisits?status=done');
    const item = html.slice(html.indexOf(`id="revisit-${id}"`));
    const mine = item.slice(0, item.indexOf('</li>'));
    for (const text of ['照片自带定位', '手机定位 ±13 米', '无定位', '拍摄于上传前 30 小时', '手机时钟偏差 8 分钟'])
      expect(mine).toContain(text);
    expect(mine).toContain('比服务器慢 8 分钟');
    for (const data of [old, phone, none]) {
      expect(mine).toContain(`<code title="${sha(data)}">${sha(data).slice(0, 12)}</code>`);
      expect(mine).toContain(`<code class="hash">${sha(data)}</code>`);
    }
    // The phone's own time is shown where the photo has none of its own.
    expect(mine).toMatch(/手机时间<\/dt>\s*<dd>[^<]*（手机时钟）/);

    // A checklist line's evidence on the task page, sent by a phone an hour fast.
    const enterpriseId = await enterpriseAt('孙氏五金作坊');
    const made = await app.request('/api/admin/tasks', {
      method: 'POST',
      ...json(
        { enterpriseId, type: 'shutdown', villageLead: '李村长', townshipLead: '王镇长', dueOn: '2026-07-01' },
        cookie.office,
      ),
    });
    const taskId = (await made.json()).id as number;
    const task = await (await app.request(`/api/admin/tasks/${taskId}`, { headers: { cookie: cookie.zhulin } })).json();
    const photo = await cameraJpeg({ hue: 65 });
    const up = await send(
      `/api/admin/tasks/${taskId}/items/${task.items[0].id}/evidence`,
      fieldForm(
        { note: '已断电，拍照为证' },
        [{ data: photo, meta: { accuracy: 4, lat: site.lat, lng: site.lng } }],
        T + HOUR,
      ),
    );
    expect(up.status, await up.clone().text()).toBe(201);
    const taskPage = await page(`/admin/tasks/${taskId}`);
    for (const text of [
      '手机定位 ±4 米',
      '手机时钟偏差 60 分钟',
      '比服务器快 60 分钟',
      `<code class="hash">${sha(photo)}</code>`,
    ])
      expect(taskPage).toContain(text);
  });
});
