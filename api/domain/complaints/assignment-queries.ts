import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, complaints, departments, townships, users, villages } from '../../../db/schema.ts';
import {
  assignmentEvents,
  assignments,
  departmentActions,
  type AssignmentStatus,
} from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { fieldPhotoFile } from '../shared/photos/evidence.ts';
import { DEFAULT_EVIDENCE_RULES, type EvidenceRules, fieldPhotoViews, photoKey } from '../shared/photos/views.ts';
import { assignmentScope, visibleAssignment } from './assignment-scope.ts';

const itemColumns = {
  id: assignments.id,
  complaintId: assignments.complaintId,
  villageId: assignments.villageId,
  departmentId: assignments.departmentId,
  status: assignments.status,
  ackDueAt: assignments.ackDueAt,
  answerDueAt: assignments.answerDueAt,
  acknowledgedAt: assignments.acknowledgedAt,
  answeredAt: assignments.answeredAt,
  outcome: assignments.outcome,
  finding: assignments.finding,
  returnCount: assignments.returnCount,
  urgeCount: assignments.urgeCount,
  lastUrgedAt: assignments.lastUrgedAt,
  version: assignments.version,
  createdAt: assignments.createdAt,
  village: villages.name,
  /** The village's township: a county account's lists name it beside the village. */
  township: townships.name,
  department: departments.name,
  category: complaintCategories.name,
  address: complaints.address,
  complaintStatus: complaints.status,
};

const listed = (db: Db) =>
  db
    .select(itemColumns)
    .from(assignments)
    .innerJoin(complaints, eq(complaints.id, assignments.complaintId))
    .innerJoin(villages, eq(villages.id, assignments.villageId))
    .innerJoin(townships, eq(townships.id, villages.townshipId))
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .leftJoin(departments, eq(departments.id, assignments.departmentId));

export type AssignmentRow = Awaited<ReturnType<ReturnType<typeof listed>['all']>>[number];

/** The items in this staff member's scope with the given statuses, the most urgent deadline first. */
export function listAssignments(db: Db, user: StaffUser, statuses: readonly AssignmentStatus[], extra?: SQL) {
  return listed(db)
    .where(and(inArray(assignments.status, [...statuses]), assignmentScope(user), extra))
    .orderBy(desc(assignments.urgeCount), asc(assignments.answerDueAt), asc(assignments.id))
    .limit(500)
    .all();
}

/** A complaint's items as this staff member may see them, for the complaint's page. */
export function complaintAssignments(db: Db, user: StaffUser, complaintId: number) {
  return listed(db)
    .where(and(eq(assignments.complaintId, complaintId), assignmentScope(user)))
    .orderBy(asc(assignments.id))
    .all();
}

/**
 * One work item for its page: the complaint as the assignee needs it (never the reporter's contact or
 * tracking code), the trail, the answer's photos with their distance from the reported point, and a
 * department's records.
 */
export function getAssignment(db: Db, user: StaffUser, id: number, rules: EvidenceRules = DEFAULT_EVIDENCE_RULES) {
  const item = listed(db).where(visibleAssignment(user, id)).get();
  if (!item) return null;
  const c = db
    .select({
      id: complaints.id,
      lat: complaints.lat,
      lng: complaints.lng,
      description: complaints.description,
      createdAt: complaints.createdAt,
      dueAt: complaints.dueAt,
      version: complaints.version,
    })
    .from(complaints)
    .where(eq(complaints.id, item.complaintId))
    .get()!;
  const actor = alias(users, 'actor');
  const events = db
    .select({
      action: assignmentEvents.action,
      fromStatus: assignmentEvents.fromStatus,
      toStatus: assignmentEvents.toStatus,
      note: assignmentEvents.note,
      at: assignmentEvents.at,
      actor: actor.displayName,
    })
    .from(assignmentEvents)
    .leftJoin(actor, eq(actor.id, assignmentEvents.actorId))
    .where(eq(assignmentEvents.assignmentId, id))
    .orderBy(asc(assignmentEvents.at), asc(assignmentEvents.id))
    .all();
  const site = () => ({ lat: c.lat, lng: c.lng });
  const rows = db
    .select()
    .from(departmentActions)
    .where(eq(departmentActions.assignmentId, id))
    .orderBy(asc(departmentActions.id))
    .all();
  const recordPhotos = fieldPhotoViews(
    db,
    user,
    'department_action',
    rows.map((r) => r.id),
    site,
    rules,
  );
  return {
    item,
    complaint: c,
    events,
    photos: fieldPhotoViews(db, user, 'assignment', [id], site, rules).get(photoKey(id)) ?? [],
    records: rows.map((r) => ({ ...r, photos: recordPhotos.get(photoKey(r.id)) ?? [] })),
  };
}

/** A stored photo of an item's answer or of one of its department records, if the item is visible. */
export function assignmentPhotoFile(db: Db, user: StaffUser, id: number, photoId: string, size: 'display' | 'thumb') {
  const item = db.select({ id: assignments.id }).from(assignments).where(visibleAssignment(user, id)).get();
  if (!item) return null;
  const own = fieldPhotoFile(db, { subject: 'assignment', subjectId: id }, photoId, size);
  if (own) return own;
  const recordIds = db
    .select({ id: departmentActions.id })
    .from(departmentActions)
    .where(eq(departmentActions.assignmentId, id))
    .all();
  for (const r of recordIds) {
    const f = fieldPhotoFile(db, { subject: 'department_action', subjectId: r.id }, photoId, size);
    if (f) return f;
  }
  return null;
}
