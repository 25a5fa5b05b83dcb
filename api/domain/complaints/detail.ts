import { and, asc, eq, getTableColumns, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintContacts,
  complaintDepartments,
  complaintEvents,
  complaintPhotos,
  complaints,
  departments,
  townships,
  users,
  villages,
} from '../../../db/schema.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { canSeeContact } from '../shared/roles.ts';
import { complaintScope, visibleComplaint } from './scope.ts';
import { distanceM, DUPLICATE_RULE, nearbyComplaints } from './neighbours.ts';
import { DAY_MS } from '../shared/time.ts';

// The tracking code is the reporter's key to his report, and the idempotency key replays its
// receipt: neither is staff business, so neither leaves the database towards a staff screen.
// The merge target goes out only as a link through the viewer's scope (`mergedInto`).
const {
  trackingCode: _code,
  idempotencyKey: _key,
  idempotencyHash: _hash,
  mergedIntoId: _target,
  ...STAFF_COLUMNS
} = getTableColumns(complaints);

/** A complaint another one points to (merged into): named only if this user may open it. */
export type LinkedComplaint = { id: number; status: string } | { hidden: true };

/** One complaint as staff see it: everything but the contact, which is revealed separately. */
export function getStaffComplaint(db: Db, user: StaffUser, id: number) {
  const c = db
    .select({
      complaint: STAFF_COLUMNS,
      mergedIntoId: complaints.mergedIntoId,
      category: complaintCategories.name,
      villageName: villages.name,
      townshipName: townships.name,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(visibleComplaint(user, id))
    .get();
  if (!c) return null;
  const { mergedIntoId, ...shown } = c;
  const { complaint } = c;
  const photos = db
    .select()
    .from(complaintPhotos)
    .where(eq(complaintPhotos.complaintId, id))
    .orderBy(asc(complaintPhotos.seq))
    .all()
    .map((p) => ({
      id: p.id,
      width: p.width,
      height: p.height,
      exifSource: p.exifSource,
      exifTakenAt: p.exifTakenAt,
      /** Sent later by the reporter with the tracking code (followups.ts). */
      followupId: p.followupId,
      exifPoint: p.exifLat !== null && p.exifLng !== null ? { lat: p.exifLat, lng: p.exifLng } : null,
      distanceFromPinM:
        p.exifLat !== null && p.exifLng !== null
          ? Math.round(distanceM(complaint, { lat: p.exifLat, lng: p.exifLng }))
          : null,
    }));
  const events = db
    .select({
      id: complaintEvents.id,
      action: complaintEvents.action,
      fromStatus: complaintEvents.fromStatus,
      toStatus: complaintEvents.toStatus,
      at: complaintEvents.at,
      publicNote: complaintEvents.publicNote,
      internalNote: complaintEvents.internalNote,
      actor: users.displayName,
    })
    .from(complaintEvents)
    .leftJoin(users, eq(users.id, complaintEvents.actorId))
    .where(eq(complaintEvents.complaintId, id))
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .all();
  const joined = db
    .select({ id: departments.id, name: departments.name })
    .from(complaintDepartments)
    .innerJoin(departments, eq(departments.id, complaintDepartments.departmentId))
    .where(eq(complaintDepartments.complaintId, id))
    .all();
  // A report not yet placed has a placeholder point (decision 016): nothing is near it.
  const near = complaint.needsLocation
    ? []
    : nearbyComplaints(
        db.$client,
        complaint,
        DUPLICATE_RULE.metres,
        complaint.createdAt.getTime() - DUPLICATE_RULE.days * DAY_MS,
      ).filter((n) => n.id !== id);
  // Only neighbours this user may open.
  const open = new Set(
    near.length
      ? db
          .select({ id: complaints.id })
          .from(complaints)
          .where(
            and(
              inArray(
                complaints.id,
                near.map((n) => n.id),
              ),
              complaintScope(user),
            ),
          )
          .all()
          .map((r) => r.id)
      : [],
  );
  const visibleNear = near.filter((n) => open.has(n.id));
  const hasContact = !!db
    .select({ id: complaintContacts.complaintId })
    .from(complaintContacts)
    .where(eq(complaintContacts.complaintId, id))
    .get();
  const mergedInto = mergedIntoId ? linkedComplaint(db, user, mergedIntoId) : null;
  return {
    ...shown,
    photos,
    events,
    departments: joined,
    neighbours: visibleNear,
    mergedInto,
    contact: canSeeContact(user) ? { exists: hasContact } : null,
  };
}

export type StaffComplaint = NonNullable<ReturnType<typeof getStaffComplaint>>;

/** Another complaint as a link: its id and status if this user may open it, else only that it exists. */
function linkedComplaint(db: Db, user: StaffUser, id: number): LinkedComplaint {
  return (
    db
      .select({ id: complaints.id, status: complaints.status })
      .from(complaints)
      .where(visibleComplaint(user, id))
      .get() ?? { hidden: true }
  );
}

/** The reporter's contact, for a role that needs it, with a reason; every view is audited. */
export function revealContact(db: Db, user: StaffUser, id: number, reason: string, now = new Date()) {
  if (!canSeeContact(user)) return null;
  const visible = db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, id)).get();
  if (!visible) return null;
  const contact = db
    .select({ name: complaintContacts.name, phone: complaintContacts.phone, email: complaintContacts.email })
    .from(complaintContacts)
    .where(eq(complaintContacts.complaintId, id))
    .get();
  audit(
    db,
    { id: user.id, label: user.displayName },
    { action: 'complaint.contact_view', objectType: 'complaint', objectId: id, reason },
    now,
  );
  if (!contact) return { name: null, phone: null };
  const { email, ...rest } = contact;
  return email ? { ...rest, email } : rest;
}

/** A photo file of a complaint this user may see. */
export function staffPhotoFile(
  db: Db,
  user: StaffUser,
  complaintId: number,
  photoId: string,
  size: 'display' | 'thumb',
): string | null {
  const row = db
    .select({ file: complaintPhotos.file, thumbFile: complaintPhotos.thumbFile })
    .from(complaintPhotos)
    .innerJoin(complaints, eq(complaints.id, complaintPhotos.complaintId))
    .where(and(eq(complaintPhotos.id, photoId), visibleComplaint(user, complaintId)))
    .get();
  return row ? (size === 'thumb' ? row.thumbFile : row.file) : null;
}
