import { and, count, eq, gte, lt, sql } from 'drizzle-orm';
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
import { monthBounds, monthOf, monthRange, parseMonth, type Month } from './months.ts';
import { addTo, emptyBreakdown, type Breakdown } from './stats.ts';
import { medianOfHours, statsStatements, type Median } from './stats-sql.ts';

export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number] | 'pending';

/** One month's enforcement results (seed 001: 每月公开执法检查结果): counts only. */
export interface MonthResults {
  month: Month;
  /** The month has not ended: its numbers still grow. */
  current: boolean;
  /** Complaints filed in the month, by where they stand now. */
  complaints: Breakdown;
  /** Decisions made in the month (each counted once per time it was made). */
  decisions: { accept: number; reject: number; merge: number; resolve: number };
  /** For the complaints filed in the month. */
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

export function monthResults(db: Db, month: Month, now: Date): MonthResults {
  const s = statsStatements(db);
  const { start, end } = monthBounds(month);

  const complaints = emptyBreakdown();
  for (const r of s.byMonthStatus.all(month, month)) addTo(complaints, r.status, r.n);
  const actions = new Map(s.actionsInMonth.all(month).map((r) => [r.action, r.n]));
  const decided = (a: string) => actions.get(a) ?? 0;

  const taskCounts = zeros(REMEDIATION_TYPES);
  for (const r of db
    .select({ type: tasks.type, n: count() })
    .from(tasks)
    .where(and(eq(tasks.status, 'accepted'), gte(tasks.acceptedAt, start), lt(tasks.acceptedAt, end)))
    .groupBy(tasks.type)
    .all())
    taskCounts[r.type] = r.n;

  const outcomes = zeros(REVISIT_OUTCOMES);
  for (const r of db
    .select({ outcome: revisits.outcome, n: count() })
    .from(revisits)
    .where(and(eq(revisits.status, 'done'), gte(revisits.doneAt, start), lt(revisits.doneAt, end)))
    .groupBy(revisits.outcome)
    .all()) {
    if (r.outcome) outcomes[r.outcome] = r.n;
  }

  const inDrawMonth = and(gte(inspectionDraws.createdAt, start), lt(inspectionDraws.createdAt, end));
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

  const inPatrolMonth = and(gte(nightPatrols.startedAt, start), lt(nightPatrols.startedAt, end));
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
      accept: medianOfHours(s.durations.all('accept', month, month)),
      resolve: medianOfHours(s.durations.all('resolve', month, month)),
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

/** Every month from the first record (see firstMonth) to this one, newest first. */
export function resultMonths(db: Db, now: Date): { month: Month; received: number; decided: number }[] {
  const s = statsStatements(db);
  const received = new Map(s.receivedByMonth.all().map((r) => [r.month, r.n]));
  const decided = new Map(s.decisionsByMonth.all().map((r) => [r.month, r.n]));
  return monthRange(firstMonth(db, now), monthOf(now))
    .reverse()
    .map((month) => ({ month, received: received.get(month) ?? 0, decided: decided.get(month) ?? 0 }));
}
