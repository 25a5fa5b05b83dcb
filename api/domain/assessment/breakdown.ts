import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import type { AssessedLevel, AssessmentMeasure } from '../../../db/schema-county.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { fail, type Result } from '../shared/result.ts';
import { measureSql } from './measure-sql.ts';
import type { AssessmentPeriod } from './periods.ts';
import { assessmentView } from './scope.ts';
import { compute, params, type UnitCard, unitsOf } from './scorecards.ts';

/** One record behind an indicator: a work item, a complaint or a 回头看, and whether it counted. */
export interface ScoreRecord {
  /** The work item's, the revisit's or (for a complaint measure) the complaint's id. */
  id: number;
  complaintId: number | null;
  enterpriseId: number | null;
  /** The deadline judged (签收, 反馈), or null. */
  due: Date | null;
  /** When it was signed or answered, or when the event happened. */
  at: Date | null;
  /** On time, a relapse found, 满意; for a plain count every row counts. */
  counts: boolean;
  /** The 督办 words, the 回头看 outcome or the rating. */
  detail: string | null;
}

/** The records shown under each indicator: the first of them, newest deadline or event first. */
export const RECORDS_SHOWN = 200;

export interface UnitBreakdown {
  card: UnitCard;
  place: { rank: number | null; of: number };
  records: Partial<Record<AssessmentMeasure, ScoreRecord[]>>;
}

const NOT_FOUND = '考核对象不存在或无权查看';
const date = (ms: number | null) => (ms == null ? null : new Date(ms));

function recordsOf(
  db: Db,
  measure: AssessmentMeasure,
  level: AssessedLevel,
  unitId: number,
  period: AssessmentPeriod,
  now: Date,
): ScoreRecord[] {
  const q = measureSql(measure, level, { township: false, unit: true });
  if (!q) return [];
  const sql = `SELECT ${q.record}, (${q.hit}) counts FROM ${q.from} WHERE ${q.where}
    ORDER BY 1 DESC LIMIT ${RECORDS_SHOWN}`;
  const rows = prepared(db.$client, sql).all(params(period, now, { unitId })) as Record<
    string,
    number | string | null
  >[];
  return rows.map((r) => ({
    id: Number(r.id ?? r.complaintId),
    complaintId: (r.complaintId as number | null) ?? null,
    enterpriseId: (r.enterpriseId as number | null) ?? null,
    due: date(r.due as number | null),
    at: date((r.doneAt ?? r.at ?? null) as number | null),
    counts: Boolean(r.counts),
    detail: ((r.note ?? r.outcome ?? r.rating ?? null) as string | null) || null,
  }));
}

/**
 * How one unit's score was made: its card, its place, and under each scored indicator the records behind it.
 * Refused as not found outside the account's view (scope.ts), so a township learns nothing of another's units.
 */
export function unitBreakdown(
  db: Db,
  scope: StaffScope,
  q: { level: AssessedLevel; id: number; period: AssessmentPeriod },
  now: Date,
): Result<UnitBreakdown> {
  const view = assessmentView(scope, q.level);
  if (!view.ok) return view;
  const unit = unitsOf(db, q.level, { unitId: q.id })[0];
  if (!unit || (view.unitId !== undefined && view.unitId !== q.id)) return fail(404, NOT_FOUND);
  if (view.townshipId !== undefined && unit.townshipId !== view.townshipId) return fail(404, NOT_FOUND);
  // The place is among the units the account would see ranked: all of the level for a county account or an own card,
  // the township's for its villages and 站所.
  const { units } = compute(db, q.level, q.period, now, view.placeOnly ? {} : { townshipId: view.townshipId });
  const card = units.find((u) => u.id === q.id)!;
  const records: UnitBreakdown['records'] = {};
  for (const i of card.indicators)
    if (i.active) records[i.measure] = recordsOf(db, i.measure, q.level, q.id, q.period, now);
  return { ok: true, card, place: { rank: card.rank, of: units.filter((u) => u.rank !== null).length }, records };
}
