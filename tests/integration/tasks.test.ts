import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { complaints } from '../../db/schema.ts';
import { enterprises, revisits, tasks } from '../../db/schema-enforcement.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

const DAY = 86_400_000;
let now = Date.parse('2026-11-02T02:00:00Z');
const { ctx, app } = await freshContext({ REVISIT_DAYS: '30,90,180' }, { now: () => now });
// The clock jumps months ahead: each request signs in afresh rather than outliving its session.
const OFFICE = 'shouli',
  ZHULIN_OFFICER = 'zhulin';
const cookie = (user: string) => signIn(ctx, user);

const post = (path: string, body: unknown, user = OFFICE) =>
  app.request(path, { method: 'POST', ...json(body, cookie(user)) });
const task = (id: number) => ctx.db.select().from(tasks).where(eq(tasks.id, id)).get()!;
const detail = async (id: number, user = OFFICE) =>
  (await app.request(`/api/admin/tasks/${id}`, { headers: { cookie: cookie(user) } })).json();
const act = (id: number, body: Record<string, unknown>, user = OFFICE) =>
  post(`/api/admin/tasks/${id}/actions`, { version: task(id).version, ...body }, user);

async function fileAccepted(description: string) {
  const { trackingCode } = await (
    await app.request('/api/complaints', { method: 'POST', body: reportForm({ description }) })
  ).json();
  const c = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  expect((await post(`/api/admin/complaints/${c.id}/actions`, { action: 'accept', version: c.version })).status).toBe(
    200,
  );
  return { id: c.id, code: trackingCode as string };
}
async function newEnterprise(name: string, complaintIds: number[] = []) {
  const res = await post('/api/admin/enterprises', {
    name,
    personInCharge: name.slice(0, 2),
    lat: ZHULIN.lat,
    lng: ZHULIN.lng,
    address: '竹林村三组',
    complaintIds,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()).id as number;
}
async function upload(taskId: number, itemId: number, user = ZHULIN_OFFICER, photos = 1) {
  const form = new FormData();
  form.append('note', '现场已断开，拍照为证');
  for (let i = 0; i < photos; i++)
    form.append(
      'photos',
      new Blob([new Uint8Array(await demoPhoto({ hue: 10 * i }))], { type: 'image/jpeg' }),
      'p.jpg',
    );
  return app.request(`/api/admin/tasks/${taskId}/items/${itemId}/evidence`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookie(user) },
  });
}
/** A revisit's outcome with a photo of what was found, as the phone sends it. */
async function revisitWithPhoto(id: number, fields: Record<string, string>) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photos', new Blob([new Uint8Array(await demoPhoto({ hue: 120 }))], { type: 'image/jpeg' }), 'p.jpg');
  return app.request(`/api/admin/revisits/${id}`, {
    method: 'POST',
    body: form,
    headers: { cookie: cookie(ZHULIN_OFFICER) },
  });
}
const shutdown = (enterpriseId: number, extra: Record<string, unknown> = {}) =>
  post('/api/admin/tasks', {
    enterpriseId,
    type: 'shutdown',
    villageLead: '李村长',
    townshipLead: '王镇长',
    dueOn: '2026-12-01',
    ...extra,
  });

