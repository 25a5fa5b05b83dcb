import { type AnyColumn, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import { departments, townships, villages } from '../../../db/schema.ts';
import type { AssessedLevel, AssessmentMeasure } from '../../../db/schema-county.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { type Indicator, indicatorsOf } from './indicators.ts';
import { MEASURES } from './labels.ts';
import { itemPassSql, measureSql } from './measure-sql.ts';
import type { AssessmentPeriod } from './periods.ts';
import { assessmentView } from './scope.ts';
import type { Result } from '../shared/result.ts';

export interface Tally {
  /** Rows the measure judged: items due, revisits done, ratings given; for a plain count, the count. */
  base: number;
  /** Those that count: on time, a relapse found, 满意; for a plain count, the count again. */
  hits: number;
}

export interface IndicatorScore {
  indicatorId: number;
  measure: AssessmentMeasure;
  name: string;
  weight: number;
  penalty: number;
  active: boolean;
  tally: Tally;
  /** A rate (0–1) or a count; null: no data for this unit, left out of its total. */
  value: number | null;
  score: number | null;
}

export interface UnitCard {
  id: number;
  code: string;
  name: string;
  /** The unit's township (a county department: null). */
  townshipId: number | null;
  indicators: IndicatorScore[];
  /** Σ weight × score ÷ Σ weight over the active indicators with data; null with none (not ranked). */
  total: number | null;
  /** 1 for the best; equal totals share a rank. Null: not ranked. */
  rank: number | null;
}

export interface Scorecards {
  level: AssessedLevel;
  period: AssessmentPeriod;
  indicators: Indicator[];
  /** Ranked units first (best first), then those without data. */
  units: UnitCard[];
  /** For an account shown only its own card: its place among all the level's ranked units. */
  place: { rank: number | null; of: number } | null;
}

export type Within = { townshipId?: number; unitId?: number };
type Unit = Pick<UnitCard, 'id' | 'code' | 'name' | 'townshipId'>;

export function unitsOf(db: Db, level: AssessedLevel, within: Within): Unit[] {
  // One unit, or a township's, or all: the same condition on each level's own columns.
  const where = (id: AnyColumn, township: AnyColumn) =>
    within.unitId !== undefined
      ? eq(id, within.unitId)
      : within.townshipId !== undefined
        ? eq(township, within.townshipId)
        : undefined;
  if (level === 'township')
    return db
      .select({ id: townships.id, code: townships.code, name: townships.name, townshipId: townships.id })
      .from(townships)
      .where(where(townships.id, townships.id))
      .orderBy(asc(townships.sort), asc(townships.id))
      .all();
  if (level === 'village')
    return db
      .select({ id: villages.id, code: villages.code, name: villages.name, townshipId: villages.townshipId })
      .from(villages)
      .innerJoin(townships, eq(townships.id, villages.townshipId))
      .where(where(villages.id, villages.townshipId))
      .orderBy(asc(townships.sort), asc(villages.id))
      .all();
  return db
    .select({ id: departments.id, code: departments.code, name: departments.name, townshipId: departments.townshipId })
    .from(departments)
    .where(where(departments.id, departments.townshipId))
    .orderBy(asc(departments.sort), asc(departments.id))
    .all();
}

/** A measure's named parameters (measure-sql.ts). */
export const params = (period: AssessmentPeriod, now: Date, within: Within) => ({
  s: period.start.getTime(),
  e: period.end.getTime(),
  now: now.getTime(),
  ...(within.townshipId !== undefined && { t: within.townshipId }),
  ...(within.unitId !== undefined && { u: within.unitId }),
});

/** One measure's tallies by unit, in one grouped query. */
export function tallies(
  db: Db,
  measure: AssessmentMeasure,
  level: AssessedLevel,
  period: AssessmentPeriod,
  now: Date,
  within: Within = {},
): Map<number, Tally> {
  const q = measureSql(measure, level, {
    township: within.townshipId !== undefined,
    unit: within.unitId !== undefined,
  });
  const out = new Map<number, Tally>();
  if (!q) return out;
  const sql = `SELECT ${q.unit} unit, count(*) base, coalesce(sum(${q.hit}), 0) hits FROM ${q.from}
    WHERE ${q.where} GROUP BY ${q.unit}`;
  for (const r of prepared(db.$client, sql).all(params(period, now, within)) as (Tally & { unit: number })[])
    out.set(r.unit, { base: r.base, hits: r.hits });
  return out;
}

/** A rate's percentage, or 100 less the penalty per counted item; null when the unit has nothing to judge. */
export function indicatorScore(
  measure: AssessmentMeasure,
  penalty: number,
  tally: Tally,
  hadWork: boolean,
): { value: number | null; score: number | null } {
  if (MEASURES[measure].kind === 'rate')
    return tally.base > 0 ? { value: tally.hits / tally.base, score: (100 * tally.hits) / tally.base } : NONE;
  // A count is data once the unit had work to judge (a relapse: once a 回头看 was done on its files).
  const judged = measure === 'relapse' ? tally.base > 0 : hadWork || tally.hits > 0;
  return judged ? { value: tally.hits, score: Math.max(0, 100 - penalty * tally.hits) } : NONE;
}
const NONE = { value: null, score: null };

export function totalOf(scores: Pick<IndicatorScore, 'active' | 'weight' | 'score'>[]): number | null {
  const counted = scores.filter((s) => s.active && s.weight > 0 && s.score !== null);
  const weight = counted.reduce((a, s) => a + s.weight, 0);
  return weight > 0 ? counted.reduce((a, s) => a + s.weight * s.score!, 0) / weight : null;
}

/** Ranks by total, best first; equal totals (to 0.01) share a rank; units without a total come last, unranked. */
export function ranked<T extends { total: number | null; rank: number | null }>(cards: T[]): T[] {
  const key = (t: number | null) => (t === null ? -1 : Math.round(t * 100));
  const sorted = [...cards].sort((a, b) => key(b.total) - key(a.total));
  sorted.forEach((c, i) => {
    c.rank =
      c.total === null ? null : i > 0 && key(sorted[i - 1]!.total) === key(c.total) ? sorted[i - 1]!.rank : i + 1;
  });
  return sorted;
}

/** 签收, 反馈 and 超期 by unit from one pass over the work items (itemPassSql): 超期 is the late among 反馈's. */
function itemTallies(db: Db, level: AssessedLevel, period: AssessmentPeriod, now: Date, within: Within) {
  const sql = itemPassSql(level, { township: within.townshipId !== undefined, unit: within.unitId !== undefined });
  type Row = { unit: number; ackBase: number; ackHits: number; answerBase: number; answerHits: number };
  const out = { ack: new Map<number, Tally>(), answer: new Map<number, Tally>(), overdue: new Map<number, Tally>() };
  for (const r of prepared(db.$client, sql).all(params(period, now, within)) as Row[]) {
    if (r.ackBase > 0) out.ack.set(r.unit, { base: r.ackBase, hits: r.ackHits });
    if (r.answerBase > 0) {
      out.answer.set(r.unit, { base: r.answerBase, hits: r.answerHits });
      const late = r.answerBase - r.answerHits;
      out.overdue.set(r.unit, { base: late, hits: late });
    }
  }
  return out;
}

export function compute(db: Db, level: AssessedLevel, period: AssessmentPeriod, now: Date, within: Within) {
  const indicators = indicatorsOf(db, level);
  // 签收 and 反馈 are read even when not scored: they say whether a unit had work to judge its counts on.
  const items = itemTallies(db, level, period, now, within);
  const measured = new Map<AssessmentMeasure, Map<number, Tally>>([
    ['ack_on_time', items.ack],
    ['answer_on_time', items.answer],
    ['overdue', items.overdue],
  ]);
  for (const i of indicators)
    if (i.active && !measured.has(i.measure))
      measured.set(i.measure, tallies(db, i.measure, level, period, now, within));
  const zero: Tally = { base: 0, hits: 0 };
  const cards: UnitCard[] = unitsOf(db, level, within).map((u) => {
    const hadWork =
      (measured.get('ack_on_time')!.get(u.id)?.base ?? 0) + (measured.get('answer_on_time')!.get(u.id)?.base ?? 0) > 0;
    const scores = indicators.map((i): IndicatorScore => {
      const tally = measured.get(i.measure)?.get(u.id) ?? zero;
      const { value, score } = i.active ? indicatorScore(i.measure, i.penalty, tally, hadWork) : NONE;
      const { id: indicatorId, measure, name, weight, penalty, active } = i;
      return { indicatorId, measure, name, weight, penalty, active, tally, value, score };
    });
    return { ...u, indicators: scores, total: totalOf(scores), rank: null };
  });
  return { indicators, units: ranked(cards) };
}

/**
 * The scorecards of a level for a period, ranked, as the account may see them (scope.ts): every unit for the county,
 * a township's own villages and 站所, or only the account's own card with its place among all.
 */
export function scorecards(
  db: Db,
  scope: StaffScope,
  q: { level: AssessedLevel; period: AssessmentPeriod },
  now: Date,
): Result<Scorecards> {
  const view = assessmentView(scope, q.level);
  if (!view.ok) return view;
  if (!view.placeOnly) {
    const { indicators, units } = compute(db, q.level, q.period, now, { townshipId: view.townshipId });
    return { ok: true, level: q.level, period: q.period, indicators, units, place: null };
  }
  // The whole level is computed for the place; only the account's own card leaves this function.
  const all = compute(db, q.level, q.period, now, {});
  const own = all.units.filter((u) => u.id === view.unitId);
  const of = all.units.filter((u) => u.rank !== null).length;
  return {
    ok: true,
    level: q.level,
    period: q.period,
    indicators: all.indicators,
    units: own,
    place: { rank: own[0]?.rank ?? null, of },
  };
}
