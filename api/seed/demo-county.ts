import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { enforcementConfig } from '../env.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { submitComplaint } from '../domain/complaints/submit.ts';
import { createTask } from '../domain/enforcement/tasks.ts';
import { beijingDate, DAY_MS } from '../domain/shared/time.ts';
import { inspectionDraws, nightPatrols } from '../../db/schema-enforcement.ts';
import { complaints, townships } from '../../db/schema.ts';
import { cellCenter, westEdgeMiddle } from './demo-geography.ts';
import { fileDemoEnterprise, type DemoFile } from './demo-enforcement.ts';

// ~48 m at this latitude: west of 青溪镇's west border, inside 石桥镇's 东村, within BORDER_METRES of the border.
const BORDER_OFFSET_LNG = 0.0005;

const REPORTS = [
  {
    at: () => {
      const p = westEdgeMiddle(0, 0);
      return { lat: p.lat, lng: p.lng - BORDER_OFFSET_LNG };
    },
    border: 'qingxi',
    category: 'air',
    days: 2,
    text: '东村和青溪镇下塘村交界的路边有个废旧轮胎炼油点，晚上冒黑烟，两边都说不归自己管。',
  },
  {
    at: () => cellCenter(-2, 1),
    category: 'water',
    days: 5,
    text: '北山村山脚下的小酸洗作坊把废酸倒进水沟，沟边的草都枯了。',
  },
  {
    at: () => cellCenter(1, -1),
    category: 'noise',
    days: 3,
    text: '迎宾社区菜场后面的小五金冲压作坊半夜还在冲压，居民睡不着。',
  },
  {
    at: () => cellCenter(2, -1),
    category: 'waste',
    days: 1,
    text: '东苑社区拆迁空地上有人分拣废旧电路板，满地碎渣。',
  },
] as const;

const FILE = {
  dx: -0.002,
  dy: 0.002,
  type: 'shutdown',
  problems: { environment: '无污染防治设施' },
  four: ['licence', 'environment'],
} as const;
const FILES: (DemoFile & { task: boolean })[] = [
  {
    ...FILE,
    cell: [-1, 0],
    name: '孙八轮胎翻新作坊',
    person: '孙八',
    industry: '橡胶制品',
    address: '东村 2 组 6 号',
    task: true,
  },
  {
    ...FILE,
    cell: [-2, 1],
    name: '周九酸洗作坊',
    person: '周九',
    industry: '金属表面处理',
    address: '北山村山脚',
    task: false,
  },
  {
    ...FILE,
    cell: [1, -1],
    name: '吴十五金冲压作坊',
    person: '吴十',
    industry: '五金',
    address: '迎宾路 18 号后院',
    task: true,
  },
  {
    ...FILE,
    cell: [2, -1],
    name: '郑十一废旧物资分拣作坊',
    person: '郑十一',
    industry: '再生资源',
    address: '东苑拆迁地块',
    task: false,
  },
];

/**
 * 石桥镇's and 城东街道's reports, enterprise files and a task each, so their offices' lists are not empty; one report
 * lies by 青溪镇's border, for both offices to see. Run after the 青溪镇 demo, whose ids and draws it leaves as they were.
 */
export async function seedDemoCounty(ctx: AppContext): Promise<void> {
  const { db } = ctx;
  const admin = staffByUsername(db, 'admin');
  const idOf = (code: string) => db.select({ id: townships.id }).from(townships).where(eq(townships.code, code)).get();
  const qingxi = idOf('qingxi');
  if (!admin || !qingxi) return;
  const now = Date.now();
  for (const [n, r] of REPORTS.entries()) {
    const point = r.at();
    const filed = await submitComplaint(
      { ...ctx, clock: () => new Date(now - r.days * DAY_MS - n * 3_600_000) },
      {
        source: 'seed',
        photos: [],
        fields: {
          category: r.category,
          ...point,
          address: undefined,
          seenAt: undefined,
          description: r.text,
          anonymous: true,
          notify: false,
          photoExif: [],
        },
      },
    );
    // Routing flags a point this near a border itself; this keeps the demo's example should it not.
    if (filed.ok && 'border' in r)
      db.update(complaints)
        .set({ borderTownshipId: qingxi.id })
        .where(and(eq(complaints.id, filed.complaintId), isNull(complaints.borderTownshipId)))
        .run();
  }
  const cfg = enforcementConfig(ctx.env);
  const start = now - 30 * DAY_MS;
  for (const [n, f] of FILES.entries()) {
    const at = (days: number) => new Date(start + days * DAY_MS + n * 3_600_000);
    const created = fileDemoEnterprise(ctx, admin, f, at(0));
    if (!created.ok || !f.task) continue;
    createTask(
      db,
      admin,
      {
        enterpriseId: created.id,
        type: 'shutdown',
        departmentIds: [],
        villageLead: `${f.person.slice(0, 1)}主任`,
        townshipLead: '分管副镇长（副主任）',
        departmentLead: '',
        dueOn: beijingDate(new Date(now + 15 * DAY_MS)),
        measures: '',
        optionalItems: [],
        areas: ['environment'],
        complaintIds: [],
      },
      cfg,
      at(1),
    );
  }
  // The demo's draw and night patrol were 青溪镇's office's, made when it was the only township.
  db.update(inspectionDraws).set({ townshipId: qingxi.id }).where(isNull(inspectionDraws.townshipId)).run();
  db.update(nightPatrols).set({ townshipId: qingxi.id }).where(isNull(nightPatrols.townshipId)).run();
}
