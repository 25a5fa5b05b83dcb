import { asc, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, departments, villages } from '../../../db/schema.ts';
import type { AtLevel } from './township-scope.ts';

/**
 * The lists the back-office's selects offer. Within a township (an account's own, or the township of the record
 * being edited) the villages are that township's and the departments the county's and its own 站所; null or
 * nothing given: the whole county's.
 */
export function adminLookups(db: Db, within: AtLevel = { townshipId: null }) {
  const t = within.townshipId;
  return {
    categories: db
      .select({ id: complaintCategories.id, name: complaintCategories.name })
      .from(complaintCategories)
      .orderBy(asc(complaintCategories.sort))
      .all(),
    villages: db
      .select({ id: villages.id, name: villages.name, townshipId: villages.townshipId })
      .from(villages)
      .where(t == null ? undefined : eq(villages.townshipId, t))
      .orderBy(asc(villages.id))
      .all(),
    departments: db
      .select({ id: departments.id, name: departments.name, townshipId: departments.townshipId })
      .from(departments)
      .where(t == null ? undefined : or(isNull(departments.townshipId), eq(departments.townshipId, t)))
      .orderBy(asc(departments.sort), asc(departments.id))
      .all(),
  };
}
