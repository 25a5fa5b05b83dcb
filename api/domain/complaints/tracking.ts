import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { ActionName } from './workflow.ts';
import { FOLLOWUP_STEP_LABELS, type FollowupAction } from './followup-kinds.ts';
import { publicTrackPhotos } from './track-photos.ts';
import {
  complaintCategories,
  complaintEvents,
  complaintPhotos,
  complaints,
  townships,
  villages,
  type ComplaintStatus,
} from '../../../db/schema.ts';

export const STATUS_LABELS: Record<ComplaintStatus, string> = {
  submitted: '已提交，待受理',
  accepted: '已受理',
  rejected: '不予受理',
  merged: '已合并到其他举报',
  assigned: '已交办属地处理',
  resolved: '已办结',
  closed: '已归档',
};

/** What the holder of a tracking code may see: never the contact, never the photos' private fields. */
export interface PublicComplaint {
  trackingCode: string;
  status: ComplaintStatus;
  statusLabel: string;
  category: string;
  /** The township whose office holds it. */
  townshipName: string;
  villageName: string | null;
  outsideVillages: boolean;
  description: string;
  createdAt: string;
  timeline: { status: ComplaintStatus; statusLabel: string; at: string; note: string | null }[];
  photos: { id: string; width: number; height: number }[];
  /** The closing evidence the office chose to show: public copies, blurred, without metadata (track-photos.ts). */
  evidence: { id: string; width: number; height: number }[];
  /** Merged into another report: the reporter follows that one's public progress (never its code or text). */
  followed: { status: ComplaintStatus; statusLabel: string; timeline: PublicComplaint['timeline'] } | null;
}

type Step = { from: ComplaintStatus | null; to: ComplaintStatus };

/**
 * What each step was, in the reporter's words: named for the action, not for the status it left
 * (a reopened report is not "submitted" again, a re-routed one not "accepted" again). Every
 * action has its words here, or this does not compile.
 */
const STEP_LABELS: Record<ActionName, (s: Step) => string> = {
  accept: () => STATUS_LABELS.accepted,
  reject: () => STATUS_LABELS.rejected,
  merge: () => STATUS_LABELS.merged,
  assign: (s) => (s.from === 'assigned' ? '调整承办单位' : STATUS_LABELS.assigned),
  resolve: () => STATUS_LABELS.resolved,
  reroute: () => '重新确定承办单位',
  close: () => STATUS_LABELS.closed,
  reopen: (s) => (s.to === 'submitted' ? '重新打开，待受理' : '重新办理'),
  extend: () => '办理期限延长',
  classify: () => '调整问题类别',
  locate: () => '确定位置',
  handover: () => '转由属地乡镇（街道）办理',
  reply: () => '答复',
  note: () => '答复',
};
const TASK_OPENED = '已列入整治任务';

function stepLabel(e: Step & { action: string; taskOpened: boolean }): string {
  if (e.taskOpened) return TASK_OPENED;
  if (e.action in FOLLOWUP_STEP_LABELS) return FOLLOWUP_STEP_LABELS[e.action as FollowupAction];
  if (e.action in STEP_LABELS) return STEP_LABELS[e.action as ActionName](e);
  // The filing itself, or a step of a kind this list has not met: what it led to.
  return e.from === e.to ? '答复' : STATUS_LABELS[e.to];
}

// Opening a remediation task assigns the enterprise's complaints in the same instant: such a step
// is the task's opening, whatever status it kept.
const taskOpened = sql<number>`exists (select 1 from task_events te
  join tasks t on t.id = te.task_id
  join enterprise_complaints ec on ec.enterprise_id = t.enterprise_id
  where ec.complaint_id = ${complaintEvents.complaintId} and te.action = 'create' and te.at = ${complaintEvents.at})`;

// The reporter sees status changes and the answers written to the public, nothing internal. Someone following
// the report sees its status changes only: the answers were written to its own reporter.
function publicTimeline(db: Db, complaintId: number, { notes = true } = {}): PublicComplaint['timeline'] {
  return db
    .select({
      to: complaintEvents.toStatus,
      from: complaintEvents.fromStatus,
      action: complaintEvents.action,
      at: complaintEvents.at,
      note: complaintEvents.publicNote,
      taskOpened: sql<number>`case when ${complaintEvents.action} = 'assign' then ${taskOpened} else 0 end`,
    })
    .from(complaintEvents)
    .where(eq(complaintEvents.complaintId, complaintId))
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .all()
    .filter((e) => e.from !== e.to || (notes && e.note))
    .map((e) => ({
      status: e.to,
      statusLabel: stepLabel({ ...e, taskOpened: e.taskOpened === 1 }),
      at: e.at.toISOString(),
      note: notes ? e.note : null,
    }));
}

export function getPublicComplaint(db: Db, trackingCode: string): PublicComplaint | null {
  const c = db
    .select({
      id: complaints.id,
      trackingCode: complaints.trackingCode,
      status: complaints.status,
      category: complaintCategories.name,
      townshipName: townships.name,
      villageName: villages.name,
      outsideVillages: complaints.outsideVillages,
      description: complaints.description,
      createdAt: complaints.createdAt,
      mergedIntoId: complaints.mergedIntoId,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(eq(complaints.trackingCode, trackingCode))
    .get();
  if (!c) return null;
  const original =
    c.status === 'merged' && c.mergedIntoId
      ? db
          .select({ id: complaints.id, status: complaints.status })
          .from(complaints)
          .where(eq(complaints.id, c.mergedIntoId))
          .get()
      : undefined;
  const photos = db
    .select({ id: complaintPhotos.id, width: complaintPhotos.width, height: complaintPhotos.height })
    .from(complaintPhotos)
    .where(eq(complaintPhotos.complaintId, c.id))
    .orderBy(asc(complaintPhotos.seq))
    .all();
  return {
    trackingCode: c.trackingCode,
    status: c.status,
    statusLabel: STATUS_LABELS[c.status],
    category: c.category,
    townshipName: c.townshipName,
    villageName: c.villageName,
    outsideVillages: c.outsideVillages,
    description: c.description,
    createdAt: c.createdAt.toISOString(),
    timeline: publicTimeline(db, c.id),
    photos,
    evidence: publicTrackPhotos(db, c.id),
    followed: original
      ? {
          status: original.status,
          statusLabel: STATUS_LABELS[original.status],
          timeline: publicTimeline(db, original.id, { notes: false }),
        }
      : null,
  };
}

/** The stored file of one of this complaint's photos, for the holder of its tracking code. */
export function findPublicPhotoFile(
  db: Db,
  trackingCode: string,
  photoId: string,
  size: 'display' | 'thumb',
): string | null {
  const row = db
    .select({ file: complaintPhotos.file, thumbFile: complaintPhotos.thumbFile })
    .from(complaintPhotos)
    .innerJoin(complaints, eq(complaints.id, complaintPhotos.complaintId))
    .where(and(eq(complaintPhotos.id, photoId), eq(complaints.trackingCode, trackingCode)))
    .get();
  if (!row) return null;
  return size === 'thumb' ? row.thumbFile : row.file;
}
