import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { complaints } from '../../../db/schema.ts';
import type { StaffScope } from '../accounts/sessions.ts';

/**
 * The rows a staff member may see, as a condition every complaint query carries: a village
 * officer sees his village only; a department officer what his department joins; a township's office and leader
 * their township's, and those near its border that another township holds; the county all.
 */
export function complaintScope(user: StaffScope): SQL | undefined {
  switch (user.role) {
    case 'village':
      return eq(complaints.villageId, user.villageId ?? -1);
    case 'department':
      return sql`exists (select 1 from complaint_departments cd where cd.complaint_id = ${complaints.id} and
        cd.department_id = ${user.departmentId ?? -1})`;
    default:
      return user.townshipId == null
        ? undefined
        : or(eq(complaints.townshipId, user.townshipId), eq(complaints.borderTownshipId, user.townshipId));
  }
}

/** One complaint, if this staff member may see it. */
export const visibleComplaint = (user: StaffScope, id: number) => and(eq(complaints.id, id), complaintScope(user));
