import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { complaintCategories, complaintEvents, complaints } from '../../db/schema.ts';

const p = (name: string) => sql.placeholder(name);

// The report path runs these thousands of times a minute under load: build and prepare them once.
function prepare(db: Db) {
  return {
    categoryByCode: db
      .select({ id: complaintCategories.id })
      .from(complaintCategories)
      .where(and(eq(complaintCategories.code, p('code')), eq(complaintCategories.active, true)))
      .prepare(),
    insertComplaint: db
      .insert(complaints)
      .values({
        trackingCode: p('trackingCode'), townshipId: p('townshipId'), villageId: p('villageId'), outsideVillages: p('outsideVillages'),
        categoryId: p('categoryId'), lat: p('lat'), lng: p('lng'), address: p('address'), description: p('description'),
        // Wrapped so null passes as is: drizzle maps a bare placeholder through Date#getTime.
        seenAt: sql`${p('seenAtMs')}`, status: 'submitted', dueAt: p('dueAt'), hasPhotos: p('hasPhotos'), possibleDuplicate: p('possibleDuplicate'), source: p('source'), idempotencyKey: p('idempotencyKey'),
        createdAt: p('createdAt'), updatedAt: p('createdAt'),
      })
      .returning({ id: complaints.id })
      .prepare(),
    insertSubmittedEvent: db
      .insert(complaintEvents)
      .values({ complaintId: p('complaintId'), fromStatus: null, toStatus: 'submitted', at: p('at') })
      .prepare(),
  };
}

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

export function complaintStatements(db: Db): ReturnType<typeof prepare> {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = prepare(db)));
  return s;
}
