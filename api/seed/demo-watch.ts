import { createHash } from 'node:crypto';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { dayOf, startOfDay } from '../domain/watch/days.ts';
import { runDetection } from '../domain/watch/detection.ts';
import { createPlan } from '../domain/watch/patrol-plan.ts';
import { enterprises, taskItems, tasks } from '../../db/schema-enforcement.ts';
import { dataImports, meters, type TariffClass } from '../../db/schema-watch.ts';
import { townships, villages } from '../../db/schema.ts';
import {
  cutThenBack,
  type Curve,
  dayShift,
  heatedHousehold,
  household,
  houseTurnedWorkshop,
  nightShiftFrom,
  quarterHours,
  seeded,
} from './demo-watch-curves.ts';
import { cellCenter, DEMO_VILLAGES } from './demo-geography.ts';

/** Days of daily totals, and of 15-minute curves, up to yesterday (the utility's data lags a day). */
const DAILY_DAYS = 120;
const CURVE_DAYS = 30;
/** The foundry's power came back three weeks ago: the relapse the demo's flag finds. */
export const DEMO_RESTART_DAYS_AGO = 21;
/** The house in 竹林村 that started a workshop about ten weeks ago. */
export const DEMO_HOUSE_WORKSHOP_ACCOUNT = '3306051127';
const DEMO = { id: null, label: '演示数据' };

type VillageCode = (typeof DEMO_VILLAGES)[number]['code'];
interface MeterSpec {
  accountNo: string;
  tariff: TariffClass;
  /** The demo file it belongs to (by name), else a house. */
  file?: string;
  village?: VillageCode;
  holder: string;
  address: string;
  /** Curve, given the day the file's 断电 was done (if it was) and today's day number. */
  curve: (cutDay: number | null, today: number) => Curve;
  curves: boolean;
}

const cutFrom = (before: Curve) => (cutDay: number | null) =>
  cutDay === null ? before : cutThenBack(before, cutDay, Number.POSITIVE_INFINITY, 0, 0);
const house = (n: number, village: VillageCode, holder: string, address: string, scale: number, curves = false) => ({
  accountNo: `33060${String(n).padStart(5, '0')}`,
  tariff: 'residential' as const,
  village,
  holder,
  address,
  curve: () => household(scale),
  curves,
});

const SPECS: MeterSpec[] = [
  {
    accountNo: '3306020031',
    tariff: 'industrial',
    file: '赵六铸造作坊',
    holder: '赵六',
    address: '溪口村老粮站旁',
    // Cupola blowers by day until the 断电; three weeks ago power again, at night when nobody looks.
    curve: (cut, today) =>
      cut === null ? dayShift(55, 2) : cutThenBack(dayShift(55, 2), cut, today - DEMO_RESTART_DAYS_AGO, 42, 1),
    curves: true,
  },
  {
    accountNo: '3306040112',
    tariff: 'commercial',
    file: '王五家具加工作坊',
    holder: '王五',
    address: '竹林村 5 组 27 号',
    // Under 整改, its saws moved to the night (the night patrol heard them at 22:10).
    curve: (_, today) => nightShiftFrom(today - 25, dayShift(14, 1.2), 17, 3, 1.2),
    curves: true,
  },
  {
    accountNo: '3306010207',
    tariff: 'industrial',
    file: '李四电镀作坊',
    holder: '李四',
    address: '上塘村河埠头 12 号',
    curve: cutFrom(dayShift(30, 1.5)),
    curves: false,
  },
  {
    accountNo: '3306030088',
    tariff: 'commercial',
    file: '张三塑料造粒作坊',
    holder: '张三',
    address: '石桥村东头 3 组',
    curve: cutFrom(dayShift(38, 1.8)),
    curves: true,
  },
  {
    accountNo: '3306000516',
    tariff: 'industrial',
    file: '青溪金属制品有限公司',
    holder: '青溪金属制品有限公司',
    address: '青溪镇工业路 8 号',
    curve: () => dayShift(85, 6),
    curves: true,
  },
  {
    ...house(51127, 'qingxi-zhulin', '孙某某', '竹林村 5 组 31 号', 1, true),
    curve: (_, today) => houseTurnedWorkshop(today - 70, 5),
  },
  house(51101, 'qingxi-zhulin', '周某某', '竹林村 5 组 12 号', 1.1, true),
  house(51102, 'qingxi-zhulin', '吴某某', '竹林村 5 组 14 号', 0.8, true),
  house(51103, 'qingxi-zhulin', '郑某某', '竹林村 4 组 3 号', 1.3, true),
  house(51104, 'qingxi-zhulin', '冯某某', '竹林村 4 组 9 号', 0.9, true),
  house(51105, 'qingxi-zhulin', '陈某某', '竹林村 6 组 2 号', 0.7),
  // Heated in winter: well above the village's median, but a household's shape (no flag).
  { ...house(51106, 'qingxi-zhulin', '褚某某', '竹林村 6 组 8 号', 1.2, true), curve: () => heatedHousehold(1.2) },
  house(61201, 'qingxi-xikou', '卫某某', '溪口村 2 组 5 号', 1, true),
  house(61202, 'qingxi-xikou', '蒋某某', '溪口村 2 组 7 号', 0.9, true),
  house(61203, 'qingxi-xikou', '沈某某', '溪口村 3 组 1 号', 1.2),
  house(31301, 'qingxi-shiqiao', '韩某某', '石桥村 1 组 4 号', 1),
  house(31302, 'qingxi-shiqiao', '杨某某', '石桥村 2 组 6 号', 0.8),
  house(11401, 'qingxi-xiatang', '朱某某', '下塘村 3 组 10 号', 1.1),
];

