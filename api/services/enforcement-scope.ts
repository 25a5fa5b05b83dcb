import { and, eq, sql, type SQL } from 'drizzle-orm';
import { enterprises, revisits, tasks } from '../../db/schema-enforcement.ts';
import type { StaffUser } from './auth/sessions.ts';

type Who = Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>;

/**
 * What a staff member may see of the enforcement work, as conditions every query carries:
 * a village officer his village only, a department officer what his department joins.
 */
export function taskScope(user: Who): SQL | undefined {
  switch (user.role) {
    case 'village':
      return eq(tasks.villageId, user.villageId ?? -1);
    case 'department':
      return sql`exists (select 1 from task_departments td where td.task_id = ${tasks.id} and td.department_id = ${user.departmentId ?? -1})`;
    default:
      return undefined;
  }
}

export function enterpriseScope(user: Who): SQL | undefined {
  switch (user.role) {
    case 'village':
      return eq(enterprises.villageId, user.villageId ?? -1);
    case 'department':
      return sql`exists (select 1 from tasks t join task_departments td on td.task_id = t.id where t.enterprise_id = ${enterprises.id} and td.department_id = ${user.departmentId ?? -1})`;
    default:
      return undefined;
  }
}

export function revisitScope(user: Who): SQL | undefined {
  switch (user.role) {
    case 'village':
      return eq(revisits.villageId, user.villageId ?? -1);
    case 'department':
      return sql`exists (select 1 from tasks t join task_departments td on td.task_id = t.id where t.enterprise_id = ${revisits.enterpriseId} and td.department_id = ${user.departmentId ?? -1})`;
    default:
      return undefined;
  }
}

export const visibleTask = (user: Who, id: number) => and(eq(tasks.id, id), taskScope(user));
export const visibleEnterprise = (user: Who, id: number) => and(eq(enterprises.id, id), enterpriseScope(user));

/** Who plans and accepts enforcement work (the office), as against who does it. */
export const isOffice = (user: Pick<StaffUser, 'role'>) => user.role === 'admin' || user.role === 'triage';
