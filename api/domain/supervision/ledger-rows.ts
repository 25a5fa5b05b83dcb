import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, asc, eq, inArray, isNotNull, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, complaintEvents, complaints, villages } from '../../../db/schema.ts';
import { enterpriseComplaints, enterprises } from '../../../db/schema-enforcement.ts';
import { assignments, type AssignmentOutcome } from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { listQueue, type QueueQuery } from '../complaints/queue.ts';
import { enterpriseScope } from '../enforcement/scope.ts';
import { beijingDate } from '../shared/time.ts';
import { currentItem, standsAssigned } from './village-item.ts';

/** One line of the complaint ledger (举报台账): never the reporter's name, phone or tracking code. */
export interface LedgerRow {
  id: number;
  receivedAt: Date;
  source: string;
  subject: string;
  address: string;
  category: string;
  village: string;
  assignedAt: Date | null;
  answerDueAt: Date | null;
  acknowledgedAt: Date | null;
  answeredAt: Date | null;
  founded: string;
  finding: string;
  resolvedAt: Date | null;
  replies: string;
}

export const SOURCE_NAMES: Record<(typeof complaints.$inferSelect)['source'], string> = {
  web: '网站',
  form: '网站',
  api: 'Open311 合作方',
  seed: '示例',
};

/** 是否属实, from the village's answer. */
export const FOUNDED_NAMES: Record<AssignmentOutcome, string> = {
  stopped: '属实',
  needs_case: '属实',
  unfounded: '不属实',
  not_ours: '不属本村',
};

export const NOT_REPLIED = '未答复';
const NO_VILLAGE = '待定属地';

/**
 * The ledger's complaints, a page at a time, exactly as the queue lists them (its filters, its
 * search, its order, the viewer's scope): each page is one of the queue's, and the event loop gets
 * a turn between reading a page and reading its columns, and before the next page.
 */
export async function* ledgerPages(db: Db, user: StaffUser, q: QueueQuery, now: Date): AsyncGenerator<LedgerRow[]> {
  const seen = new Set<number>();
  let after: string | undefined;
  do {
    const page = listQueue(db, user, { ...q, after }, now);
    const ids = [...(page.match ? [page.match] : []), ...page.rows].map((r) => r.id).filter((id) => !seen.has(id));
    for (const id of ids) seen.add(id);
    await nextTurn();
    if (ids.length) yield ledgerRows(db, user, ids);
    after = page.nextCursor ?? undefined;
  } while (after);
}

/** The ledger's columns for these complaints (already within the viewer's scope), in the order given. */
function ledgerRows(db: Db, user: StaffUser, ids: number[]): LedgerRow[] {
  // A linked enterprise the viewer may not open is not named: the row reads as if none were linked.
  const visibleEnterprise = and(eq(enterprises.id, enterpriseComplaints.enterpriseId), enterpriseScope(user));
  const base = db
    .select({
      id: complaints.id,
      createdAt: complaints.createdAt,
      source: complaints.source,
      status: complaints.status,
      address: complaints.address,
      lat: complaints.lat,
      lng: complaints.lng,
      description: complaints.description,
      category: complaintCategories.name,
      village: villages.name,
      enterprise: enterprises.name,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .leftJoin(enterpriseComplaints, eq(enterpriseComplaints.complaintId, complaints.id))
    .leftJoin(enterprises, visibleEnterprise)
    .where(inArray(complaints.id, ids))
    .all();
  // The village's own items (a department's is its own matter).
  const items = Map.groupBy(
    db
      .select()
      .from(assignments)
      .where(and(inArray(assignments.complaintId, ids), isNull(assignments.departmentId)))
      .all(),
    (a) => a.complaintId,
  );
  const events = db
    .select({
      complaintId: complaintEvents.complaintId,
      action: complaintEvents.action,
      toStatus: complaintEvents.toStatus,
      publicNote: complaintEvents.publicNote,
      at: complaintEvents.at,
    })
    .from(complaintEvents)
    .where(
      and(
        inArray(complaintEvents.complaintId, ids),
        or(
          isNotNull(complaintEvents.publicNote),
          eq(complaintEvents.toStatus, 'resolved'),
          eq(complaintEvents.action, 'assign'),
        ),
      ),
    )
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .all();
  const byComplaint = Map.groupBy(events, (e) => e.complaintId);
  const byId = new Map(base.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    if (!c) return [];
    const item = currentItem(items.get(id) ?? [], c.status);
    const history = byComplaint.get(id) ?? [];
    const replies = history.filter((e) => e.publicNote).map((e) => `${beijingDate(e.at)}：${e.publicNote}`);
    const done = c.status === 'resolved' || c.status === 'closed';
    return [
      {
        id,
        receivedAt: c.createdAt,
        source: SOURCE_NAMES[c.source],
        subject: c.enterprise ?? subjectFrom(c.category, c.description),
        address: c.address ?? `坐标 ${c.lat.toFixed(5)}, ${c.lng.toFixed(5)}`,
        category: c.category,
        village: c.village ?? NO_VILLAGE,
        // Complaints assigned before work items existed keep the time of their 交办 event.
        assignedAt: standsAssigned(c.status)
          ? (item?.createdAt ?? history.findLast((e) => e.action === 'assign')?.at ?? null)
          : null,
        answerDueAt: item?.answerDueAt ?? null,
        acknowledgedAt: item?.acknowledgedAt ?? null,
        answeredAt: item?.answeredAt ?? null,
        founded: item?.outcome ? FOUNDED_NAMES[item.outcome] : '',
        finding: item?.finding ?? '',
        resolvedAt: done ? (history.findLast((e) => e.toStatus === 'resolved')?.at ?? null) : null,
        replies: replies.length ? replies.join('\n') : NOT_REPLIED,
      },
    ];
  });
}

/** What was reported when no enterprise file names it: the category and the description's first words. */
export function subjectFrom(category: string, description: string): string {
  const first = description
    .trim()
    .split(/[。，,；;！!？?\n]/, 1)[0]!
    .trim();
  const words = [...first];
  const short = words.length > 20 ? `${words.slice(0, 20).join('')}…` : first;
  return short ? `${category}：${short}` : category;
}