/**
 * Meters for the demo's files and houses, with ~120 days of daily totals and the last month's 15-minute curves:
 * the foundry shut by 两断三清 whose power came back, the furniture workshop working at night while under 整改,
 * a house in 竹林村 running machines by day, and quiet meters. One transaction of prepared inserts: 2,160 daily
 * and 34,560 quarter-hour rows in ~150 ms.
 */
export async function seedDemoWatch(ctx: AppContext, now = Date.now()): Promise<SeededWatch> {
  const result = seedReadings(ctx, now);
  // Flags on first start: the same pass the nightly run and every import make, listed as the demo's own.
  if (result.meters) result.flags = (await runDetection(ctx.db, { now: new Date(now), actor: DEMO })).flags.inserted;
  // One night-patrol plan, so /admin/watch/plans shows what a plan looks like (the foundry first, one drawn at random).
  const triage = staffByUsername(ctx.db, 'shouli');
  if (triage)
    await createPlan(ctx.db, triage, { title: '本周夜查（演示）', size: 3, randomPercent: 34 }, new Date(now));
  return result;
}

interface SeededWatch {
  meters: number;
  daily: number;
  curves: number;
  flags: number;
}

function seedReadings(ctx: AppContext, now: number): SeededWatch {
  const { db } = ctx;
  const admin = staffByUsername(db, 'admin');
  const township = db.select({ id: townships.id }).from(townships).where(eq(townships.code, 'qingxi')).get();
  if (!admin || !township) return { meters: 0, daily: 0, curves: 0, flags: 0 };
  const villageIds = new Map(
    db
      .select({ code: villages.code, id: villages.id })
      .from(villages)
      .all()
      .map((v) => [v.code, v.id]),
  );
  const files = new Map(
    db
      .select({
        id: enterprises.id,
        name: enterprises.name,
        villageId: enterprises.villageId,
        lat: enterprises.lat,
        lng: enterprises.lng,
      })
      .from(enterprises)
      .all()
      .map((f) => [f.name, f]),
  );
  const today = dayOf(now);
  const at = new Date(now);
  const client = db.$client;
  const insertDaily = client.prepare('insert into meter_daily (meter_id, day, kwh, import_id) values (?, ?, ?, ?)');
  const insertCurve = client.prepare(
    'insert into meter_intervals (meter_id, minute, minutes, kwh, import_id) values (?, ?, 15, ?, ?)',
  );
  return db.transaction((tx) => {
    const importRow = (kind: 'daily' | 'interval', fileName: string) =>
      tx
        .insert(dataImports)
        .values({
          townshipId: township.id,
          kind,
          fileName,
          sha256: createHash('sha256').update(`demo ${kind} ${today}`).digest('hex'),
          bytes: 0,
          status: 'done',
          createdBy: admin.id,
          finishedAt: at,
        })
        .returning({ id: dataImports.id })
        .get().id;
    const dailyImport = importRow('daily', '演示数据：供电所日电量（种子生成）');
    const curveImport = importRow('interval', '演示数据：供电所 15 分钟负荷曲线（种子生成）');
    let daily = 0;
    let curves = 0;
    let count = 0;
    for (const [n, spec] of SPECS.entries()) {
      const file = spec.file ? files.get(spec.file) : undefined;
      if (spec.file && !file) continue;
      const villageId = file?.villageId ?? villageIds.get(spec.village!)!;
      const place = file ?? housePlace(spec.village!, n);
      const meterId = tx
        .insert(meters)
        .values({
          townshipId: township.id,
          villageId,
          enterpriseId: file?.id ?? null,
          accountNo: spec.accountNo,
          tariff: spec.tariff,
          holder: spec.holder,
          address: spec.address,
          lat: place.lat,
          lng: place.lng,
          note: '演示数据',
          createdBy: admin.id,
          updatedAt: at,
        })
        .returning({ id: meters.id })
        .get().id;
      count++;
      const cut = file ? powerCutDay(ctx, file.id) : null;
      const curve = spec.curve(cut, today);
      const rand = seeded(1000 + n);
      for (let day = today - DAILY_DAYS; day < today; day++) {
        const quarters = quarterHours(curve, day, rand);
        insertDaily.run(meterId, day, Math.round(quarters.reduce((a, b) => a + b, 0) * 100) / 100, dailyImport);
        daily++;
        if (!spec.curves || day < today - CURVE_DAYS) continue;
        const first = startOfDay(day).getTime() / 60_000;
        for (const [q, kwh] of quarters.entries()) insertCurve.run(meterId, first + q * 15, kwh, curveImport);
        curves += 96;
      }
    }
    tx.update(dataImports).set({ rowsRead: daily, rowsInserted: daily }).where(eq(dataImports.id, dailyImport)).run();
    tx.update(dataImports).set({ rowsRead: curves, rowsInserted: curves }).where(eq(dataImports.id, curveImport)).run();
    // A water account too, so a file page shows both kinds; the water company's readings are not part of the demo.
    const plating = files.get('李四电镀作坊');
    if (plating)
      tx.insert(meters)
        .values({
          townshipId: township.id,
          villageId: plating.villageId,
          enterpriseId: plating.id,
          kind: 'water',
          accountNo: '0571203344',
          holder: '李四',
          address: '上塘村河埠头 12 号',
          note: '演示数据',
          createdBy: admin.id,
          updatedAt: at,
        })
        .run();
    return { meters: count + (plating ? 1 : 0), daily, curves, flags: 0 };
  });
}

/** The day a file's 断电 line was done (photographed on site), if it was. */
function powerCutDay(ctx: AppContext, enterpriseId: number): number | null {
  const row = ctx.db
    .select({ doneAt: taskItems.doneAt })
    .from(taskItems)
    .innerJoin(tasks, eq(tasks.id, taskItems.taskId))
    .where(and(eq(tasks.enterpriseId, enterpriseId), eq(taskItems.code, 'cut_power'), isNotNull(taskItems.doneAt)))
    .get();
  return row?.doneAt ? dayOf(row.doneAt) + 1 : null;
}

/** A house somewhere in its village, the same place on every seed. */
function housePlace(code: VillageCode, n: number): { lat: number; lng: number } {
  const v = DEMO_VILLAGES.find((x) => x.code === code)!;
  const c = cellCenter(v.cell[0], v.cell[1]);
  return { lat: c.lat + ((n * 37) % 11) * 0.0007 - 0.0035, lng: c.lng + ((n * 53) % 13) * 0.0006 - 0.0036 };
}
