import { asc } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, departments, villages } from '../../../db/schema.ts';

/** The lists the back-office's selects offer. */
export function adminLookups(db: Db) {
  return {
    categories: db
      .select({ id: complaintCategories.id, name: complaintCategories.name })
      .from(complaintCategories)
      .orderBy(asc(complaintCategories.sort))
      .all(),
    villages: db.select({ id: villages.id, name: villages.name }).from(villages).orderBy(asc(villages.id)).all(),
    departments: db
      .select({ id: departments.id, name: departments.name })
      .from(departments)
      .orderBy(asc(departments.sort))
      .all(),
  };
}
