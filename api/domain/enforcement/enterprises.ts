import { and, desc, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, townships, villages } from '../../../db/schema.ts';
import {
  enterprises,
  revisits,
  taskDepartments,
  tasks,
  type EnterpriseStatus,
  type RemediationType,
} from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { enterpriseScope, visibleEnterprise } from './scope.ts';
import type { EnterpriseInput } from './enterprise-input.ts';
import { contains } from '../shared/sql-text.ts';
import { routePoint, type VillageArea } from '../shared/village-routing.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { actsIn } from '../shared/township-links.ts';

type Writer = Db | Tx;

/** The village an enterprise belongs to: the one chosen, else the one its coordinates fall in. */
export function resolveVillage(
  db: Pick<Db, 'select'>,
  areas: VillageArea[],
  input: Pick<EnterpriseInput, 'villageId' | 'lat' | 'lng'>,
) {
  if (input.villageId) {
    const v = db
      .select({ id: villages.id, townshipId: villages.townshipId })
      .from(villages)
      .where(eq(villages.id, input.villageId))
      .get();
    return v ?? null;
  }
  if (input.lat == null || input.lng == null) return null;
  const r = routePoint(areas, input.lat, input.lng);
  return r?.kind === 'village' ? { id: r.villageId, townshipId: r.townshipId } : null;
}

const OTHER_TOWNSHIP = '属地村（社区）不在本乡镇（街道）：只能在本乡镇（街道）的村（社区）建档';

/** An open task of the file that a township's 站所 joins: it cannot follow the file to another township. */
const stationOnOpenTask = (db: Writer, enterpriseId: number) =>
  !!db
    .select({ id: tasks.id })
    .from(tasks)
    .innerJoin(taskDepartments, eq(taskDepartments.taskId, tasks.id))
    .innerJoin(departments, eq(departments.id, taskDepartments.departmentId))
    .where(
      and(
        eq(tasks.enterpriseId, enterpriseId),
        inArray(tasks.status, ['open', 'submitted']),
        isNotNull(departments.townshipId),
      ),
    )
    .get();

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

/** Inserts one enterprise file; the caller's transaction makes an import all-or-nothing. */
export function insertEnterprise(
  db: Writer,
  actor: Pick<StaffUser, 'id' | 'displayName' | 'townshipId'>,
  input: EnterpriseInput,
  areas: VillageArea[],
  now: Date,
  how = 'survey',
): Result<{ id: number }> {
  const village = resolveVillage(db, areas, input);
  if (!village)
    return fail(400, input.villageId ? '属地村（社区）不存在' : '经纬度不在任何村（社区）范围内，请选择属地村');
  if (!actsIn(actor, village.townshipId)) return fail(400, OTHER_TOWNSHIP);
  const { villageId: _v, ...fields } = input;
  try {
    const row = db
      .insert(enterprises)
      .values({
        ...fields,
        villageId: village.id,
        townshipId: village.townshipId,
        createdBy: actor.id,
        updatedBy: actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: enterprises.id })
      .get();
    audit(
      db,
      { id: actor.id, label: actor.displayName },
      { action: 'enterprise.create', objectType: 'enterprise', objectId: row.id, details: { how, name: input.name } },
      now,
    );
    return { ok: true, id: row.id };
  } catch (e) {
    if (isUniqueViolation(e)) return fail(409, `本村（社区）已有名为“${input.name}”的企业`);
    throw e;
  }
}

