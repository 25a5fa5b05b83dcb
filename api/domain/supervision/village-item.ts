import type { ComplaintStatus } from '../../../db/schema.ts';
import type { AssignmentStatus } from '../../../db/schema-supervision.ts';

/** Statuses of a complaint that stands assigned (交办), or was finished after it. */
const ASSIGNED: readonly ComplaintStatus[] = ['assigned', 'resolved', 'closed'];

export const standsAssigned = (status: ComplaintStatus) => ASSIGNED.includes(status);

/**
 * The work item that speaks for its village (or department) on a complaint: the newest one still
 * live or approved; once the complaint was finished another way (its items withdrawn), the newest.
 * A complaint taken back to be assigned again (收回, 重新打开) has none until it is.
 */
export function currentItem<T extends { id: number; status: AssignmentStatus }>(
  items: readonly T[],
  complaintStatus: ComplaintStatus,
): T | null {
  if (!standsAssigned(complaintStatus)) return null;
  const newest = items.toSorted((a, b) => b.id - a.id);
  return newest.find((i) => i.status !== 'withdrawn') ?? newest[0] ?? null;
}
