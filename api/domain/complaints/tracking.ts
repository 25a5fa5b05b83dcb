import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintEvents,
  complaintPhotos,
  complaints,
  villages,
  type ComplaintStatus,
} from '../../../db/schema.ts';

const SAME_STATUS_LABELS: Record<string, string> = {
  reply: '答复',
  extend: '办理期限延长',
  classify: '调整类别',
  assign: '重新交办',
};

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
  villageName: string | null;
  outsideVillages: boolean;
  description: string;
  createdAt: string;
  timeline: { status: ComplaintStatus; statusLabel: string; at: string; note: string | null }[];
  photos: { id: string; width: number; height: number }[];
  /** Merged into another report: the reporter follows that one's public progress (never its code or text). */
  followed: { status: ComplaintStatus; statusLabel: string; timeline: PublicComplaint['timeline'] } | null;
}

// The reporter sees status changes and the answers written to the public, nothing internal.
function publicTimeline(db: Db, complaintId: number): PublicComplaint['timeline'] {
  return (
    db
      .select({
        status: complaintEvents.toStatus,
        from: complaintEvents.fromStatus,
        action: complaintEvents.action,
        at: complaintEvents.at,
        note: complaintEvents.publicNote,
      })
      .from(complaintEvents)
      .where(eq(complaintEvents.complaintId, complaintId))
      .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
      .all()
      .filter((e) => e.from !== e.status || e.note)
      // A step that keeps the status (a reply, an extension) is named for what it was.
      .map((e) => ({
        status: e.status,
        statusLabel: e.from === e.status ? (SAME_STATUS_LABELS[e.action] ?? '答复') : STATUS_LABELS[e.status],
        at: e.at.toISOString(),
        note: e.note,
      }))
  );
}

export function getPublicComplaint(db: Db, trackingCode: string): PublicComplaint | null {
  const c = db
    .select({
      id: complaints.id,
      trackingCode: complaints.trackingCode,
      status: complaints.status,
      category: complaintCategories.name,
      villageName: villages.name,
      outsideVillages: complaints.outsideVillages,
      description: complaints.description,
      createdAt: complaints.createdAt,
      mergedIntoId: complaints.mergedIntoId,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
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
    villageName: c.villageName,
    outsideVillages: c.outsideVillages,
    description: c.description,
    createdAt: c.createdAt.toISOString(),
    timeline: publicTimeline(db, c.id),
    photos,
    followed: original
      ? {
          status: original.status,
          statusLabel: STATUS_LABELS[original.status],
          timeline: publicTimeline(db, original.id),
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