export function updateEnterprise(
  db: Db,
  user: StaffUser,
  id: number,
  input: EnterpriseInput & { version: number },
  areas: VillageArea[],
  now = new Date(),
): Result<{ version: number }> {
  return atomically(db, (tx) => {
    const row = tx.select().from(enterprises).where(visibleEnterprise(user, id)).get();
    if (!row) return fail(404, '企业不存在或无权查看');
    if (row.version !== input.version) return fail(409, '这份档案已被他人修改，请刷新后再改');
    const village = resolveVillage(tx, areas, input);
    if (!village) return fail(400, '属地村（社区）不存在');
    // A township's office keeps its files in its township; the county may move one to another.
    if (!actsIn(user, village.townshipId)) return fail(400, OTHER_TOWNSHIP);
    if (village.townshipId !== row.townshipId && stationOnOpenTask(tx, id))
      return fail(
        409,
        '属地村（社区）：进行中的任务有原乡镇（街道）的站所参与，请先办结或撤销任务再迁往其他乡镇（街道）',
      );
    const { villageId: _v, version, ...fields } = input;
    const changed = Object.keys(fields).filter(
      (k) => JSON.stringify(row[k as keyof typeof row]) !== JSON.stringify(fields[k as keyof typeof fields]),
    );
    try {
      tx.update(enterprises)
        .set({
          ...fields,
          villageId: village.id,
          townshipId: village.townshipId,
          version: version + 1,
          updatedBy: user.id,
          updatedAt: now,
        })
        .where(and(eq(enterprises.id, id), eq(enterprises.version, version)))
        .run();
    } catch (e) {
      if (isUniqueViolation(e)) return fail(409, `本村（社区）已有名为“${input.name}”的企业`);
      throw e;
    }
    if (village.id !== row.villageId) {
      // Open work moves with the enterprise: the new village's officer does it, the old one no longer sees it.
      tx.update(tasks)
        .set({ villageId: village.id, updatedAt: now })
        .where(and(eq(tasks.enterpriseId, id), inArray(tasks.status, ['open', 'submitted'])))
        .run();
      tx.update(revisits)
        .set({ villageId: village.id })
        .where(and(eq(revisits.enterpriseId, id), eq(revisits.status, 'scheduled')))
        .run();
    }
    audit(
      tx,
      { id: user.id, label: user.displayName },
      { action: 'enterprise.update', objectType: 'enterprise', objectId: id, details: { fields: changed } },
      now,
    );
    return { ok: true, version: version + 1 };
  });
}

/** Moves an enterprise on the dynamic list; tasks and revisits call this, never the pages. */
export function setEnterpriseStatus(
  db: Writer,
  id: number,
  status: EnterpriseStatus,
  now: Date,
  extra: Partial<typeof enterprises.$inferInsert> = {},
) {
  db.update(enterprises)
    .set({ ...extra, status, version: sql`${enterprises.version} + 1`, updatedAt: now })
    .where(eq(enterprises.id, id))
    .run();
}

export interface RegisterFilter {
  villageId?: number;
  townshipId?: number;
  status?: EnterpriseStatus;
  remediationType?: RemediationType;
  q?: string;
  /** Industry contains this (the random draw's filter). */
  industry?: string;
}

export function registerConditions(user: StaffUser, f: RegisterFilter): SQL | undefined {
  const q = f.q;
  return and(
    enterpriseScope(user),
    f.villageId ? eq(enterprises.villageId, f.villageId) : undefined,
    f.townshipId ? eq(enterprises.townshipId, f.townshipId) : undefined,
    f.status ? eq(enterprises.status, f.status) : undefined,
    f.remediationType ? eq(enterprises.remediationType, f.remediationType) : undefined,
    f.industry ? contains(enterprises.industry, f.industry) : undefined,
    q
      ? or(
          ...[enterprises.name, enterprises.address, enterprises.personInCharge, enterprises.industry].map((c) =>
            contains(c, q),
          ),
        )
      : undefined,
  );
}

/** The register, newest first, for the page and the map. */
export function listEnterprises(db: Db, user: StaffUser, f: RegisterFilter, limit = 500) {
  return db
    .select({
      id: enterprises.id,
      name: enterprises.name,
      industry: enterprises.industry,
      address: enterprises.address,
      lat: enterprises.lat,
      lng: enterprises.lng,
      villageId: enterprises.villageId,
      villageName: villages.name,
      townshipName: townships.name,
      personInCharge: enterprises.personInCharge,
      businessLicence: enterprises.businessLicence,
      fourWithouts: enterprises.fourWithouts,
      remediationType: enterprises.remediationType,
      status: enterprises.status,
      plannedOn: enterprises.plannedOn,
      revisitType: enterprises.revisitType,
    })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .innerJoin(townships, eq(townships.id, enterprises.townshipId))
    .where(registerConditions(user, f))
    .orderBy(desc(enterprises.id))
    .limit(limit)
    .all();
}
