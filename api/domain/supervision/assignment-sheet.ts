import { and, asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintDepartments,
  complaintEvents,
  complaints,
  departments,
  townships,
  villages,
} from '../../../db/schema.ts';
import { assignments } from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { visibleComplaint } from '../complaints/scope.ts';
import { currentItem, standsAssigned } from './village-item.ts';

/** 签收 and 反馈 deadlines of one work item; null where the complaint has no such item. */
export interface SheetDeadlines {
  ackDueAt: Date;
  answerDueAt: Date;
}

/** What the printed 交办单 (assignment sheet) of one complaint says: never the reporter, never the tracking code. */
export interface AssignmentSheet {
  id: number;
  townshipName: string;
  category: string;
  description: string;
  address: string | null;
  villageName: string | null;
  lat: number;
  lng: number;
  /** Null while the complaint is not assigned (未交办). */
  assignedAt: Date | null;
  village: SheetDeadlines | null;
  departments: { name: string; deadlines: SheetDeadlines | null }[];
}

/** The 交办单 of a complaint this staff member may open (the complaint page's scope), else null. */
export function assignmentSheet(db: Db, user: StaffUser, id: number): AssignmentSheet | null {
  const c = db
    .select({
      id: complaints.id,
      status: complaints.status,
      category: complaintCategories.name,
      description: complaints.description,
      address: complaints.address,
      villageName: villages.name,
      lat: complaints.lat,
      lng: complaints.lng,
      townshipName: townships.name,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(visibleComplaint(user, id))
    .get();
  if (!c) return null;
  const { status, ...shown } = c;
  const items = db.select().from(assignments).where(eq(assignments.complaintId, id)).all();
  const itemOf = (departmentId: number | null) =>
    currentItem(
      items.filter((i) => i.departmentId === departmentId),
      status,
    );
  const deadlines = (item: ReturnType<typeof itemOf>): SheetDeadlines | null =>
    item && { ackDueAt: item.ackDueAt, answerDueAt: item.answerDueAt };
  const villageItem = itemOf(null);
  // A complaint assigned before work items existed has its 交办 event and no deadlines of its own.
  const assignEvent = () =>
    db
      .select({ at: complaintEvents.at })
      .from(complaintEvents)
      .where(and(eq(complaintEvents.complaintId, id), eq(complaintEvents.action, 'assign')))
      .orderBy(desc(complaintEvents.at), desc(complaintEvents.id))
      .get()?.at ?? null;
  const joined = db
    .select({ id: departments.id, name: departments.name })
    .from(complaintDepartments)
    .innerJoin(departments, eq(departments.id, complaintDepartments.departmentId))
    .where(eq(complaintDepartments.complaintId, id))
    .orderBy(asc(departments.sort))
    .all();
  return {
    ...shown,
    assignedAt: standsAssigned(status) ? (villageItem?.createdAt ?? assignEvent()) : null,
    village: deadlines(villageItem),
    departments: joined.map((d) => ({ name: d.name, deadlines: deadlines(itemOf(d.id)) })),
  };
}
