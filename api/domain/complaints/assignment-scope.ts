import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { assignments } from '../../../db/schema-supervision.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { townshipCondition } from '../shared/township-scope.ts';

type Who = StaffScope;

/**
 * The work items a staff member may see, as a condition every query carries: a village officer his
 * village's own items (not the departments' on his village), a department officer his department's, a township's
 * office and leader their township's villages' items.
 */
export function assignmentScope(user: Who): SQL | undefined {
  switch (user.role) {
    case 'village':
      return and(eq(assignments.villageId, user.villageId ?? -1), isNull(assignments.departmentId));
    case 'department':
      return eq(assignments.departmentId, user.departmentId ?? -1);
    default:
      return townshipCondition(user, { village: assignments.villageId });
  }
}

export const visibleAssignment = (user: Who, id: number) => and(eq(assignments.id, id), assignmentScope(user));

/** Whether this account answers for the item: its village's officer, or an officer of its department. */
export const isAssignee = (user: Who, item: { villageId: number; departmentId: number | null }) =>
  item.departmentId == null
    ? user.role === 'village' && user.villageId === item.villageId
    : user.role === 'department' && user.departmentId === item.departmentId;
