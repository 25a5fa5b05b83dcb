import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import { townships, users } from '../../../db/schema.ts';
import { patrolPlans } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { randomSeed, rank, rankInTurns } from '../enforcement/random-draw.ts';
import { fail, type Result } from '../shared/result.ts';
import { hasRole, OFFICE, OFFICE_READ } from '../shared/roles.ts';
import { decimal, freeText, optionalRecordId } from '../shared/text-input.ts';
import { byRisk, type RiskScore } from './risk.ts';
import { riskRanking } from './risk-facts.ts';
import { workingTownship } from '../shared/township-links.ts';
import { townshipCondition } from '../shared/township-scope.ts';

export const MAX_PLAN_SIZE = 200;

export const planInput = z.object({
  title: freeText('计划名称', { min: 2, max: 100, required: '请填写计划名称', tooShort: '请填写计划名称' }),
  size: decimal('夜查户数', {
    integer: true,
    min: 1,
    max: MAX_PLAN_SIZE,
    range: `夜查户数须在 1 到 ${MAX_PLAN_SIZE} 之间`,
  }),
  randomPercent: decimal('随机抽取比例', {
    integer: true,
    min: 0,
    max: 100,
    range: '随机抽取比例须在 0 到 100（%）之间',
  }),
  /** A county account's choice: the township whose files are planned; a township office plans its own. */
  townshipId: optionalRecordId('乡镇（街道）'),
});
export type PlanInput = z.output<typeof planInput>;

export interface PlanDraw {
  /** The highest scores, highest first. */
  rankedIds: number[];
  /** Drawn from the rest, in the order of their SHA-256 keys (random-draw.ts). */
  drawnIds: number[];
}

/**
 * The plan rule, re-runnable by hand: order the candidates by score (highest first, equal scores by file number),
 * take the first `size − round(size × share)`, then draw the rest of the plan from the candidates left exactly as
 * 双随机 draws are drawn (SHA-256("<seed>:e<id>"), ascending). The same seed and candidates give the same plan,
 * whatever order the candidates are given in.
 */
export function planFrom(candidates: readonly Scored[], size: number, randomShare: number, seed: string): PlanDraw {
  const { rankedIds, rest, randomCount } = split(candidates, size, randomShare);
  return { rankedIds, drawnIds: rank(seed, 'e', rest).slice(0, randomCount) };
}

/** The same plan, its keys hashed a slice at a time: a county's 20,000 candidates would hold the loop ~60 ms. */
export async function planInTurns(candidates: readonly Scored[], size: number, randomShare: number, seed: string) {
  const { rankedIds, rest, randomCount } = split(candidates, size, randomShare);
  await nextTurn();
  return { rankedIds, drawnIds: (await rankInTurns(seed, 'e', rest)).slice(0, randomCount) };
}

type Scored = Pick<RiskScore, 'enterpriseId' | 'score'>;
type StoredCandidate = (typeof patrolPlans.$inferSelect)['candidates'][number];

function split(candidates: readonly Scored[], size: number, randomShare: number) {
  const ordered = [...candidates].sort(byRisk);
  const randomCount = Math.min(Math.round(size * randomShare), size);
  const topCount = Math.min(size - randomCount, ordered.length);
  const rankedIds = ordered.slice(0, topCount).map((c) => c.enterpriseId);
  return { rankedIds, rest: ordered.slice(topCount).map((c) => c.enterpriseId), randomCount };
}

/** A long list as JSON, a thousand entries at a time with a turn of the event loop between (2 MB for 20,000). */
async function jsonInTurns(list: readonly unknown[]): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i < list.length; i += 1000) {
    parts.push(JSON.stringify(list.slice(i, i + 1000)).slice(1, -1));
    await nextTurn();
  }
  return `[${parts.join(',')}]`;
}

const mayRead = (user: Pick<StaffUser, 'role'>) => hasRole(user, OFFICE_READ);

/**
 * Scores every file of the user's township, makes the plan and stores it with its seed and every candidate's
 * parts (the draw's exact input). The seed is always the server's: a plan warns of nobody, and one chosen by hand
 * could have been tried in advance.
 */
