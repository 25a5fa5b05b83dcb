import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { Hono } from 'hono';
import type { AppContext } from '../../api/context.ts';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { complaintPhotos, complaints, departments, townships, users, villages } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import {
  enterprises,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  revisits,
  tasks,
} from '../../db/schema-enforcement.ts';
import { reportForm } from './report.ts';
import { json, signIn } from './staff.ts';

/** One township's records, each with words of its own that no account outside it may ever be shown. */
export interface TownshipRecords {
  complaint: number;
  photo: string;
  assignment: number;
  enterprise: number;
  task: number;
  revisit: number;
  draw: number;
  patrol: number;
  secrets: string[];
}

const idOf = (ctx: AppContext, table: typeof villages | typeof departments | typeof townships, code: string) =>
  ctx.db.select({ id: table.id }).from(table).where(eq(table.code, code)).get()!.id;
const userId = (ctx: AppContext, username: string) =>
  ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()!.id;

/** 青溪镇's own 站所 and its officer (the demo has one in 石桥镇 only), so each level has an account in both. */
export async function addQingxiStation(ctx: AppContext): Promise<void> {
  const townshipId = idOf(ctx, townships, 'qingxi');
  ctx.db.insert(departments).values({ code: 'qingxi-huanbao', name: '青溪镇环保站', townshipId, sort: 101 }).run();
  const departmentId = idOf(ctx, departments, 'qingxi-huanbao');
  await createAccount(
    ctx.db,
    { id: null, label: 'test' },
    { username: 'qingxi-zhan', displayName: '青溪镇环保站小郑', role: 'department', departmentId },
  );
}

export interface TownshipAt {
  village: string;
  cell: [number, number];
  office: string;
  station: string;
  tag: string;
}
/** Where each township's records are made: a village, a cell inside it, its office, its 站所 and their words. */
export const QINGXI_AT: TownshipAt = {
  village: 'qingxi-zhulin',
  cell: [1, 1],
  office: 'shouli',
  station: 'qingxi-huanbao',
  tag: '青溪甲',
};
export const SHIQIAO_AT: TownshipAt = {
  village: 'shiqiao-shequ',
  cell: [-1, 1],
  office: 'shiqiao',
  station: 'shiqiao-huanbao',
  tag: '石桥乙',
};

/**
 * A report filed in the village (accepted and assigned to it and the township's 站所 by the township's office), an
 * enterprise file with a task the 站所 joins, a revisit, a 双随机 draw and a night patrol: all in one township.
 */
export async function townshipRecords(ctx: AppContext, app: Hono, at: TownshipAt): Promise<TownshipRecords> {
  const office = signIn(ctx, at.office);
  const post = async (path: string, body: unknown) => {
    const res = await app.request(path, { method: 'POST', ...json(body, office) });
    expect(res.status, `${at.office} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return res.json();
  };
  const village = idOf(ctx, villages, at.village);
  const station = idOf(ctx, departments, at.station);
  const point = cellCenter(...at.cell);
  const words = `${at.tag}群众反映作坊夜里冒黑烟`;
  const filed = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ lat: String(point.lat), lng: String(point.lng), description: words }, [
      await demoPhoto({ hue: 80 }),
    ]),
  });
  expect(filed.status).toBe(201);
  const code = (await filed.json()).trackingCode as string;
  const complaint = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!;
  expect(complaint.villageId).toBe(village);
  const version = () => ctx.db.select().from(complaints).where(eq(complaints.id, complaint.id)).get()!.version;
  await post(`/api/admin/complaints/${complaint.id}/actions`, { action: 'accept', version: version() });
  await post(`/api/admin/complaints/${complaint.id}/actions`, {
    action: 'assign',
    version: version(),
    villageId: village,
    departmentIds: [station],
  });
  const name = `${at.tag}塑料造粒作坊`,
    address = `${at.tag}秘址巷 9 号`;
  const { id: enterprise } = await post('/api/admin/enterprises', {
    name,
    personInCharge: at.tag,
    address,
    lat: point.lat + 0.001,
    lng: point.lng,
  });
  const { id: task } = await post('/api/admin/tasks', {
    enterpriseId: enterprise,
    type: 'shutdown',
    villageLead: '村长',
    townshipLead: '镇长',
    departmentLead: '站长',
    dueOn: '2099-01-01',
    departmentIds: [station],
  });
  const revisit = ctx.db
    .insert(revisits)
    .values({ enterpriseId: enterprise, villageId: village, dueAt: new Date(), status: 'scheduled' })
    .returning()
    .get().id;
  const townshipId = ctx.db.select().from(villages).where(eq(villages.id, village)).get()!.townshipId;
  const drawTitle = `${at.tag}本月双随机抽查`;
  const draw = ctx.db
    .insert(inspectionDraws)
    .values({
      title: drawTitle,
      seed: at.tag,
      filters: {},
      townshipId,
      enterpriseCount: 1,
      inspectorsPerDepartment: 0,
      candidateEnterpriseIds: [enterprise],
      candidateInspectors: {},
      drawnEnterpriseIds: [enterprise],
      drawnInspectorIds: [],
      createdBy: userId(ctx, at.office),
      createdAt: new Date(),
    })
    .returning()
    .get().id;
  ctx.db.insert(inspectionDrawItems).values({ drawId: draw, enterpriseId: enterprise }).run();
  const area = `${at.tag}沿河夜查区域`;
  const patrol = ctx.db
    .insert(nightPatrols)
    .values({
      startedAt: new Date(Date.now() - 7_200_000),
      endedAt: new Date(Date.now() - 3_600_000),
      area,
      villageId: village,
      townshipId,
      participants: ['甲', '乙'],
      createdBy: userId(ctx, at.office),
    })
    .returning()
    .get().id;
  return {
    complaint: complaint.id,
    photo: ctx.db.select().from(complaintPhotos).where(eq(complaintPhotos.complaintId, complaint.id)).get()!.id,
    assignment: ctx.db.select().from(assignments).where(eq(assignments.complaintId, complaint.id)).get()!.id,
    enterprise,
    task,
    revisit,
    draw,
    patrol,
    secrets: [words, name, address, drawTitle, area],
  };
}

/** Every version a change would bump: a refused request must leave all as they were. */
export const versionsOf = (ctx: AppContext, r: TownshipRecords) => ({
  complaint: ctx.db.select().from(complaints).where(eq(complaints.id, r.complaint)).get()!.version,
  assignment: ctx.db.select().from(assignments).where(eq(assignments.id, r.assignment)).get()!.version,
  enterprise: ctx.db.select().from(enterprises).where(eq(enterprises.id, r.enterprise)).get()!.version,
  task: ctx.db.select().from(tasks).where(eq(tasks.id, r.task)).get()!.version,
  revisit: ctx.db.select().from(revisits).where(eq(revisits.id, r.revisit)).get()!.status,
});
