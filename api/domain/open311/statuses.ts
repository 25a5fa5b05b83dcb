import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintEvents, complaints, type ComplaintStatus } from '../../../db/schema.ts';
import { assignments } from '../../../db/schema-supervision.ts';
import { STATUS_LABELS } from '../complaints/tracking.ts';
import { OPEN_STATUSES, REJECT_REASONS } from '../complaints/workflow.ts';

/**
 * FixMyStreet's extended statuses (perllib/Open311.pm, map_state): it reads them from
 * servicerequestupdates, lower-cased with "_" as a space, as investigating, in progress, fixed,
 * "not responsible" (NOT_COUNCILS_RESPONSIBILITY), "unable to fix" (NO_FURTHER_ACTION), duplicate.
 * A plain CLOSED it shows as fixed, so it is never sent.
 */
export type ExtendedStatus =
  | 'OPEN'
  | 'INVESTIGATING'
  | 'IN_PROGRESS'
  | 'FIXED'
  | 'NO_FURTHER_ACTION'
  | 'NOT_COUNCILS_RESPONSIBILITY'
  | 'DUPLICATE';

type RejectReason = (typeof REJECT_REASONS)[number];

/** What a closed report came to: why it was refused, what it was merged into, what the village found. */
export interface Outcome {
  rejectReason: RejectReason | null;
  mergedInto: number | null;
  /** The last 交办's approved answers found nothing (不属实) and none stopped anything. */
  unfounded: boolean;
  /** The last 交办's approved answers stopped or rectified the workshop. */
  stopped: boolean;
}

const REFUSED_AS: Record<RejectReason, ExtendedStatus> = {
  不属于受理范围: 'NOT_COUNCILS_RESPONSIBILITY',
  信息不全无法核实: 'NO_FURTHER_ACTION',
  重复举报: 'DUPLICATE',
  恶意或虚假举报: 'NO_FURTHER_ACTION',
};

/** Spec status: open while the office or a village still works on it; everything else is closed. */
export const specStatus = (s: ComplaintStatus): 'open' | 'closed' => (OPEN_STATUSES.includes(s) ? 'open' : 'closed');

export function extendedStatus(s: ComplaintStatus, o: Outcome): ExtendedStatus {
  switch (s) {
    case 'submitted':
      return 'OPEN';
    case 'accepted':
      return 'INVESTIGATING';
    case 'assigned':
      return 'IN_PROGRESS';
    case 'rejected':
      return o.rejectReason ? REFUSED_AS[o.rejectReason] : 'NO_FURTHER_ACTION';
    case 'merged':
      return 'DUPLICATE';
    case 'resolved':
    case 'closed':
      return o.unfounded ? 'NO_FURTHER_ACTION' : 'FIXED';
  }
}

/**
 * status_notes: the public label, and for a closed report what "closed" means, since the spec's
 * status cannot say "closed, not fixed". Never the free text of a reply or a refusal's detail.
 */
export function statusNotes(s: ComplaintStatus, o: Outcome, extendedDays: number): string {
  switch (s) {
    case 'rejected':
      return o.rejectReason ? `${STATUS_LABELS.rejected}：${o.rejectReason}` : STATUS_LABELS.rejected;
    case 'merged':
      return o.mergedInto
        ? `重复举报，已合并到 ${o.mergedInto} 号举报一并办理（本条不单独处理）`
        : STATUS_LABELS.merged;
    case 'resolved':
    case 'closed': {
      const done = s === 'closed' ? '已办结归档' : STATUS_LABELS.resolved;
      if (o.unfounded) return `${done}：经属地现场核查，未发现反映的问题`;
      return o.stopped ? `${done}：经核查属实，已制止（整改）` : done;
    }
    default:
      return STATUS_LABELS[s] + (extendedDays > 0 ? '，办理期限已延长' : '');
  }
}

const NONE: Outcome = { rejectReason: null, mergedInto: null, unfounded: false, stopped: false };

/** The outcomes of these complaints, in three queries for the lot. */
export function outcomesOf(db: Db, ids: readonly number[]): (id: number) => Outcome {
  const out = new Map<number, Outcome>();
  const get = (id: number) => out.get(id) ?? { ...NONE };
  if (ids.length) {
    const list = [...new Set(ids)];
    for (const r of db
      .select({ id: complaints.id, mergedInto: complaints.mergedIntoId })
      .from(complaints)
      .where(and(inArray(complaints.id, list), eq(complaints.status, 'merged')))
      .all())
      out.set(r.id, { ...get(r.id), mergedInto: r.mergedInto });
    // The latest refusal's reason: its public note begins "理由：<one of REJECT_REASONS>".
    for (const e of db
      .select({ id: complaintEvents.complaintId, note: complaintEvents.publicNote })
      .from(complaintEvents)
      .where(and(inArray(complaintEvents.complaintId, list), eq(complaintEvents.action, 'reject')))
      .orderBy(desc(complaintEvents.id))
      .all()) {
      if (out.get(e.id)?.rejectReason) continue;
      const reason = REJECT_REASONS.find((r) => e.note?.startsWith(`理由：${r}`)) ?? null;
      if (reason) out.set(e.id, { ...get(e.id), rejectReason: reason });
    }
    // The answers the office approved in the latest 交办 (from the village's newest item on), as the loop decides.
    for (const a of db
      .select({ id: assignments.complaintId, outcome: assignments.outcome })
      .from(assignments)
      .where(
        and(
          inArray(assignments.complaintId, list),
          eq(assignments.status, 'approved'),
          sql`${assignments.id} >= (select max(b.id) from assignments b
            where b.complaint_id = ${assignments.complaintId} and b.department_id is null)`,
        ),
      )
      .all()) {
      const o = get(a.id);
      if (a.outcome === 'stopped') o.stopped = true;
      if (a.outcome === 'unfounded') o.unfounded = true;
      out.set(a.id, o);
    }
    for (const o of out.values()) if (o.stopped) o.unfounded = false;
  }
  return get;
}
