import { and, asc, eq, gte, isNotNull, lte, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { complaintEvents } from '../../../db/schema.ts';
import { apiSubmissions } from '../../../db/schema-public.ts';
import { w3cDatetime } from './format.ts';
import { publicTextOf } from './public-text.ts';
import { dateWindow, datetime, positive } from './query.ts';
import { MAX_PAGE_SIZE } from './requests.ts';
import { extendedStatus, outcomesOf, statusNotes, type ExtendedStatus } from './statuses.ts';

/** GET servicerequestupdates' arguments: FixMyStreet's (start_date, end_date), and the paging of GET requests. */
export const updatesQuery = z.object({
  start_date: datetime('start_date', false),
  end_date: datetime('end_date', true),
  page: positive('page', 1_000_000),
  page_size: positive('page_size', MAX_PAGE_SIZE),
});
export type UpdatesQuery = z.output<typeof updatesQuery>;

/** One update as FixMyStreet reads it (perllib/Open311/GetServiceRequestUpdates.pm). */
export interface RequestUpdate {
  update_id: string;
  service_request_id: string;
  status: ExtendedStatus;
  updated_datetime: string;
  description: string;
  media_url: null;
}

/**
 * FixMyStreet's servicerequestupdates extension: each step of the requests this key filed that the
 * reporter sees on /track (a status change, a reply), oldest first. The reply is redacted as the
 * request's description is; a step without one is described by its public status note. Internal
 * notes are never read; nothing says who reported.
 */
export function listUpdates(
  db: Db,
  apiKeyId: number,
  q: UpdatesQuery,
  now: Date,
): { ok: true; updates: RequestUpdate[] } | { ok: false; message: string } {
  const window = dateWindow(q.start_date, q.end_date, now);
  if (!window.ok) return window;
  const size = q.page_size ?? MAX_PAGE_SIZE;
  const events = db
    .select({
      id: complaintEvents.id,
      complaintId: complaintEvents.complaintId,
      to: complaintEvents.toStatus,
      note: complaintEvents.publicNote,
      at: complaintEvents.at,
    })
    .from(complaintEvents)
    .innerJoin(apiSubmissions, eq(apiSubmissions.complaintId, complaintEvents.complaintId))
    .where(
      and(
        eq(apiSubmissions.apiKeyId, apiKeyId),
        gte(complaintEvents.at, window.start),
        lte(complaintEvents.at, window.end),
        // The filing itself is no update; a step counts when it changed the status or said something to the public.
        isNotNull(complaintEvents.fromStatus),
        or(isNotNull(complaintEvents.publicNote), ne(complaintEvents.fromStatus, complaintEvents.toStatus)),
      ),
    )
    .orderBy(asc(complaintEvents.at), asc(complaintEvents.id))
    .limit(size)
    .offset(((q.page ?? 1) - 1) * size)
    .all();
  const ids = [...new Set(events.map((e) => e.complaintId))];
  const outcome = outcomesOf(db, ids);
  const publicText = publicTextOf(db, ids);
  return {
    ok: true,
    updates: events.map((e) => ({
      update_id: String(e.id),
      service_request_id: String(e.complaintId),
      status: extendedStatus(e.to, outcome(e.complaintId)),
      updated_datetime: w3cDatetime(e.at),
      description: e.note ? publicText(e.complaintId, e.note) : statusNotes(e.to, outcome(e.complaintId), 0),
      media_url: null,
    })),
  };
}
