import { count, eq } from 'drizzle-orm';
import { createAccount } from '../domain/accounts/accounts.ts';
import { seedDepartments } from './departments.ts';
import type { AppContext } from '../context.ts';
import { submitComplaint } from '../domain/complaints/submit.ts';
import { seedCategories } from './categories.ts';
import { seedDemoCounty } from './demo-county.ts';
import { seedDemoCampaign } from './demo-campaign.ts';
import {
  cellCenter,
  DEMO_COUNTY,
  DEMO_TOWNSHIPS,
  DEMO_VILLAGES,
  townshipBoundary,
  villageBoundary,
} from './demo-geography.ts';
import { demoPhoto } from './demo-photo.ts';
import { seedDemoAssignments } from './demo-assignments.ts';
import { seedDemoEnforcement } from './demo-enforcement.ts';
import { seedDemoCases } from './demo-cases.ts';
import { seedDemoWatch } from './demo-watch.ts';
import { seedDemoDepartmentData } from './demo-department-data.ts';
import { complaints, departments, townships, villages, type Role } from '../../db/schema.ts';

const SAMPLES = [
  {
    cell: [1, 0],
    dx: 0.004,
    dy: -0.003,
    category: 'air',
    days: 6,
    photos: 2,
    text: '石桥村东头一个无牌的塑料颗粒作坊，每天傍晚烟囱冒黑烟，气味刺鼻，晚上关窗都能闻到。',
  },
  {
    cell: [0, 1],
    dx: -0.005,
    dy: 0.002,
    category: 'water',
    days: 4,
    photos: 1,
    text: '上塘村河边的小电镀作坊往河里排水，河水发绿发臭，鱼都死了。',
  },
  {
    cell: [2, 1],
    dx: 0.003,
    dy: 0.004,
    category: 'resumed',
    days: 3,
    photos: 1,
    text: '溪口村去年关停的铸造作坊最近又开工了，夜里十点以后机器一直响。',
  },
  {
    cell: [1, 1],
    dx: 0,
    dy: 0,
    category: 'safety',
    days: 2,
    photos: 0,
    text: '竹林村一栋民房一楼做家具加工，二楼堆放油漆，三楼住人，典型“三合一”。',
  },
  {
    cell: [2, 0],
    dx: -0.006,
    dy: 0.001,
    category: 'waste',
    days: 1,
    photos: 1,
    text: '桃源社区后山有人露天焚烧废旧电线，黑烟很大。',
  },
  {
    cell: [3, 0],
    dx: 0.01,
    dy: 0.0,
    category: 'noise',
    days: 0,
    photos: 0,
    text: '镇界外的石料加工点白天黑夜不停，噪声很大，不清楚归哪个村管。',
  },
] as const;

export interface DemoAccount {
  username: string;
  role: Role;
  displayName: string;
  oneTimePassword: string;
}

// A triage or leader account names its township (none: the county's); village and department officers work where
// their village or department is.
const DEMO_ACCOUNTS = [
  { username: 'admin', displayName: '管理员', role: 'admin' },
  { username: 'shouli', displayName: '受理员小陈', role: 'triage', township: 'qingxi' },
  { username: 'zhulin', displayName: '竹林村网格员老周', role: 'village', village: 'qingxi-zhulin' },
  { username: 'shengtai', displayName: '生态环境所小林', role: 'department', department: 'eco' },
  { username: 'lingdao', displayName: '领导小组王组长', role: 'leader', township: 'qingxi' },
  { username: 'xianban', displayName: '县整治办小何', role: 'triage' },
  { username: 'xianzhang', displayName: '县领导小组李组长', role: 'leader' },
  { username: 'shiqiao', displayName: '石桥镇受理员小吴', role: 'triage', township: 'shiqiao-zhen' },
  { username: 'shiqiao-lingdao', displayName: '石桥镇领导小组赵组长', role: 'leader', township: 'shiqiao-zhen' },
  { username: 'shiqiao-cun', displayName: '东村网格员老孙', role: 'village', village: 'shiqiao-dongcun' },
  { username: 'chengdong', displayName: '城东街道受理员小许', role: 'triage', township: 'chengdong' },
  { username: 'shiqiao-zhan', displayName: '石桥镇环保站小钱', role: 'department', department: 'shiqiao-huanbao' },
] as const;

