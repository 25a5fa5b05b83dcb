import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaintCounts, complaints, townships } from '../../../db/schema.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { villageInTownship } from '../shared/township-scope.ts';
import type { QueueQuery } from './queue.ts';

/** The complaints a township's office sees (complaintScope's rule), the township named by its code. */
export function townshipFilter(code: string): SQL {
  const id = sql`(select t.id from townships t where t.code = ${code})`;
  return sql`(${complaints.townshipId} = ${id} or ${complaints.borderTownshipId} = ${id})`;
}

/**
 * The township whose queue is read newest first by walking ids down, when that is the fast way: a township's office
 * or leader (or a county account's township filter) with no other filter, the township holding at least 1/200 of the
 * county's complaints, so that a page of 50 is met within some 10,000 ids. The township index would read every one
 * of its rows to sort them (30 ms for a township of 80,000; decision 023); a small township's few rows sort fast.
 */
export function walkingTownship(db: Db, user: StaffUser, q: QueueQuery): number | undefined {
  const { sort, after: _a, township, ...rest } = q;
  if (sort !== 'newest' || Object.values(rest).some((v) => v !== undefined)) return undefined;
  if (user.role === 'village' || user.role === 'department') return undefined;
  const id =
    user.townshipId ??
    (township ? db.select({ id: townships.id }).from(townships).where(eq(townships.code, township)).get()?.id : null);
  if (id == null || (user.townshipId != null && township)) return undefined;
  const inTownship = villageInTownship(complaintCounts.villageId, id);
  const share = db
    .select({
      mine: sql<number>`coalesce(sum(case when ${inTownship} then ${complaintCounts.n} end), 0)`,
      all: sql<number>`coalesce(sum(${complaintCounts.n}), 0)`,
    })
    .from(complaintCounts)
    .get()!;
  return share.all > 0 && share.mine * 200 >= share.all ? id : undefined;
}
