import { and, asc, desc, eq, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { townships, villages } from '../../../db/schema.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { meters, METER_KINDS, TARIFF_CLASSES, type MeterKind, type TariffClass } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { actsIn } from '../shared/township-links.ts';
import { townshipCondition } from '../shared/township-scope.ts';

/** 户号 (utility accounts) of the township: registered by hand or from the utility's list, linked to files. */
export const TARIFF_LABELS: Record<TariffClass, string> = {
  residential: '居民',
  commercial: '一般工商业',
  industrial: '大工业',
  agricultural: '农业',
};
export const METER_KIND_LABELS: Record<MeterKind, string> = { power: '电表', water: '水表' };

/** A meter's only change of status: 销户 (retired). It keeps its readings and its flags. */
export const METER_TRANSITIONS = { active: ['retired'], retired: [] } as const;

export const ACCOUNT_NO = z
  .string({ message: '请填写户号' })
  .trim()
  .regex(/^[0-9A-Za-z-]{4,32}$/, { message: '户号应为 4–32 位数字或字母' });

export const meterInput = z.object({
  accountNo: ACCOUNT_NO,
  kind: z.enum(METER_KINDS, { message: '类型应为电表或水表' }).default('power'),
  tariff: z.enum(TARIFF_CLASSES, { message: '用电类别应为居民、一般工商业、大工业或农业' }).optional(),
  villageId: z.number({ message: '请选择村（社区）' }).int().positive({ message: '请选择村（社区）' }),
  enterpriseId: z.number().int().positive().nullable().optional(),
  holder: z.string().trim().max(100, { message: '户名最多 100 个字' }).default(''),
  address: z.string().trim().max(200, { message: '地址最多 200 个字' }).default(''),
  note: z.string().trim().max(500, { message: '备注最多 500 个字' }).default(''),
});
export type MeterInput = z.infer<typeof meterInput>;

export const meterLink = z.object({
  /** Absent or null: unlinked. */
  enterpriseId: z.number({ message: '请选择企业档案' }).int().positive().nullable().default(null),
  version: z.number({ message: '缺少版本号' }).int().positive(),
});
export const meterRetire = z.object({
  reason: z.string({ message: '请填写销户原因' }).trim().min(2, { message: '请填写销户原因' }).max(200),
  version: z.number({ message: '缺少版本号' }).int().positive(),
});

export const meterFilter = z.object({
  q: z.string().trim().max(50).optional(),
  /** A county account's filter by township. */
  townshipId: z.coerce.number({ message: '乡镇（街道）参数有误' }).int().positive().optional(),
  villageId: z.coerce.number().int().positive().optional(),
  status: z.enum(['active', 'retired']).optional(),
  linked: z.enum(['yes', 'no']).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type MeterFilter = z.infer<typeof meterFilter>;

type Who = Pick<StaffUser, 'id' | 'displayName' | 'townshipId'>;
const actorOf = (u: Who) => ({ id: u.id, label: u.displayName });
const STALE = '该户号已被他人修改，请刷新后重试';
const PAGE = 50;

/** Which meters an account sees: its township's, or the county's. */
const meterScope = (user: Pick<Who, 'townshipId'>) => townshipCondition(user, { township: meters.townshipId });

/** The township's meters (a county account's: every township's, or the one chosen), a page and how many in all. */
export function listMeters(db: Db, user: Who, f: MeterFilter) {
  const conds: (SQL | undefined)[] = [meterScope(user)];
  if (f.townshipId) conds.push(eq(meters.townshipId, f.townshipId));
  if (f.q) {
    const pattern = `%${f.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    conds.push(
      or(
        sql`${meters.accountNo} like ${pattern} escape '\\'`,
        sql`${meters.holder} like ${pattern} escape '\\'`,
        sql`${meters.address} like ${pattern} escape '\\'`,
      ),
    );
  }
  if (f.villageId) conds.push(eq(meters.villageId, f.villageId));
  if (f.status) conds.push(eq(meters.status, f.status));
  if (f.linked)
    conds.push(f.linked === 'yes' ? sql`${meters.enterpriseId} is not null` : sql`${meters.enterpriseId} is null`);
  const where = and(...conds);
  const total = db.select({ n: sql<number>`count(*)` }).from(meters).where(where).get()!.n;
  const rows = db
    .select({
      ...meterColumns,
      enterpriseName: enterprises.name,
      villageName: villages.name,
      townshipName: townships.name,
    })
    .from(meters)
    .innerJoin(villages, eq(villages.id, meters.villageId))
    .innerJoin(townships, eq(townships.id, meters.townshipId))
    .leftJoin(enterprises, eq(enterprises.id, meters.enterpriseId))
    .where(where)
    .orderBy(asc(meters.status), desc(meters.id))
    .limit(PAGE)
    .offset((f.page - 1) * PAGE)
    .all();
  return { rows, total, pages: Math.max(1, Math.ceil(total / PAGE)) };
}

const meterColumns = {
  id: meters.id,
  townshipId: meters.townshipId,
  kind: meters.kind,
  accountNo: meters.accountNo,
  tariff: meters.tariff,
  holder: meters.holder,
  address: meters.address,
  note: meters.note,
  status: meters.status,
  villageId: meters.villageId,
  enterpriseId: meters.enterpriseId,
  version: meters.version,
};

/** The 户号 linked to a file (its section on the file's page), those of the account's township. */
export const metersOfEnterprise = (db: Db, user: Pick<Who, 'townshipId'>, enterpriseId: number) =>
  db
    .select(meterColumns)
    .from(meters)
    .where(and(eq(meters.enterpriseId, enterpriseId), meterScope(user)))
    .orderBy(asc(meters.kind), asc(meters.accountNo))
    .all();

/**
 * 户号 are unique in the county: one held by another township is refused without saying whose it is, what it is
 * or where (a township must not learn another's meters from its own form).
 */
export const duplicateAccount = (user: Pick<Who, 'townshipId'>, accountNo: string, holder: number) =>
  actsIn(user, holder)
    ? `户号 ${accountNo} 已登记`
    : `户号 ${accountNo} 不能在本乡镇（街道）登记：请核对户号，或请县整治办核实`;

function fileInTownship(db: Pick<Db, 'select'>, enterpriseId: number, township: number) {
  return db
    .select({ id: enterprises.id, villageId: enterprises.villageId })
    .from(enterprises)
    .where(and(eq(enterprises.id, enterpriseId), eq(enterprises.townshipId, township)))
    .get();
}

/**
 * Registers a 户号 in the chosen village's township (one the account works in); a file, when given, must lie in the
 * same township and decides the village. Audited.
 */
export function registerMeter(db: Db, user: Who, input: MeterInput, now: Date): Result<{ id: number }> {
  return atomically(db, (tx) => {
    const chosen = tx
      .select({ townshipId: villages.townshipId })
      .from(villages)
      .where(eq(villages.id, input.villageId))
      .get();
    if (!chosen || !actsIn(user, chosen.townshipId)) return fail(400, '村（社区）不存在或不在本乡镇（街道）');
    const township = chosen.townshipId;
    let villageId = input.villageId;
    if (input.enterpriseId) {
      const file = fileInTownship(tx, input.enterpriseId, township);
      if (!file) return fail(400, '企业档案不存在或不在该村（社区）所在乡镇（街道）');
      villageId = file.villageId;
    }
    const taken = tx
      .select({ id: meters.id, townshipId: meters.townshipId })
      .from(meters)
      .where(and(eq(meters.kind, input.kind), eq(meters.accountNo, input.accountNo)))
      .get();
    if (taken) return fail(409, duplicateAccount(user, input.accountNo, taken.townshipId));
    const { id } = tx
      .insert(meters)
      .values({
        townshipId: township,
        villageId,
        enterpriseId: input.enterpriseId ?? null,
        kind: input.kind,
        accountNo: input.accountNo,
        tariff: input.kind === 'power' ? (input.tariff ?? null) : null,
        holder: input.holder,
        address: input.address,
        note: input.note,
        createdBy: user.id,
        updatedAt: now,
      })
      .returning({ id: meters.id })
      .get();
    audit(
      tx,
      actorOf(user),
      { action: 'meter.register', objectType: 'meter', objectId: id, details: { ...input } },
      now,
    );
    return { ok: true, id };
  });
}

function meterInTownship(db: Pick<Db, 'select'>, user: Who, id: number) {
  return db
    .select(meterColumns)
    .from(meters)
    .where(and(eq(meters.id, id), meterScope(user)))
    .get();
}

/** Links a meter to a file (its village becomes the file's) or unlinks it (null). Audited. */
export function linkMeter(db: Db, user: Who, id: number, input: z.infer<typeof meterLink>, now: Date): Result<object> {
  return atomically(db, (tx) => {
    const meter = meterInTownship(tx, user, id);
    if (!meter) return fail(404, '户号不存在');
    let villageId = meter.villageId;
    if (input.enterpriseId !== null) {
      // Both ends in one township: the meter's.
      const file = fileInTownship(tx, input.enterpriseId, meter.townshipId);
      if (!file) return fail(400, '企业档案不存在或不在该户号所在乡镇（街道）');
      villageId = file.villageId;
    }
    const done = tx
      .update(meters)
      .set({
        enterpriseId: input.enterpriseId,
        villageId,
        version: meter.version + 1,
        updatedBy: user.id,
        updatedAt: now,
      })
      .where(and(eq(meters.id, id), eq(meters.version, input.version)))
      .run();
    if (done.changes === 0) return fail(409, STALE);
    audit(
      tx,
      actorOf(user),
      {
        action: 'meter.link',
        objectType: 'meter',
        objectId: id,
        details: { from: meter.enterpriseId, to: input.enterpriseId },
      },
      now,
    );
    return { ok: true };
  });
}

/** 销户: the meter is kept with its readings and flags, no longer listed as active. Audited. */
export function retireMeter(
  db: Db,
  user: Who,
  id: number,
  input: z.infer<typeof meterRetire>,
  now: Date,
): Result<object> {
  return atomically(db, (tx) => {
    const meter = meterInTownship(tx, user, id);
    if (!meter) return fail(404, '户号不存在');
    if (!(METER_TRANSITIONS[meter.status] as readonly string[]).includes('retired')) return fail(409, '该户号已销户');
    const done = tx
      .update(meters)
      .set({ status: 'retired', version: meter.version + 1, updatedBy: user.id, updatedAt: now })
      .where(and(eq(meters.id, id), eq(meters.version, input.version)))
      .run();
    if (done.changes === 0) return fail(409, STALE);
    audit(tx, actorOf(user), { action: 'meter.retire', objectType: 'meter', objectId: id, reason: input.reason }, now);
    return { ok: true };
  });
}

/** The files and villages the account works with (a county account: every township's), for the forms' choices. */
export function meterChoices(db: Db, user: Who) {
  return {
    files: db
      .select({ id: enterprises.id, name: enterprises.name, townshipId: enterprises.townshipId })
      .from(enterprises)
      .where(townshipCondition(user, { township: enterprises.townshipId }))
      .orderBy(asc(enterprises.name))
      .all(),
    villages: db
      .select({ id: villages.id, name: villages.name, townshipId: villages.townshipId, townshipName: townships.name })
      .from(villages)
      .innerJoin(townships, eq(townships.id, villages.townshipId))
      .where(townshipCondition(user, { township: villages.townshipId }))
      .orderBy(asc(townships.sort), asc(villages.townshipId), asc(villages.id))
      .all(),
  };
}
