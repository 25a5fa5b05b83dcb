import { and, count, eq, gte, lt, sql, type AnyColumn } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  INSPECTION_OUTCOMES,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
  REMEDIATION_TYPES,
  REVISIT_OUTCOMES,
  revisits,
  tasks,
  type RemediationType,
  type RevisitOutcome,
} from '../../../db/schema-enforcement.ts';
import { monthBounds, monthOf, monthRange, parseMonth, type Month } from '../shared/months.ts';
import { addTo, emptyBreakdown, type Breakdown } from './stats.ts';
import { medianOfHours, statsStatements, type Median } from './stats-sql.ts';
import { townshipRows } from './township-stats.ts';
import { villageInTownship } from '../shared/township-scope.ts';

export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number] | 'pending';

/** One month's enforcement results (seed 001: 每月公开执法检查结果): counts only. */
export interface MonthResults {
  month: Month;
  /** The month has not ended: its numbers still grow. */
  current: boolean;
  /** Complaints filed in the month, by where they stand now. */
  complaints: Breakdown;
  /**
   * Decisions made in the month (each counted once per time it was made), and the medians for the complaints filed in
   * it; for one township, those of the complaints it holds now (a handover takes them along).
   */
  decisions: { accept: number; reject: number; merge: number; resolve: number };
  medians: { accept: Median; resolve: Median };
  /** Enforcement tasks that passed acceptance (验收) in the month, by remediation type. */
  tasks: Record<RemediationType, number>;
  /** 回头看 done in the month, by what was found. */
  revisits: { total: number; outcomes: Record<RevisitOutcome, number> };
  /** 双随机 draws made in the month, and what the inspections of the drawn enterprises found so far. */
  inspections: { draws: number; enterprises: number; outcomes: Record<InspectionOutcome, number> };
  /** 夜查 begun in the month, and the findings they recorded. */
  patrols: { count: number; findings: number };
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** The month named in a URL, or null when it is malformed or has not begun. */
export function publishedMonth(raw: string | undefined, now: Date): Month | null {
  const month = parseMonth(raw);
  return month && month <= monthOf(now) ? month : null;
}

/** One month's results: the county's, or with a township (`?township=`, decision 024) that township's. */
export function monthResults(db: Db, month: Month, now: Date, townshipId?: number): MonthResults {
  const s = statsStatements(db);
  const t = townshipId === undefined ? null : townshipRows(db, townshipId);
  const { start, end } = monthBounds(month);
  const inVillages = (col: AnyColumn) => (townshipId === undefined ? undefined : villageInTownship(col, townshipId));
  const own = (col: AnyColumn) => (townshipId === undefined ? undefined : eq(col, townshipId));

  const complaints = emptyBreakdown();
  for (const r of t ? t.byMonthStatus(month, month) : s.byMonthStatus.all(month, month))
    addTo(complaints, r.status, r.n);
  const actions = new Map((t ? t.actionsInMonth(month) : s.actionsInMonth.all(month)).map((r) => [r.action, r.n]));
  const decided = (a: string) => actions.get(a) ?? 0;

  const taskCounts = zeros(REMEDIATION_TYPES);
  for (const r of db
    .select({ type: tasks.type, n: count() })
    .from(tasks)
    .where(
      and(
        eq(tasks.status, 'accepted'),
        gte(tasks.acceptedAt, start),
        lt(tasks.acceptedAt, end),
        inVillages(tasks.villageId),
      ),
    )
    .groupBy(tasks.type)
    .all())
    taskCounts[r.type] = r.n;

  const outcomes = zeros(REVISIT_OUTCOMES);
  for (const r of db
    .select({ outcome: revisits.outcome, n: count() })
    .from(revisits)
    .where(
      and(
        eq(revisits.status, 'done'),
        gte(revisits.doneAt, start),
        lt(revisits.doneAt, end),
        inVillages(revisits.villageId),
      ),
    )
    .groupBy(revisits.outcome)
    .all()) {
    if (r.outcome) outcomes[r.outcome] = r.n;
  }

  const inDrawMonth = and(
    gte(inspectionDraws.createdAt, start),
    lt(inspectionDraws.createdAt, end),
    own(inspectionDraws.townshipId),
  );
  const draws = db.select({ n: count() }).from(inspectionDraws).where(inDrawMonth).get()!.n;
  const drawOutcomes = zeros([...INSPECTION_OUTCOMES, 'pending'] as const);
  for (const r of db
    .select({ outcome: inspectionDrawItems.outcome, n: count() })
    .from(inspectionDrawItems)
    .innerJoin(inspectionDraws, eq(inspectionDraws.id, inspectionDrawItems.drawId))
    .where(inDrawMonth)
    .groupBy(inspectionDrawItems.outcome)
    .all()) {
    drawOutcomes[r.outcome ?? 'pending'] = r.n;
  }

  const inPatrolMonth = and(
    gte(nightPatrols.startedAt, start),
    lt(nightPatrols.startedAt, end),
    own(nightPatrols.townshipId),
  );
  const patrols = {
    count: db.select({ n: count() }).from(nightPatrols).where(inPatrolMonth).get()!.n,
    findings: db
      .select({ n: count() })
      .from(patrolFindings)
      .innerJoin(nightPatrols, eq(nightPatrols.id, patrolFindings.patrolId))
      .where(inPatrolMonth)
      .get()!.n,
  };

  return {
    month,
    current: month === monthOf(now),
    complaints,
    decisions: {
      accept: decided('accept'),
      reject: decided('reject'),
      merge: decided('merge'),
      resolve: decided('resolve'),
    },
    medians: {
      accept: medianOfHours(t ? t.durations('accept', month, month) : s.durations.all('accept', month, month)),
      resolve: medianOfHours(t ? t.durations('resolve', month, month) : s.durations.all('resolve', month, month)),
    },
    tasks: taskCounts,
    revisits: { total: Object.values(outcomes).reduce((a, b) => a + b, 0), outcomes },
    inspections: { draws, enterprises: Object.values(drawOutcomes).reduce((a, b) => a + b, 0), outcomes: drawOutcomes },
    patrols,
  };
}

/** The month of the first record the results count: a complaint, or enforcement work done before any complaint. */
export function firstMonth(db: Db, now: Date): Month {
  const months = statsStatements(db)
    .receivedByMonth.all()
    .map((r) => r.month);
  const work = [
    db
      .select({ ms: sql<number | null>`min(${tasks.acceptedAt})` })
      .from(tasks)
      .get(),
    db
      .select({ ms: sql<number | null>`min(${revisits.doneAt})` })
      .from(revisits)
      .get(),
    db
      .select({ ms: sql<number | null>`min(${inspectionDraws.createdAt})` })
      .from(inspectionDraws)
      .get(),
    db
      .select({ ms: sql<number | null>`min(${nightPatrols.startedAt})` })
      .from(nightPatrols)
      .get(),
  ].flatMap((r) => (r?.ms == null ? [] : [monthOf(new Date(r.ms))]));
  const last = monthOf(now);
  return [...months, ...work].filter((m) => m <= last).sort()[0] ?? last;
}

/**
 * Every month from the first record (see firstMonth) to this one, newest first: reports received and decisions to
 * accept or not, the county's or with a township that township's.
 */
export function resultMonths(
  db: Db,
  now: Date,
  townshipId?: number,
): { month: Month; received: number; decided: number }[] {
  const s = statsStatements(db);
  const t = townshipId === undefined ? null : townshipRows(db, townshipId);
  const received = new Map<string, number>();
  for (const r of t ? t.byMonthStatus('0000-00', '9999-99') : s.receivedByMonth.all())
    received.set(r.month, (received.get(r.month) ?? 0) + r.n);
  const decided = new Map((t ? t.decisionsByMonth() : s.decisionsByMonth.all()).map((r) => [r.month, r.n]));
  return monthRange(firstMonth(db, now), monthOf(now))
    .reverse()
    .map((month) => ({
      month,
      received: received.get(month) ?? 0,
      decided: decided.get(month) ?? 0,
    }));
}