/** A township's own 站所, beside the county's departments. */
const DEMO_STATION = { code: 'shiqiao-huanbao', name: '石桥镇环保站', township: 'shiqiao-zhen', sort: 100 };

/**
 * Seeds the fictional county (青山县): its three townships and their villages, accounts at each level and (optionally)
 * sample reports and enterprise files. With oneTownship, 青溪镇 alone, as the demo was before the county (what an
 * installation made then holds, for the migration test).
 */
export async function seedDemo(
  ctx: AppContext,
  opts: { samples: boolean; accounts?: boolean; oneTownship?: boolean },
): Promise<DemoAccount[]> {
  const { db } = ctx;
  seedCategories(db);
  seedDepartments(db);
  const townshipIds = new Map<string, number>();
  const places = opts.oneTownship ? DEMO_TOWNSHIPS.slice(0, 1) : DEMO_TOWNSHIPS;
  db.transaction((tx) => {
    for (const [n, t] of places.entries()) {
      const row = { code: t.code, name: t.name, kind: t.kind, ...DEMO_COUNTY, sort: n + 1 };
      const { id } = tx
        .insert(townships)
        .values({ ...row, boundary: townshipBoundary(t.block) })
        .returning({ id: townships.id })
        .get();
      townshipIds.set(t.code, id);
    }
    for (const v of DEMO_VILLAGES.filter((v) => townshipIds.has(v.township))) {
      tx.insert(villages)
        .values({
          townshipId: townshipIds.get(v.township)!,
          code: v.code,
          name: v.name,
          boundary: villageBoundary(v.cell[0], v.cell[1]),
        })
        .run();
    }
    const { township, ...station } = DEMO_STATION;
    if (townshipIds.has(township))
      tx.insert(departments)
        .values({ ...station, townshipId: townshipIds.get(township)! })
        .onConflictDoNothing()
        .run();
  });
  const accounts: DemoAccount[] = [];
  for (const a of opts.accounts === false ? [] : DEMO_ACCOUNTS) {
    if ('township' in a && !townshipIds.has(a.township)) continue;
    const villageId =
      'village' in a
        ? db.select({ id: villages.id }).from(villages).where(eq(villages.code, a.village)).get()?.id
        : null;
    const departmentId =
      'department' in a
        ? db.select({ id: departments.id }).from(departments).where(eq(departments.code, a.department)).get()?.id
        : null;
    const townshipId = 'township' in a ? townshipIds.get(a.township) : null;
    const r = await createAccount(db, { id: null, label: '演示数据' }, { ...a, villageId, departmentId, townshipId });
    if (r.ok)
      accounts.push({
        username: a.username,
        role: a.role,
        displayName: a.displayName,
        oneTimePassword: r.value.oneTimePassword,
      });
  }
  if (!opts.samples) return accounts;
  const now = Date.now();
  for (const [n, s] of SAMPLES.entries()) {
    const c = cellCenter(s.cell[0] === 3 ? 2 : s.cell[0], s.cell[1]);
    const lat = c.lat + s.dy,
      lng = c.lng + s.dx + (s.cell[0] === 3 ? 0.05 : 0);
    const photos = await Promise.all(
      Array.from({ length: s.photos }, (_, k) =>
        demoPhoto({ hue: 20 + n * 45 + k * 15, lat: lat + 0.0003, lng: lng - 0.0002 }),
      ),
    );
    await submitComplaint(
      { ...ctx, clock: () => new Date(now - s.days * 86400_000 - n * 3600_000) },
      {
        source: 'seed',
        photos,
        fields: {
          category: s.category,
          lat,
          lng,
          address: undefined,
          seenAt: undefined,
          description: s.text,
          anonymous: n % 2 === 0,
          name: n % 2 ? '张某' : undefined,
          phone: n % 2 ? '13800000000' : undefined,
          notify: false,
          photoExif: [],
        },
      },
    );
  }
  await seedDemoEnforcement(ctx);
  await seedDemoCases(ctx);
  seedDemoAssignments(ctx);
  seedDemoDepartmentData(ctx);
  await seedDemoWatch(ctx);
  if (!opts.oneTownship) await seedDemoCounty(ctx);
  seedDemoCampaign(ctx);
  return accounts;
}

export function isEmpty(ctx: AppContext): boolean {
  return (
    (ctx.db.select({ n: count() }).from(townships).get()?.n ?? 0) === 0 &&
    (ctx.db.select({ n: count() }).from(complaints).get()?.n ?? 0) === 0
  );
}
