import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { assignments } from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';

type Who = Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>;

/**
 * The work items a staff member may see, as a condition every query carries: a village officer his
 * village's own items (not the departments' on his village), a department officer his department's.
 */
export function assignmentScope(user: Who): SQL | undefined {
  switch (user.role) {
    case 'village':
      return and(eq(assignments.villageId, user.villageId ?? -1), isNull(assignments.departmentId));
    case 'department':
      return eq(assignments.departmentId, user.departmentId ?? -1);
    default:
      return undefined;
  }
}

export const visibleAssignment = (user: Who, id: number) => and(eq(assignments.id, id), assignmentScope(user));

/** Whether this account answers for the item: its village's officer, or an officer of its department. */
export const isAssignee = (user: Who, item: { villageId: number; departmentId: number | null }) =>
  item.departmentId == null
    ? user.role === 'village' && user.villageId === item.villageId
    : user.role === 'department' && user.departmentId === item.departmentId;