export async function createPlan(
  db: Db,
  user: StaffUser,
  input: PlanInput,
  now: Date,
): Promise<Result<{ id: number }>> {
  if (!hasRole(user, OFFICE)) return fail(403, '只有整治办可以制定夜查计划');
  const where = workingTownship(db, user, input.townshipId);
  if (!where.ok) return where;
  const { townshipId } = where;
  const ranking = await riskRanking(db, townshipId, now);
  if (ranking.length === 0) return fail(400, '该乡镇（街道）还没有企业档案，不能制定计划');
  if (input.size > ranking.length)
    return fail(400, `该乡镇（街道）只有 ${ranking.length} 家企业档案，夜查户数不能超过 ${ranking.length}`);
  // A part left out is 0: most files score on one or two parts, and a county's list is 20,000 rows.
  const candidates = ranking.map(({ enterpriseId, score, parts }) => ({
    enterpriseId,
    score,
    parts: Object.fromEntries(Object.entries(parts).filter(([, points]) => points !== 0)),
  }));
  const seed = randomSeed();
  const randomShare = input.randomPercent / 100;
  const plan = await planInTurns(candidates, input.size, randomShare, seed);
  const stored = await jsonInTurns(candidates);
  return db.transaction((tx) => {
    const row = tx
      .insert(patrolPlans)
      .values({
        townshipId,
        title: input.title,
        seed,
        size: input.size,
        randomShare,
        candidates: sql`${stored}`,
        rankedIds: plan.rankedIds,
        drawnIds: plan.drawnIds,
        createdBy: user.id,
        createdAt: now,
      })
      .returning({ id: patrolPlans.id })
      .get();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'patrol_plan.create',
        objectType: 'patrol_plan',
        objectId: row.id,
        details: { title: input.title, seed, size: input.size, randomShare, candidates: candidates.length, ...plan },
      },
      now,
    );
    return { ok: true as const, id: row.id };
  });
}

const { candidates: _all, ...PLAN_COLUMNS } = getTableColumns(patrolPlans);

/** Which plans an account sees: its township's; a county account every township's. */
const planScope = (user: StaffUser) => townshipCondition(user, { township: patrolPlans.townshipId });

/** A stored plan of the user's township, if he may read plans, without its candidates (2 MB at a county's scale). */
export const planOf = (db: Db, user: StaffUser, id: number) => {
  if (!mayRead(user)) return undefined;
  return db
    .select(PLAN_COLUMNS)
    .from(patrolPlans)
    .where(and(eq(patrolPlans.id, id), planScope(user)))
    .get();
};

/** Re-runs a stored plan from its seed and stored candidates: a later change to the files cannot move it. */
export async function verifyPlan(db: Db, user: StaffUser, id: number) {
  const p = planOf(db, user, id);
  if (!p) return null;
  // Read, parsed and re-run in turns of the event loop: each of the three takes ~10-25 ms for 20,000 candidates.
  const text = (
    prepared(db.$client, 'SELECT candidates FROM patrol_plans WHERE id = ?').get(id) as { candidates: string }
  ).candidates;
  await nextTurn();
  const candidates = JSON.parse(text) as StoredCandidate[];
  await nextTurn();
  const again = await planInTurns(candidates, p.size, p.randomShare, p.seed);
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    matches: same(again.rankedIds, p.rankedIds) && same(again.drawnIds, p.drawnIds),
    recomputed: again,
    stored: { rankedIds: p.rankedIds, drawnIds: p.drawnIds },
    // The draw's whole input, for anyone who re-runs it by hand.
    seed: p.seed,
    size: p.size,
    randomShare: p.randomShare,
    candidates,
  };
}

/** The township's plans, newest first, without their candidate lists. */
export function listPlans(db: Db, user: StaffUser, limit = 100) {
  if (!mayRead(user)) return [];
  return db
    .select({
      id: patrolPlans.id,
      townshipName: townships.name,
      title: patrolPlans.title,
      seed: patrolPlans.seed,
      size: patrolPlans.size,
      randomShare: patrolPlans.randomShare,
      drawnIds: patrolPlans.drawnIds,
      patrolId: patrolPlans.patrolId,
      createdAt: patrolPlans.createdAt,
      createdBy: users.displayName,
    })
    .from(patrolPlans)
    .leftJoin(users, eq(users.id, patrolPlans.createdBy))
    .innerJoin(townships, eq(townships.id, patrolPlans.townshipId))
    .where(planScope(user))
    .orderBy(desc(patrolPlans.id))
    .limit(limit)
    .all();
}

/** The plans that night patrols carried out, for the patrol log's link back (the office's and leaders' only). */
export function plansOfPatrols(
  db: Db,
  user: StaffUser,
  patrolIds: number[],
): Map<number, { id: number; title: string }> {
  if (!mayRead(user) || patrolIds.length === 0) return new Map();
  const rows = db
    .select({ id: patrolPlans.id, title: patrolPlans.title, patrolId: patrolPlans.patrolId })
    .from(patrolPlans)
    .where(and(inArray(patrolPlans.patrolId, patrolIds), planScope(user)))
    .all();
  return new Map(rows.map((r) => [r.patrolId!, { id: r.id, title: r.title }]));
}
