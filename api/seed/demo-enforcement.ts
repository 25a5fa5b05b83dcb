import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { enforcementConfig } from '../env.ts';
import { staffByUsername, type StaffUser } from '../domain/accounts/sessions.ts';
import { enterpriseInput } from '../domain/enforcement/enterprise-input.ts';
import { insertEnterprise } from '../domain/enforcement/enterprises.ts';
import { applyTaskAction } from '../domain/enforcement/task-actions.ts';
import { addEvidence } from '../domain/enforcement/task-evidence.ts';
import { createTask } from '../domain/enforcement/tasks.ts';
import { createDraw, drawInput } from '../domain/enforcement/draws.ts';
import { createPatrol, patrolInput } from '../domain/enforcement/patrols.ts';
import { beijingDate, DAY_MS } from '../domain/shared/time.ts';
import { taskItems, tasks } from '../../db/schema-enforcement.ts';
import { departments, villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { cellCenter } from './demo-geography.ts';
import { demoPhoto } from './demo-photo.ts';

const FILES = [
  {
    cell: [1, 0],
    dx: 0.004,
    dy: -0.003,
    stage: 'listed',
    address: '石桥村东头 3 组',
    type: 'shutdown',
    name: '张三塑料造粒作坊',
    person: '张三',
    industry: '塑料制品',
    problems: { environment: '废气未经收集直排，夜间冒黑烟', licensing: '无营业执照' },
    four: ['licence', 'environment'],
  },
  {
    cell: [0, 1],
    dx: -0.005,
    dy: 0.002,
    stage: 'working',
    address: '上塘村河埠头 12 号',
    type: 'shutdown',
    name: '李四电镀作坊',
    person: '李四',
    industry: '金属表面处理',
    problems: { environment: '含铬废水直排河道', safety: '酸洗槽无防护' },
    four: ['licence', 'safety', 'environment'],
  },
  {
    cell: [1, 1],
    dx: 0.001,
    dy: 0.001,
    stage: 'working',
    address: '竹林村 5 组 27 号',
    type: 'rectify',
    name: '王五家具加工作坊',
    person: '王五',
    industry: '木制家具',
    problems: { fire: '生产、储存、住宿“三合一”，油漆堆放在楼梯间', site: '木屑堆积' },
    four: ['safety'],
  },
  {
    cell: [2, 1],
    dx: 0.003,
    dy: 0.004,
    stage: 'accepted',
    address: '溪口村老粮站旁',
    type: 'shutdown',
    name: '赵六铸造作坊',
    person: '赵六',
    industry: '铸造',
    problems: { environment: '熔炼烟尘无处理', process: '使用淘汰的冲天炉' },
    four: ['licence', 'environment'],
  },
  {
    cell: [2, 0],
    dx: -0.004,
    dy: 0.002,
    stage: 'submitted',
    address: '青溪镇工业路 8 号',
    type: 'rectify',
    name: '青溪金属制品有限公司',
    person: '钱七',
    industry: '金属制品',
    licensed: true,
    problems: { environment: '喷涂废气收集不全' },
    four: [],
  },
] as const;

/** A demo workshop as the township office's survey records it (摸底排查). */
export interface DemoFile {
  cell: readonly [number, number];
  dx: number;
  dy: number;
  name: string;
  person: string;
  industry: string;
  address: string;
  type: 'shutdown' | 'rectify';
  problems: Record<string, string>;
  four: readonly string[];
  licensed?: boolean;
}

export function fileDemoEnterprise(ctx: AppContext, actor: StaffUser, f: DemoFile, surveyedAt: Date) {
  const c = cellCenter(f.cell[0], f.cell[1]);
  const fields = enterpriseInput.parse({
    name: f.name,
    personInCharge: f.person,
    industry: f.industry,
    lat: c.lat + f.dy,
    lng: c.lng + f.dx,
    address: f.address,
    businessLicence: f.licensed === true,
    problems: f.problems,
    fourWithouts: f.four,
    remediationType: f.type,
    surveyedBy: '镇整治办',
    surveyedOn: beijingDate(surveyedAt),
  });
  return insertEnterprise(ctx.db, actor, fields, ctx.villageAreas(), surveyedAt, 'seed');
}

/** A few enterprise files at every stage, so a fresh `npm start` shows the register, tasks and revisits working. */
export async function seedDemoEnforcement(ctx: AppContext): Promise<void> {
  const actor = staffByUsername(ctx.db, 'admin');
  if (!actor) return;
  const cfg = enforcementConfig(ctx.env);
  const start = Date.now() - 60 * DAY_MS;
  for (const [n, f] of FILES.entries()) {
    const c = cellCenter(f.cell[0], f.cell[1]);
    const at = (days: number) => new Date(start + days * DAY_MS + n * 3_600_000);
    const created = fileDemoEnterprise(ctx, actor, f, at(0));
    if (!created.ok || f.stage === 'listed') continue;
    const due = beijingDate(new Date(Date.now() + (f.stage === 'working' && n === 1 ? -3 : 20) * DAY_MS));
    const task = createTask(
      ctx.db,
      actor,
      {
        enterpriseId: created.id,
        type: f.type,
        departmentIds: [],
        villageLead: `${f.person.slice(0, 1)}村长`,
        townshipLead: '陈副镇长',
        departmentLead: '',
        // biome-ignore lint/complexity/useMathMinMax: these are ISO dates as strings, which Math.max would not compare
        dueOn: due < beijingDate(at(1)) ? beijingDate(at(1)) : due,
        measures: '',
        optionalItems: [],
        areas: Object.keys(f.problems) as never,
        complaintIds: [],
      },
      cfg,
      at(1),
    );
    if (!task.ok) continue;
    if (f.stage === 'accepted')
      ctx.db
        .update(tasks)
        .set({ dueAt: new Date(Date.now() - 30 * DAY_MS) })
        .where(eq(tasks.id, task.id))
        .run();
    const items = ctx.db.select().from(taskItems).where(eq(taskItems.taskId, task.id)).all();
    const doneCount = f.stage === 'working' ? 2 : items.length;
    for (const [k, item] of items.slice(0, doneCount).entries()) {
      const photo = await demoPhoto({ hue: 30 * k + 60 * n, lat: c.lat + f.dy, lng: c.lng + f.dx });
      await addEvidence(
        ctx,
        actor,
        task.id,
        item.id,
        { note: `${item.label}已完成，现场拍照留存` },
        [photo],
        at(5 + k),
      );
    }
    if (f.stage === 'working') continue;
    const version = () => ctx.db.select({ v: tasks.version }).from(tasks).where(eq(tasks.id, task.id)).get()!.v;
    applyTaskAction(ctx.db, actor, task.id, { action: 'submit', version: version() }, cfg, at(12));
    if (f.stage === 'accepted')
      applyTaskAction(
        ctx.db,
        actor,
        task.id,
        { action: 'accept', version: version(), note: '两断三清到位' },
        cfg,
        at(14),
      );
  }
  await seedDrawAndPatrol(ctx, actor);
}

/** One 双随机 draw and one night patrol, so those pages have something to show. */
async function seedDrawAndPatrol(ctx: AppContext, actor: StaffUser) {
  const eco = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get();
  if (eco)
    createDraw(
      ctx.db,
      actor,
      drawInput.parse({ title: '本月“双随机”抽查', seed: 'qingxi-demo', enterpriseCount: 2, departmentIds: [eco.id] }),
      new Date(Date.now() - 5 * DAY_MS),
    );
  const zhulin = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, 'qingxi-zhulin')).get();
  const found = ctx.db
    .select({ id: enterprises.id, lat: enterprises.lat, lng: enterprises.lng })
    .from(enterprises)
    .where(eq(enterprises.name, '王五家具加工作坊'))
    .get();
  const night = new Date(Date.now() - 2 * DAY_MS);
  night.setUTCHours(13, 30, 0, 0); // 21:30 Beijing
  const input = patrolInput(() => new Date()).parse({
    startedAt: night.toISOString(),
    endedAt: new Date(night.getTime() + 2 * 3_600_000).toISOString(),
    area: '竹林村、溪口村沿河一带',
    villageId: zhulin?.id,
    // The duty leader, the office and the village's grid officer, as accounts.
    participantIds: ['lingdao', 'shouli', 'zhulin'].flatMap((u) => staffByUsername(ctx.db, u)?.id ?? []),
    summary: '重点查看已关停作坊是否复产。',
    findings: found ? [{ enterpriseId: found.id, note: '22:10 仍有电锯声，已告知整改期限' }] : [],
  });
  const photo = found && (await demoPhoto({ hue: 230, lat: found.lat ?? undefined, lng: found.lng ?? undefined }));
  await createPatrol(ctx, actor, input, photo ? [[photo]] : [], new Date());
}
