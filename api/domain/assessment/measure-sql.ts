import type { AssessedLevel, AssessmentMeasure } from '../../../db/schema-county.ts';

/**
 * Each measure as SQL over the records (docs/decisions/026-assessment.md): where its rows come from, which of them
 * count (`hit`), and which unit each belongs to at each level. Named parameters: @s and @e the period's bounds,
 * @now the instant read, @t a township to stay within, @u one unit. Times are epoch milliseconds.
 */

const ALL_ITEM_STATUSES = "('pending', 'checking', 'answered', 'approved', 'withdrawn')";
/** Withdrawn (re-assigned, or the complaint finished another way) before a deadline: not judged on it. */
const withdrawnBefore = (due: string) => `(a.status = 'withdrawn' AND a.updated_at <= ${due})`;
/** An answer stands: a returned one (back to 核查中) is owed again. */
const ANSWERED = "(a.answered_at IS NOT NULL AND a.status <> 'checking')";

export interface MeasureSql {
  /** FROM and JOINs; `v` is the village of the row, `d` its department (at the department level). */
  from: string;
  where: string;
  /** A row that counts: signed or answered on time, a relapse found, a 满意 rating. Every row, for plain counts. */
  hit: string;
  /** The record a row stands for, for the page that shows how a score was made. */
  record: string;
}

type Source = 'item' | 'complaint' | 'revisit';

const UNIT: Record<Source, Record<AssessedLevel, string | null>> = {
  item: { township: 'v.township_id', village: 'a.village_id', department: 'a.department_id' },
  complaint: { township: 'c.township_id', village: 'c.village_id', department: 'cd.department_id' },
  revisit: { township: 'v.township_id', village: 'r.village_id', department: null },
};

/** The township a unit lies in, for an account that sees its own township only. */
const TOWNSHIP_OF: Record<Source, Record<AssessedLevel, string>> = {
  item: { township: 'v.township_id', village: 'v.township_id', department: 'd.township_id' },
  complaint: { township: 'c.township_id', village: 'v.township_id', department: 'd.township_id' },
  revisit: { township: 'v.township_id', village: 'v.township_id', department: 'NULL' },
};

/** The table a source starts from and what it joins for the unit and its township. */
function joins(source: Source, level: AssessedLevel): { base: string; rest: string } {
  if (source === 'item')
    return {
      base: 'assignments a',
      rest:
        ' JOIN villages v ON v.id = a.village_id' +
        (level === 'department' ? ' JOIN departments d ON d.id = a.department_id' : ''),
    };
  if (source === 'revisit') return { base: 'revisits r', rest: ' JOIN villages v ON v.id = r.village_id' };
  return {
    base: 'complaints c',
    rest:
      level === 'department'
        ? ' JOIN complaint_departments cd ON cd.complaint_id = c.id JOIN departments d ON d.id = cd.department_id'
        : ' LEFT JOIN villages v ON v.id = c.village_id',
  };
}

/** The village's own item, or a joining department's: each level is judged on its own items. */
const itemsOf = (level: AssessedLevel) =>
  level === 'department' ? 'a.department_id IS NOT NULL' : 'a.department_id IS NULL';

const SPECS: Record<AssessmentMeasure, { source: Source; body: (level: AssessedLevel) => Omit<MeasureSql, 'from'> }> = {
  ack_on_time: {
    source: 'item',
    body: (level) => ({
      // The signing deadline's own index bounds the rows (not the items answered after the period).
      where: `a.ack_due_at >= @s AND a.ack_due_at < @e AND ${itemsOf(level)}
          AND (a.acknowledged_at IS NOT NULL OR (a.ack_due_at < @now AND NOT ${withdrawnBefore('a.ack_due_at')}))`,
      hit: 'a.acknowledged_at IS NOT NULL AND a.acknowledged_at <= a.ack_due_at',
      record: 'a.id id, a.complaint_id complaintId, a.ack_due_at due, a.acknowledged_at doneAt',
    }),
  },
  answer_on_time: {
    source: 'item',
    body: (level) => ({
      where: `a.status IN ${ALL_ITEM_STATUSES} AND a.answer_due_at >= @s AND a.answer_due_at < @e
          AND ${itemsOf(level)}
          AND (${ANSWERED} OR (a.answer_due_at < @now AND NOT ${withdrawnBefore('a.answer_due_at')}))`,
      hit: `${ANSWERED} AND a.answered_at <= a.answer_due_at`,
      record: `a.id id, a.complaint_id complaintId, a.answer_due_at due,
          CASE WHEN ${ANSWERED} THEN a.answered_at END doneAt`,
    }),
  },
  overdue: {
    source: 'item',
    // The late ones among the same rows as answer_on_time.
    body: (level) => {
      const answer = SPECS.answer_on_time.body(level);
      return { ...answer, where: `${answer.where} AND NOT (${answer.hit})`, hit: '1' };
    },
  },
  urged: {
    source: 'item',
    body: (level) => ({
      where: `ev.action = 'urge' AND ev.at >= @s AND ev.at < @e AND ${itemsOf(level)}`,
      hit: '1',
      record: 'a.id id, a.complaint_id complaintId, ev.at at, ev.note note',
    }),
  },
  relapse: {
    source: 'revisit',
    body: () => ({
      where: "r.status = 'done' AND r.done_at >= @s AND r.done_at < @e",
      hit: "r.outcome IN ('resumed', 'relapsed')",
      record: 'r.id id, r.enterprise_id enterpriseId, r.done_at at, r.outcome outcome',
    }),
  },
  reopened: {
    source: 'complaint',
    body: () => ({
      where: "ce.action = 'reopen' AND ce.from_status IN ('resolved', 'closed') AND ce.at >= @s AND ce.at < @e",
      hit: '1',
      record: 'c.id complaintId, ce.at at',
    }),
  },
  satisfaction: {
    source: 'complaint',
    body: () => ({
      where: "f.kind = 'rating' AND f.created_at >= @s AND f.created_at < @e",
      hit: "f.rating IN ('satisfied', 'basically')",
      record: 'c.id complaintId, f.created_at at, f.rating rating',
    }),
  },
};

