import { and, asc, eq, inArray, lt, max, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints, type ComplaintStatus } from '../../../db/schema.ts';
import { enterpriseComplaints, tasks } from '../../../db/schema-enforcement.ts';
import { rewards } from '../../../db/schema-reporter.ts';
import { FOUNDED } from '../complaints/assignment-workflow.ts';
import { OPEN_STATUSES } from '../complaints/workflow.ts';

/**
 * Which report a reward may go to (decision 021).
 *
 * Verified: resolved or archived, and either a 交办 work item answered 属实 (已制止/已整改 or 需立案查处) and approved
 * by the office, or a remediation task of its enterprise accepted after it was filed (acceptance resolves the
 * enterprise's open complaints).
 *
 * First valid report only: among the complaints linked to the same enterprise file in the same round, the earliest
 * (by filing time, then id) that was verified wins; an earlier one still being handled holds the decision until it
 * is decided, and one refused (不予受理), merged, or found untrue (not verified) does not count. A round starts when a
 * task of the enterprise is accepted: a report filed after that is a relapse report (so is one filed by 又开工了,
 * complaints.relapse_of_id), and competes only with the reports of its own round. A complaint linked to no
 * enterprise (nor through the report it says came back) competes only with the reports merged into it.
 */
export interface Eligibility {
  complaintId: number;
  categoryId: number;
  verified: boolean;
  relapse: boolean;
  enterpriseId: number | null;
  /** Why no reward may be proposed, in the office's words; empty when one may. */
  problems: string[];
}

type Reader = Pick<Db | Tx, 'select'>;
const DECIDED: readonly ComplaintStatus[] = ['resolved', 'closed'];

// Both conditions read the complaint row of the outer query (complaints.id, complaints.created_at).
const foundedItem = sql`exists (select 1 from assignments a where a.complaint_id = ${complaints.id}
  and a.status = 'approved' and a.outcome in (${sql.join(
    FOUNDED.map((o) => sql`${o}`),
    sql`, `,
  )}))`;
const acceptedTaskAfter = sql`exists (select 1 from enterprise_complaints ec
  join tasks t on t.enterprise_id = ec.enterprise_id
  where ec.complaint_id = ${complaints.id} and t.status = 'accepted' and t.accepted_at >= ${complaints.createdAt})`;
const verifiedSql = sql<number>`(${complaints.status} in ('resolved', 'closed')
  and (${foundedItem} or ${acceptedTaskAfter}))`;

const enterpriseOf = (db: Reader, complaintId: number) =>
  db
    .select({ id: enterpriseComplaints.enterpriseId })
    .from(enterpriseComplaints)
    .where(eq(enterpriseComplaints.complaintId, complaintId))
    .get()?.id ?? null;

/** The latest acceptance of a task of the enterprise before the complaint was filed: the start of its round. */
function roundStart(db: Reader, enterpriseId: number, filedAt: Date): Date | null {
  return (
    db
      .select({ at: max(tasks.acceptedAt) })
      .from(tasks)
      .where(and(eq(tasks.enterpriseId, enterpriseId), eq(tasks.status, 'accepted'), lt(tasks.acceptedAt, filedAt)))
      .get()?.at ?? null
  );
}

export function eligibility(db: Reader, complaintId: number): Eligibility | null {
  const c = db
    .select({
      id: complaints.id,
      status: complaints.status,
      categoryId: complaints.categoryId,
      createdAt: complaints.createdAt,
      relapseOfId: complaints.relapseOfId,
      verified: verifiedSql,
    })
    .from(complaints)
    .where(eq(complaints.id, complaintId))
    .get();
  if (!c) return null;
  const problems: string[] = [];
  const verified = c.verified === 1;
  if (c.status === 'merged') problems.push('本举报已合并到其他举报：奖励只给首位有效举报，被合并的举报不单独奖励');
  else if (!verified)
    problems.push(
      DECIDED.includes(c.status)
        ? '举报未经核实属实：须交办核查为“属实”并经审核通过，或经整治任务验收办结'
        : '举报尚未办结：核查属实并办结后才能申报奖励',
    );

  const enterpriseId = enterpriseOf(db, c.id) ?? (c.relapseOfId ? enterpriseOf(db, c.relapseOfId) : null);
  const start = enterpriseId ? roundStart(db, enterpriseId, c.createdAt) : null;
  const relapse = c.relapseOfId != null || start != null;

  // The reports this one competes with: the enterprise's of the same round, and those merged into it.
  const rivals = db
    .select({
      id: complaints.id,
      status: complaints.status,
      createdAt: complaints.createdAt,
      mergedIntoId: complaints.mergedIntoId,
      verified: verifiedSql,
    })
    .from(complaints)
    .where(
      and(
        ne(complaints.id, c.id),
        enterpriseId
          ? sql`(${complaints.mergedIntoId} = ${c.id} or ${complaints.id} in
              (select complaint_id from enterprise_complaints where enterprise_id = ${enterpriseId}))`
          : eq(complaints.mergedIntoId, c.id),
        start ? sql`${complaints.createdAt} > ${start.getTime()}` : undefined,
      ),
    )
    .orderBy(asc(complaints.createdAt), asc(complaints.id))
    .all();
  const earlier = (r: (typeof rivals)[number]) =>
    r.createdAt.getTime() < c.createdAt.getTime() || (r.createdAt.getTime() === c.createdAt.getTime() && r.id < c.id);
  for (const r of rivals.filter(earlier)) {
    if (r.status === 'merged' && r.mergedIntoId === c.id)
      problems.push(`更早的举报 #${r.id} 已合并到本举报：首位有效举报是它，不是本举报`);
    else if (OPEN_STATUSES.includes(r.status))
      problems.push(`同一企业更早的举报 #${r.id} 尚在办理：待其办结后才能确定首位有效举报`);
    else if (r.verified === 1) problems.push(`同一企业更早的举报 #${r.id} 已核实属实：奖励只给首位有效举报`);
  }
  const rivalIds = rivals.map((r) => r.id);
  const rewarded = rivalIds.length
    ? db
        .select({ complaintId: rewards.complaintId })
        .from(rewards)
        .where(and(inArray(rewards.complaintId, rivalIds), ne(rewards.status, 'rejected')))
        .get()
    : undefined;
  if (rewarded) problems.push(`同一企业本轮已为举报 #${rewarded.complaintId} 申报或发放奖励：只奖励首位有效举报`);
  return { complaintId: c.id, categoryId: c.categoryId, verified, relapse, enterpriseId, problems };
}
