import { and, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { enterprises, revisits, tasks } from '../../../db/schema-enforcement.ts';
import type { StaffUser } from '../accounts/sessions.ts';

type Who = Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>;

/**
 * What a staff member may see of the enforcement work, as conditions every query carries:
 * a village officer his village only, a department officer what his department joins.
 */
function scoped(user: Who, village: AnyColumn, joinedBy: (departmentId: number) => SQL): SQL | undefined {
  if (user.role === 'village') return eq(village, user.villageId ?? -1);
  if (user.role === 'department') return joinedBy(user.departmentId ?? -1);
  return undefined;
}

/** An enterprise a department joins: one of its tasks names the department. */
const enterpriseJoinedBy = (enterpriseId: AnyColumn) => (departmentId: number) =>
  sql`exists (select 1 from tasks t join task_departments td on td.task_id = t.id where t.enterprise_id =
    ${enterpriseId} and td.department_id = ${departmentId})`;

export const taskScope = (user: Who) =>
  scoped(
    user,
    tasks.villageId,
    (d) => sql`exists (select 1 from task_departments td where td.task_id = ${tasks.id} and td.department_id = ${d})`,
  );
export const enterpriseScope = (user: Who) => scoped(user, enterprises.villageId, enterpriseJoinedBy(enterprises.id));
export const revisitScope = (user: Who) => scoped(user, revisits.villageId, enterpriseJoinedBy(revisits.enterpriseId));

export const visibleTask = (user: Who, id: number) => and(eq(tasks.id, id), taskScope(user));
export const visibleEnterprise = (user: Who, id: number) => and(eq(enterprises.id, id), enterpriseScope(user));
