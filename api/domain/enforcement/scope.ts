import { and, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { enterprises, revisits, tasks } from '../../../db/schema-enforcement.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { townshipCondition } from '../shared/township-scope.ts';

type Who = StaffScope;

/**
 * What a staff member may see of the enforcement work, as conditions every query carries:
 * a village officer his village only, a department officer what his department joins, a township's office and
 * leader their township's; the county all.
 */
function scoped(
  user: Who,
  village: AnyColumn,
  joinedBy: (departmentId: number) => SQL,
  township?: AnyColumn,
): SQL | undefined {
  if (user.role === 'village') return eq(village, user.villageId ?? -1);
  if (user.role === 'department') return joinedBy(user.departmentId ?? -1);
  return townshipCondition(user, township ? { township } : { village });
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
export const enterpriseScope = (user: Who) =>
  scoped(user, enterprises.villageId, enterpriseJoinedBy(enterprises.id), enterprises.townshipId);
export const revisitScope = (user: Who) => scoped(user, revisits.villageId, enterpriseJoinedBy(revisits.enterpriseId));

export const visibleTask = (user: Who, id: number) => and(eq(tasks.id, id), taskScope(user));
export const visibleEnterprise = (user: Who, id: number) => and(eq(enterprises.id, id), enterpriseScope(user));
