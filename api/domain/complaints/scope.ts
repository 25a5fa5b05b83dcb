import { and, eq, sql, type SQL } from 'drizzle-orm';
import { complaints } from '../../../db/schema.ts';
import type { StaffUser } from '../accounts/sessions.ts';

/**
 * The rows a staff member may see, as a condition every complaint query carries: a village
 * officer sees his village only; a department officer what his department joins.
 */
export function complaintScope(user: Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>): SQL | undefined {
  switch (user.role) {
    case 'village':
      return eq(complaints.villageId, user.villageId ?? -1);
    case 'department':
      return sql`exists (select 1 from complaint_departments cd where cd.complaint_id = ${complaints.id} and
        cd.department_id = ${user.departmentId ?? -1})`;
    default:
      return undefined;
  }
}

/** One complaint, if this staff member may see it. */
export const visibleComplaint = (user: Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>, id: number) =>
  and(eq(complaints.id, id), complaintScope(user));