describe('enforcement tasks', () => {
  it('names unlicensed workshops by the rule of seed 002', async () => {
    const res = await post('/api/admin/enterprises', {
      name: '塑料加工厂',
      personInCharge: '张三',
      lat: ZHULIN.lat,
      lng: ZHULIN.lng,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('负责人姓名+经营内容+作坊');
    const licensed = await post('/api/admin/enterprises', {
      name: '青溪塑料有限公司',
      businessLicence: true,
      lat: ZHULIN.lat,
      lng: ZHULIN.lng,
    });
    expect(licensed.status).toBe(201);
    // % and _ in a search are characters, not wildcards.
    expect(
      (
        await post('/api/admin/enterprises', {
          name: '青溪100%再生塑料有限公司',
          businessLicence: true,
          industry: 'PVC_管材',
          lat: ZHULIN.lat,
          lng: ZHULIN.lng,
        })
      ).status,
    ).toBe(201);
    const search = async (q: string) =>
      (
        await (
          await app.request(`/api/admin/enterprises?q=${encodeURIComponent(q)}`, {
            headers: { cookie: cookie(OFFICE) },
          })
        ).json()
      ).rows.map((r: { name: string }) => r.name);
    expect(await search('100%')).toEqual(['青溪100%再生塑料有限公司']);
    expect(await search('C_管')).toEqual(['青溪100%再生塑料有限公司']);
    expect(await search('青溪_')).toEqual([]);
    for (const [fields, message] of [
      [{ licenceIssuedOn: '2999-01-01' }, '营业执照核发时间不在合理范围内'],
      [{ landArea: 100, stateLandArea: 300, collectiveLandArea: 200 }, '不能大于占地面积'],
      [{ buildingArea: 50, illegalBuildingArea: 80 }, '违法建筑面积不能大于建筑面积'],
      [{ workers: -3 }, '从业人数不能为负'],
    ] as const) {
      const res = await post('/api/admin/enterprises', {
        name: '青溪橡胶有限公司',
        businessLicence: true,
        lat: ZHULIN.lat,
        lng: ZHULIN.lng,
        ...fields,
      });
      expect(res.status, message).toBe(400);
      expect((await res.json()).error.message).toContain(message);
    }
  });

  it('gives a shutdown the 两断三清 checklist, and refuses submission while an item lacks evidence', async () => {
    const ent = await newEnterprise('张三塑料造粒作坊');
    const res = await shutdown(ent, { optionalItems: ['restore_land'] });
    expect(res.status).toBe(201);
    const id = (await res.json()).id;
    const t = await detail(id);
    expect(t.items.map((i: { label: string }) => i.label)).toEqual([
      '断水',
      '断电',
      '清除原料',
      '清除产品',
      '清除设备',
      '恢复地貌',
    ]);
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, ent)).get()!.status).toBe('in_progress');
    expect((await shutdown(ent)).status).toBe(409); // one active task per enterprise

    for (const item of t.items.slice(0, 5)) expect((await upload(id, item.id)).status).toBe(201);
    const refused = await act(id, { action: 'submit' }, ZHULIN_OFFICER);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.message).toContain('恢复地貌');
    expect(task(id).status).toBe('open');
    // Evidence needs a photo and a note.
    const noPhoto = new FormData();
    noPhoto.append('note', '已恢复');
    expect(
      (
        await app.request(`/api/admin/tasks/${id}/items/${t.items[5].id}/evidence`, {
          method: 'POST',
          body: noPhoto,
          headers: { cookie: cookie(ZHULIN_OFFICER) },
        })
      ).status,
    ).toBe(400);
    expect((await upload(id, t.items[5].id)).status).toBe(201);
    expect((await act(id, { action: 'submit' }, ZHULIN_OFFICER)).status).toBe(200);
    expect(task(id).status).toBe('submitted');
    expect((await upload(id, t.items[0].id)).status).toBe(400); // no more evidence once submitted
  });

  it('lets only the office accept; a return goes back to the village with the reason', async () => {
    const ent = await newEnterprise('李四废品回收作坊');
    const id = (await (await shutdown(ent)).json()).id;
    for (const item of (await detail(id)).items) await upload(id, item.id);
    expect((await act(id, { action: 'submit' }, ZHULIN_OFFICER)).status).toBe(200);
    expect((await act(id, { action: 'accept' }, ZHULIN_OFFICER)).status).toBe(403);
    const noReason = await act(id, { action: 'return' });
    expect(noReason.status).toBe(400);
    const power = (await detail(id)).items.find((i: { code: string }) => i.code === 'cut_power');
    expect((await act(id, { action: 'return', reason: '断电照片看不清电表', redoItemIds: [power.id] })).status).toBe(
      200,
    );
    const back = await detail(id, ZHULIN_OFFICER);
    expect(back.status).toBe('open');
    expect(back.returnCount).toBe(1);
    expect(back.events[0].note).toBe('断电照片看不清电表');
    expect(back.missing).toEqual(['断电']); // only that line is to be done again; its old photo stays
    expect(back.items.find((i: { code: string }) => i.code === 'cut_power').evidence).toHaveLength(1);
    expect((await act(id, { action: 'submit' }, ZHULIN_OFFICER)).status).toBe(400);
    expect((await upload(id, power.id)).status).toBe(201);
    expect((await act(id, { action: 'submit' }, ZHULIN_OFFICER)).status).toBe(200);
  });

  it('acceptance resolves the linked complaints, tells the reporter, sets revisits at 30, 90, 180 days', async () => {
    const c1 = await fileAccepted('王五家后院在熔铅，味道很重');
    const c2 = await fileAccepted('王五的作坊晚上还在开工');
    const ent = await newEnterprise('王五熔铅作坊', [c1.id]);
    const id = (await (await shutdown(ent, { complaintIds: [c1.id, c2.id] })).json()).id;
    expect(ctx.db.select().from(complaints).where(eq(complaints.id, c2.id)).get()!.status).toBe('assigned');
    for (const item of (await detail(id)).items) await upload(id, item.id);
    await act(id, { action: 'submit' }, ZHULIN_OFFICER);
    const acceptedAt = now;
    expect((await act(id, { action: 'accept', note: '现场核实两断三清到位' })).status).toBe(200);
    for (const c of [c1, c2]) {
      const tracked = await (await app.request(`/api/complaints/${c.code}`)).json();
      expect(tracked.status).toBe('resolved');
      expect(JSON.stringify(tracked)).toContain('通过验收');
    }
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, ent)).get()!.status).toBe('done');
    const due = ctx.db
      .select()
      .from(revisits)
      .where(eq(revisits.enterpriseId, ent))
      .all()
      .map((r) => (r.dueAt.getTime() - acceptedAt) / DAY);
    expect(due).toEqual([30, 90, 180]);
  });

  it('a revisit finding puts the enterprise back on the dynamic list with a new task; "fine" does not', async () => {
    const ent = ctx.db.select().from(enterprises).where(eq(enterprises.name, '王五熔铅作坊')).get()!;
    const [first, second] = ctx.db.select().from(revisits).where(eq(revisits.enterpriseId, ent.id)).all();
    now += 31 * DAY;
    const list = await (
      await app.request('/api/admin/revisits', { headers: { cookie: cookie(ZHULIN_OFFICER) } })
    ).json();
    expect(list.rows.find((r: { id: number }) => r.id === first!.id).overdue).toBe(true);
    expect(list.rows.find((r: { id: number }) => r.id === second!.id).overdue).toBe(false);
    const fine = await post(
      `/api/admin/revisits/${first!.id}`,
      { outcome: 'fine', note: '厂房空置，未见生产' },
      ZHULIN_OFFICER,
    );
    expect((await fine.json()).followUpTaskId).toBeNull();
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, ent.id)).get()!.status).toBe('done');
    expect(
      (await post(`/api/admin/revisits/${first!.id}`, { outcome: 'fine', note: '再记一次' }, ZHULIN_OFFICER)).status,
    ).toBe(409);

    now += 60 * DAY;
    const found = await revisitWithPhoto(second!.id, { outcome: 'resumed', note: '夜间偷偷复产，私接电线' });
    expect(found.status).toBe(200);
    const { followUpTaskId } = await found.json();
    const follow = task(followUpTaskId);
    expect(follow).toMatchObject({
      enterpriseId: ent.id,
      type: 'shutdown',
      status: 'open',
      origin: 'revisit',
      villageLead: '李村长',
    });
    const after = ctx.db.select().from(enterprises).where(eq(enterprises.id, ent.id)).get()!;
    expect(after.revisitType).toBe(1);
    expect(after.status).toBe('in_progress');
  });

  it('a new workshop in a vacated factory gets its own file, named by the rule, and a task', async () => {
    const ent = ctx.db.select().from(enterprises).where(eq(enterprises.name, '王五熔铅作坊')).get()!;
    const third = ctx.db.select().from(revisits).where(eq(revisits.enterpriseId, ent.id)).all()[2]!;
    const badName = await post(
      `/api/admin/revisits/${third.id}`,
      { outcome: 'new_in_vacated', note: '有新租户', newEnterpriseName: '某某加工点' },
      ZHULIN_OFFICER,
    );
    expect(badName.status).toBe(400);
    const ok = await revisitWithPhoto(third.id, {
      outcome: 'new_in_vacated',
      note: '空置厂房新进驻喷漆作坊',
      newEnterpriseName: '赵六喷漆作坊',
      newPersonInCharge: '赵六',
    });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    const created = ctx.db.select().from(enterprises).where(eq(enterprises.id, body.enterpriseId)).get()!;
    expect(created).toMatchObject({
      name: '赵六喷漆作坊',
      revisitType: 3,
      villageId: ent.villageId,
      status: 'in_progress',
    });
    expect(task(body.followUpTaskId).enterpriseId).toBe(created.id);
  });

  it('refuses, writing nothing, a task naming a missing complaint, a half-valid link, an impossible date', async () => {
    const c = await fileAccepted('郑九家在河边洗砂，泥浆直接排进河里，河水发黄。');
    const ent = await newEnterprise('郑九洗砂作坊');
    const count = () => ctx.db.select().from(tasks).where(eq(tasks.enterpriseId, ent)).all().length;
    const refused = await shutdown(ent, { complaintIds: [c.id, 99_999] });
    expect(refused.status).toBe(400);
    expect(count()).toBe(0);
    expect(ctx.db.select().from(enterprises).where(eq(enterprises.id, ent)).get()!.status).toBe('listed');
    expect(ctx.db.select().from(complaints).where(eq(complaints.id, c.id)).get()!.status).toBe('accepted');
    const link = await post(`/api/admin/enterprises/${ent}/complaints`, { complaintIds: [c.id, 99_999] });
    expect(link.status).toBe(400);
    expect(
      (await (await app.request(`/api/admin/enterprises/${ent}`, { headers: { cookie: cookie(OFFICE) } })).json())
        .complaints,
    ).toEqual([]);
    for (const dueOn of ['2026-13-45', '2027-02-30', '9999-99-99']) {
      const bad = await shutdown(ent, { dueOn });
      expect(bad.status, dueOn).toBe(400);
      expect((await bad.json()).error.message).toContain('不是有效日期');
    }
    expect(count()).toBe(0);
    // Repeated ids answer the reporter once.
    const ok = await shutdown(ent, { complaintIds: [c.id, c.id, c.id], dueOn: '2099-01-01' });
    expect(ok.status).toBe(201);
    const replies = (await (await app.request(`/api/complaints/${c.code}`)).json()).timeline.filter(
      (e: { note?: string }) => e.note?.includes('已列入整治任务'),
    );
    expect(replies).toHaveLength(1);
  });

  it("tells the acceptor whether a photo's position is its own GPS or the phone's", async () => {
    const ent = await newEnterprise('褚一塑料作坊');
    const id = (await (await shutdown(ent, { dueOn: '2099-01-01' })).json()).id;
    const [water, power] = (await detail(id)).items;
    const form = new FormData();
    form.append('note', '已断水');
    form.append('lat', String(ZHULIN.lat));
    form.append('lng', String(ZHULIN.lng));
    // no GPS in the file
    form.append('photos', new Blob([new Uint8Array(await demoPhoto({ hue: 5 }))], { type: 'image/jpeg' }), 'p.jpg');
    expect(
      (
        await app.request(`/api/admin/tasks/${id}/items/${water.id}/evidence`, {
          method: 'POST',
          body: form,
          headers: { cookie: cookie(ZHULIN_OFFICER) },
        })
      ).status,
    ).toBe(201);
    const gps = new FormData();
    gps.append('note', '已断电');
    gps.append(
      'photos',
      new Blob([new Uint8Array(await demoPhoto({ hue: 9, lat: ZHULIN.lat, lng: ZHULIN.lng }))], { type: 'image/jpeg' }),
      'g.jpg',
    );
    expect(
      (
        await app.request(`/api/admin/tasks/${id}/items/${power.id}/evidence`, {
          method: 'POST',
          body: gps,
          headers: { cookie: cookie(ZHULIN_OFFICER) },
        })
      ).status,
    ).toBe(201);
    const items = (await detail(id)).items;
    expect(items[0].evidence[0].positionFrom).toBe('browser');
    expect(items[1].evidence[0].positionFrom).toBe('file');
    const bad = new FormData();
    bad.append('note', '已清除');
    bad.append('lat', 'abc');
    expect(
      (
        await (
          await app.request(`/api/admin/tasks/${id}/items/${items[2].id}/evidence`, {
            method: 'POST',
            body: bad,
            headers: { cookie: cookie(ZHULIN_OFFICER) },
          })
        ).json()
      ).error.message,
    ).toBe('手机定位的纬度无效');
  });

  it('moves open work with an enterprise that moves to another village', async () => {
    const ent = await newEnterprise('冯十喷漆作坊');
    const id = (await (await shutdown(ent, { dueOn: '2099-01-01' })).json()).id;
    const e = ctx.db.select().from(enterprises).where(eq(enterprises.id, ent)).get()!;
    const elsewhere = cellCenter(0, 1); // 上塘村
    const moved = await app.request(`/api/admin/enterprises/${ent}`, {
      method: 'PATCH',
      ...json(
        { name: e.name, personInCharge: e.personInCharge, lat: elsewhere.lat, lng: elsewhere.lng, version: e.version },
        cookie(OFFICE),
      ),
    });
    expect(moved.status).toBe(200);
    expect(task(id).villageId).not.toBe(e.villageId);
    expect((await app.request(`/api/admin/tasks/${id}`, { headers: { cookie: cookie(ZHULIN_OFFICER) } })).status).toBe(
      404,
    );
  });

  it('highlights overdue tasks on a fake clock', async () => {
    const ent = await newEnterprise('孙七洗砂作坊');
    const id = (await (await shutdown(ent, { dueOn: '2027-03-01' })).json()).id;
    const overdue = async () =>
      (
        await (await app.request('/api/admin/tasks?overdue=1', { headers: { cookie: cookie(ZHULIN_OFFICER) } })).json()
      ).rows.map((r: { id: number }) => r.id);
    expect(await overdue()).not.toContain(id);
    now = Date.parse('2027-03-01T15:59:00Z'); // 23:59 Beijing on the deadline day
    expect(await overdue()).not.toContain(id);
    now = Date.parse('2027-03-01T16:01:00Z');
    expect(await overdue()).toContain(id);
    expect((await detail(id)).overdue).toBe(true);
  });
});
