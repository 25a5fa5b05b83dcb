import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { townships, users, villages } from '../../../db/schema.ts';
import { enterprises, revisits } from '../../../db/schema-enforcement.ts';
import { FLAG_STATUSES, meters, powerFlags, WATCH_RULES } from '../../../db/schema-watch.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { blankOr } from '../shared/blank-field.ts';
import { hasRole, OFFICE_READ } from '../shared/roles.ts';
import { optionalRecordId } from '../shared/text-input.ts';
import { flagChart } from './flag-chart-data.ts';
import { townshipCondition } from '../shared/township-scope.ts';
import { explainFlag } from './flag-explain.ts';

type Who = Pick<StaffUser, 'role' | 'townshipId'>;

/**
 * Which flags a user may see, as a condition every query carries. Meter data of households is personal: the office
 * and leaders see their township's flags (the county's: all), a village officer or a department none (a village must
 * not learn which house is watched).
 */
export function flagScope(user: Who): SQL {
  if (!hasRole(user, OFFICE_READ)) return sql`0`;
  return townshipCondition(user, { township: powerFlags.townshipId }) ?? sql`1`;
}

/** The list's filters as the page's form sends them ("全部" is empty) and as the API takes them. */
export const flagFilter = z.object({
  rule: blankOr(z.enum(WATCH_RULES, { error: '规则参数有误' })),
  status: blankOr(z.enum(FLAG_STATUSES, { error: '状态参数有误' })),
  villageId: optionalRecordId('村（社区）', { invalid: '村（社区）参数有误' }),
  /** A county account's filter by township. */
  townshipId: optionalRecordId('乡镇（街道）', { invalid: '乡镇（街道）参数有误' }),
});
export type FlagFilter = z.infer<typeof flagFilter>;

const listed = {
  id: powerFlags.id,
  rule: powerFlags.rule,
  status: powerFlags.status,
  strength: powerFlags.strength,
  firstDay: powerFlags.firstDay,
  lastDay: powerFlags.lastDay,
  detectedAt: powerFlags.detectedAt,
  decidedAt: powerFlags.decidedAt,
  revisitId: powerFlags.revisitId,
  meterId: powerFlags.meterId,
  accountNo: meters.accountNo,
  tariff: meters.tariff,
  villageName: villages.name,
  townshipName: townships.name,
  enterpriseId: enterprises.id,
  enterpriseName: enterprises.name,
};

/** Flags with their meter, village and file, narrowed by `where` and the user's scope. */
const flagRows = (db: Db, user: Who, where: SQL | undefined, order: SQL[], limit: number) =>
  db
    .select(listed)
    .from(powerFlags)
    .innerJoin(meters, eq(meters.id, powerFlags.meterId))
    .innerJoin(villages, eq(villages.id, powerFlags.villageId))
    .innerJoin(townships, eq(townships.id, powerFlags.townshipId))
    .leftJoin(enterprises, eq(enterprises.id, powerFlags.enterpriseId))
    .where(and(flagScope(user), where))
    .orderBy(...order)
    .limit(limit)
    .all();

const openFirst = sql`${powerFlags.status} = 'open' desc`;

/** The flags, open ones first and the strongest first among them; then the latest decided. */
export function listFlags(db: Db, user: Who, filter: FlagFilter, limit = 300) {
  const where = and(
    filter.rule ? eq(powerFlags.rule, filter.rule) : undefined,
    filter.status ? eq(powerFlags.status, filter.status) : undefined,
    filter.villageId ? eq(powerFlags.villageId, filter.villageId) : undefined,
    filter.townshipId ? eq(powerFlags.townshipId, filter.townshipId) : undefined,
  );
  return flagRows(db, user, where, [openFirst, desc(powerFlags.strength), desc(powerFlags.id)], limit);
}

/** A file's flags, on its own meters or raised while it was the meter's file: for the enterprise page. */
export function flagsOfEnterprise(db: Db, user: Who, enterpriseId: number) {
  if (!hasRole(user, OFFICE_READ)) return [];
  const ownMeters = db.select({ id: meters.id }).from(meters).where(eq(meters.enterpriseId, enterpriseId));
  const where = or(eq(powerFlags.enterpriseId, enterpriseId), inArray(powerFlags.meterId, ownMeters));
  return flagRows(db, user, where, [openFirst, desc(powerFlags.firstDay)], 50);
}

/** One flag with its meter, file, village, the 回头看 it opened and its chart's data; null if not visible. */
export function getFlag(db: Db, user: Who, id: number, now: Date) {
  const row = db
    .select({
      flag: powerFlags,
      meter: {
        id: meters.id,
        accountNo: meters.accountNo,
        tariff: meters.tariff,
        holder: meters.holder,
        address: meters.address,
        enterpriseId: meters.enterpriseId,
      },
      villageName: villages.name,
      decidedBy: users.displayName,
    })
    .from(powerFlags)
    .innerJoin(meters, eq(meters.id, powerFlags.meterId))
    .innerJoin(villages, eq(villages.id, powerFlags.villageId))
    .leftJoin(users, eq(users.id, powerFlags.decidedBy))
    .where(and(eq(powerFlags.id, id), flagScope(user)))
    .get();
  if (!row) return null;
  const fileId = row.flag.enterpriseId ?? row.meter.enterpriseId;
  const enterprise = fileId
    ? (db
        .select({ id: enterprises.id, name: enterprises.name, status: enterprises.status })
        .from(enterprises)
        .where(and(eq(enterprises.id, fileId), townshipCondition(user, { township: enterprises.townshipId })))
        .get() ?? null)
    : null;
  const revisit = row.flag.revisitId
    ? (db
        .select({ id: revisits.id, dueAt: revisits.dueAt, status: revisits.status, outcome: revisits.outcome })
        .from(revisits)
        .where(and(eq(revisits.id, row.flag.revisitId), townshipCondition(user, { village: revisits.villageId })))
        .get() ?? null)
    : null;
  return { ...row, enterprise, revisit, explanation: explainFlag(row.flag), chart: flagChart(db, row.flag, now) };
}
