import { and, desc, eq, gte, inArray, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { users, villages } from '../../../db/schema.ts';
import { enterprises, nightPatrols } from '../../../db/schema-enforcement.ts';
import { patrolPlans } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { drawKey } from '../enforcement/random-draw.ts';
import { fail, type Result } from '../shared/result.ts';
import { hasRole, OFFICE } from '../shared/roles.ts';
import { recordId } from '../shared/text-input.ts';
import { DAY_MS } from '../shared/time.ts';
import { planOf } from './patrol-plan.ts';
import type { RiskParts } from './risk.ts';

export const linkPatrolInput = z.object({ patrolId: recordId('夜查记录') });

export interface PlanItem {
  enterpriseId: number;
  name: string;
  villageName: string;
  address: string;
  score: number;
  parts: RiskParts;
  /** Drawn at random from the rest, with its SHA-256 key; else taken by score. */
  drawn: boolean;
  key: string | null;
}

/** One plan: the files in visiting order (by score, then the random ones), the patrol that carried it out. */
export function getPlan(db: Db, user: StaffUser, id: number) {
  const plan = planOf(db, user, id);
  if (!plan) return null;
  const ids = [...plan.rankedIds, ...plan.drawnIds];
  const files = ids.length
    ? db
        .select({ id: enterprises.id, name: enterprises.name, address: enterprises.address, village: villages.name })
        .from(enterprises)
        .innerJoin(villages, eq(villages.id, enterprises.villageId))
        .where(and(inArray(enterprises.id, ids), eq(enterprises.townshipId, plan.townshipId)))
        .all()
    : [];
  // Only the plan's own of the stored candidates, picked out by SQLite: the list holds every file of the township.
  const scored = new Map(
    (
      db.$client
        .prepare(
          `SELECT value FROM patrol_plans, json_each(patrol_plans.candidates) WHERE patrol_plans.id = ?
            AND json_extract(value, '$.enterpriseId') IN (SELECT value FROM json_each(?))`,
        )
        .all(id, JSON.stringify(ids)) as { value: string }[]
    ).map((r) => {
      const c = JSON.parse(r.value) as { enterpriseId: number; score: number; parts: RiskParts };
      return [c.enterpriseId, c];
    }),
  );
  const drawn = new Set(plan.drawnIds);
  const items: PlanItem[] = ids.map((eid) => {
    const f = files.find((x) => x.id === eid);
    const c = scored.get(eid);
    return {
      enterpriseId: eid,
      name: f?.name ?? `#${eid}`,
      villageName: f?.village ?? '',
      address: f?.address ?? '',
      score: c?.score ?? 0,
      parts: { closure: 0, recency: 0, flags: 0, complaints: 0, ...c?.parts },
      drawn: drawn.has(eid),
      key: drawn.has(eid) ? drawKey(plan.seed, 'e', eid) : null,
    };
  });
  const creator = db.select({ name: users.displayName }).from(users).where(eq(users.id, plan.createdBy)).get();
  const patrol = plan.patrolId
    ? (db
        .select({ id: nightPatrols.id, startedAt: nightPatrols.startedAt, area: nightPatrols.area })
        .from(nightPatrols)
        .where(and(eq(nightPatrols.id, plan.patrolId), inTownship(plan.townshipId)))
        .get() ?? null)
    : null;
  const { count } = db.$client
    .prepare('SELECT json_array_length(candidates) AS count FROM patrol_plans WHERE id = ?')
    .get(id) as { count: number };
  return { plan, candidateCount: count, creator: creator?.name ?? '', items, patrol };
}

/** Patrols recorded since the day before the plan was made and not yet any plan's: what the office may link. */
export function patrolsToLink(db: Db, plan: { createdAt: Date; townshipId: number }) {
  return db
    .select({ id: nightPatrols.id, startedAt: nightPatrols.startedAt, area: nightPatrols.area })
    .from(nightPatrols)
    .leftJoin(patrolPlans, eq(patrolPlans.patrolId, nightPatrols.id))
    .where(
      and(
        gte(nightPatrols.startedAt, new Date(plan.createdAt.getTime() - DAY_MS)),
        isNull(patrolPlans.id),
        inTownship(plan.townshipId),
      ),
    )
    .orderBy(desc(nightPatrols.startedAt))
    .limit(20)
    .all();
}

/** A patrol of the plan's township: of one of its villages, or of the whole township (no village). */
const inTownship = (townshipId: number) => eq(nightPatrols.townshipId, townshipId);

/** Records which night patrol carried the plan out; once linked it stays (a second patrol is a new plan's). */
export function linkPatrol(db: Db, user: StaffUser, planId: number, patrolId: number, now: Date): Result<object> {
  if (!hasRole(user, OFFICE)) return fail(403, '只有整治办可以关联夜查记录');
  return db.transaction((tx) => {
    const plan = planOf(db, user, planId);
    if (!plan) return fail(404, '夜查计划不存在');
    if (plan.patrolId === patrolId) return { ok: true as const };
    if (plan.patrolId) return fail(409, `该计划已关联夜查记录 #${plan.patrolId}`);
    const patrol = tx
      .select({ id: nightPatrols.id })
      .from(nightPatrols)
      .where(and(eq(nightPatrols.id, patrolId), inTownship(plan.townshipId)))
      .get();
    if (!patrol) return fail(400, '夜查记录不存在');
    const other = tx.select({ id: patrolPlans.id }).from(patrolPlans).where(eq(patrolPlans.patrolId, patrolId)).get();
    if (other) return fail(409, `该夜查记录已关联计划 #${other.id}`);
    tx.update(patrolPlans).set({ patrolId }).where(eq(patrolPlans.id, planId)).run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      { action: 'patrol_plan.link_patrol', objectType: 'patrol_plan', objectId: planId, details: { patrolId } },
      now,
    );
    return { ok: true as const };
  });
}