/** The event or rating table a complaint measure reads, joined before the complaint. */
const EVENT_FROM: Partial<Record<AssessmentMeasure, string>> = {
  // The period's events first, by their index (the partial ones of migration 0017, the ratings' (kind, created_at)):
  // within a township the planner would walk every complaint of the township instead (0.5 s to 80 s).
  urged: 'assignment_events ev INDEXED BY assignment_events_urge CROSS JOIN ',
  reopened: 'complaint_events ce INDEXED BY complaint_events_reopen CROSS JOIN ',
  satisfaction: 'complaint_followups f INDEXED BY complaint_followups_kind CROSS JOIN ',
};
const EVENT_ON: Partial<Record<AssessmentMeasure, string>> = {
  urged: ' ON a.id = ev.assignment_id',
  reopened: ' ON c.id = ce.complaint_id',
  satisfaction: ' ON c.id = f.complaint_id',
};

const DUE_INDEX: Partial<Record<AssessmentMeasure, string>> = { ack_on_time: 'assignments_ack_due' };

/**
 * 签收 and 反馈 (and the late among the latter, 超期) in one statement: each measure's own items read through its
 * deadline's index and tallied by unit, the two side by side. Not one pass by SQLite's OR by index union: that looks
 * up every item due in the period by either deadline and weighs both measures on each, twice as slow (county bench).
 */
export function itemPassSql(level: AssessedLevel, within: { township: boolean; unit: boolean }) {
  const part = (measure: 'ack_on_time' | 'answer_on_time', tallied: 'ack' | 'answer') => {
    const q = measureSql(measure, level, within)!;
    const cols = (['ack', 'answer'] as const).map((t) =>
      t === tallied ? `count(*) ${t}Base, coalesce(sum(${q.hit}), 0) ${t}Hits` : `0 ${t}Base, 0 ${t}Hits`,
    );
    // CROSS JOINs: the items first, by the deadline's index (the unit's or the township's walks every period).
    return `SELECT ${q.unit} unit, ${cols.join(', ')} FROM ${q.from.replaceAll(' JOIN ', ' CROSS JOIN ')}
      WHERE ${q.where} GROUP BY ${q.unit}`;
  };
  return `SELECT unit, sum(ackBase) ackBase, sum(ackHits) ackHits, sum(answerBase) answerBase,
      sum(answerHits) answerHits
    FROM (${part('ack_on_time', 'ack')} UNION ALL ${part('answer_on_time', 'answer')}) GROUP BY unit`;
}

/** Null where a measure means nothing at a level (a department does no 回头看). */
export function measureSql(
  measure: AssessmentMeasure,
  level: AssessedLevel,
  within: { township: boolean; unit: boolean },
): (MeasureSql & { unit: string }) | null {
  const spec = SPECS[measure];
  const unit = UNIT[spec.source][level];
  if (!unit) return null;
  const body = spec.body(level);
  const { base, rest } = joins(spec.source, level);
  // An event or a rating comes first, joined to its item or complaint: its time bounds the rows read.
  const event = EVENT_FROM[measure];
  // Work items by their deadline's index, which the planner passes over on a small table for the
  // (department, status) one, that reads every item of every period.
  const indexed =
    spec.source === 'item' ? `${base} INDEXED BY ${DUE_INDEX[measure] ?? 'assignments_status_due'}` : base;
  const from = event ? `${event}${base}${EVENT_ON[measure]}${rest}` : `${indexed}${rest}`;
  const where = [
    body.where,
    `${unit} IS NOT NULL`,
    within.township ? `${TOWNSHIP_OF[spec.source][level]} = @t` : '',
    within.unit ? `${unit} = @u` : '',
  ]
    .filter(Boolean)
    .join(' AND ');
  return { ...body, from, where, unit };
}
