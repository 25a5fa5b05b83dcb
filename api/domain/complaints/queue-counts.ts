import { and, eq, inArray, isNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCounts, complaints, townships, type ComplaintStatus } from '../../../db/schema.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { villageInTownship } from '../shared/township-scope.ts';
import { complaintScope } from './scope.ts';
import { OPEN_STATUSES } from './workflow.ts';

type Counts = Partial<Record<ComplaintStatus, number>>;

const grouped = (rows: { status: ComplaintStatus; n: number }[]): Counts =>
  Object.fromEntries(rows.map((r) => [r.status, r.n]));

const OPEN_LIST = sql.join(
  OPEN_STATUSES.map((s) => sql`${s}`),
  sql`, `,
);

/**
 * A township's counts: its villages' from the trigger-kept table, plus the few it holds outside every village and
 * the few near its border another township holds (complaintScope's rule), each read from its own index; its overdue
 * ones likewise (an OR of the two township columns would scan every open complaint of the county).
 */
function townshipCounts(db: Db, townshipId: number, now: Date): { byStatus: Counts; overdue: number } {
  const byStatus = grouped(
    db
      .select({ status: complaintCounts.status, n: sql<number>`sum(${complaintCounts.n})` })
      .from(complaintCounts)
      .where(villageInTownship(complaintCounts.villageId, townshipId))
      .groupBy(complaintCounts.status)
      .all(),
  );
  const overdueNow = sql`${complaints.status} in (${OPEN_LIST}) and ${complaints.dueAt} < ${now.getTime()}`;
  const few = (where: SQL | undefined) =>
    db
      .select({
        status: complaints.status,
        n: sql<number>`count(*)`,
        overdue: sql<number>`sum(case when ${overdueNow} then 1 else 0 end)`,
      })
      .from(complaints)
      .where(where)
      .groupBy(complaints.status)
      .all();
  // The unary + keeps SQLite on the village index: the few held outside villages, not the township's every row.
  const held = few(and(isNull(complaints.villageId), sql`+${complaints.townshipId} = ${townshipId}`));
  const border = few(and(eq(complaints.borderTownshipId, townshipId), ne(complaints.townshipId, townshipId)));
  for (const r of [...held, ...border]) byStatus[r.status] = (byStatus[r.status] ?? 0) + r.n;
  const own = db
    .select({ n: sql<number>`count(*)` })
    .from(complaints)
    .where(
      and(
        eq(complaints.townshipId, townshipId),
        inArray(complaints.status, [...OPEN_STATUSES]),
        lt(complaints.dueAt, now),
      ),
    )
    .get()!.n;
  return { byStatus, overdue: own + border.reduce((a, r) => a + (r.overdue ?? 0), 0) };
}

/**
 * Counts per status and overdue, in the staff member's scope: a village's and the county's from the trigger-kept
 * table, a township's as townshipCounts, a department's straight from its rows. `township` is a county account's
 * filter (a township's code).
 */
export function queueCounts(db: Db, user: StaffUser, now = new Date(), township?: string) {
  const scope = complaintScope(user);
  const chosen =
    township && user.townshipId == null
      ? (db.select({ id: townships.id }).from(townships).where(eq(townships.code, township)).get()?.id ?? -1)
      : null;
  const townshipId = user.role === 'village' || user.role === 'department' ? null : (user.townshipId ?? chosen);
  if (townshipId != null) return townshipCounts(db, townshipId, now);
  const byStatus =
    user.role === 'department'
      ? grouped(
          db
            .select({ status: complaints.status, n: sql<number>`count(*)` })
            .from(complaints)
            .where(scope)
            .groupBy(complaints.status)
            .all(),
        )
      : grouped(
          db
            .select({ status: complaintCounts.status, n: sql<number>`sum(${complaintCounts.n})` })
            .from(complaintCounts)
            .where(user.role === 'village' ? eq(complaintCounts.villageId, user.villageId ?? -1) : undefined)
            .groupBy(complaintCounts.status)
            .all(),
        );
  const overdue = db
    .select({ n: sql<number>`count(*)` })
    .from(complaints)
    .where(and(scope, inArray(complaints.status, [...OPEN_STATUSES]), lt(complaints.dueAt, now)))
    .get()!.n;
  return { byStatus, overdue };
}
