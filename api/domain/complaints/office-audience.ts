import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints } from '../../../db/schema.ts';
import type { Audience } from '../accounts/notifications.ts';
import { OFFICE } from '../shared/roles.ts';

/**
 * The office a complaint's notice is meant for: its township's (and the border township's, which sees it too) and
 * the county's office, never another township's.
 */
export function officeOfComplaint(tx: Pick<Db | Tx, 'select'>, complaintId: number): Audience {
  const c = tx
    .select({ townshipId: complaints.townshipId, border: complaints.borderTownshipId })
    .from(complaints)
    .where(eq(complaints.id, complaintId))
    .get();
  return { roles: OFFICE, townshipIds: c ? [c.townshipId, ...(c.border == null ? [] : [c.border])] : [] };
}
