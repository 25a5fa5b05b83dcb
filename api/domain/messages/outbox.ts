import { eq, max } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintCategories, complaintContacts, complaintEvents, complaints, townships } from '../../../db/schema.ts';
import { type MessageChannel, outboxMessages } from '../../../db/schema-messages.ts';
import { beijingDate } from '../shared/time.ts';
import { type ReporterEvent, reporterTemplate } from './templates.ts';

export interface MessageInput {
  channel: MessageChannel;
  /** An e-mail address or a mainland mobile number. */
  recipient: string;
  template: string;
  /** By name; `path` becomes {link} on this site when the message is sent. */
  params: Record<string, string>;
  /** One message per key: the same cause written twice (a retried action, a sweep run again) sends once. */
  dedupeKey: string;
  causeType: string;
  causeId: string | number;
  userId?: number;
}

/**
 * Writes a message into the outbox in the caller's transaction: it exists exactly when its cause was committed.
 * Returns false when a message with this key was written before (nothing changes).
 */
export function enqueueMessage(tx: Db | Tx, m: MessageInput, now: Date): boolean {
  const r = tx
    .insert(outboxMessages)
    .values({
      channel: m.channel,
      recipient: m.recipient,
      template: m.template,
      params: m.params,
      dedupeKey: m.dedupeKey,
      causeType: m.causeType,
      causeId: String(m.causeId),
      userId: m.userId ?? null,
      status: 'pending',
      nextAttemptAt: now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outboxMessages.dedupeKey })
    .run();
  return r.changes === 1;
}

/**
 * Tells a reporter who opted in, on each contact he left, that his report was accepted, answered, resolved or
 * rewarded.
 * Called inside the action's transaction, after its complaint event is written: that event names the message,
 * so a reply and a later one are two messages and a retried action is one. A resolution is also told to the
 * reporters of the reports merged into this one (followers read its steps on /track), each of his own report;
 * a reply is not, since it was written to this report's reporter. Returns how many were written.
 */
export function notifyReporter(
  tx: Db | Tx,
  complaintId: number,
  event: ReporterEvent,
  params: Record<string, string>,
  now: Date,
  /** Names a cause that is no complaint event (a reward's approval); by default the complaint's last event does. */
  cause?: string,
): number {
  if (cause) return tellReporter(tx, complaintId, cause, event, params, now);
  const lastEvent = tx
    .select({ id: max(complaintEvents.id) })
    .from(complaintEvents)
    .where(eq(complaintEvents.complaintId, complaintId))
    .get()?.id;
  const causeKey = `${complaintId}:${lastEvent ?? 0}`;
  let written = tellReporter(tx, complaintId, causeKey, event, params, now);
  if (event !== 'resolved') return written;
  const followers = tx
    .select({ id: complaints.id })
    .from(complaints)
    .where(eq(complaints.mergedIntoId, complaintId))
    .all();
  for (const f of followers) written += tellReporter(tx, f.id, causeKey, event, params, now);
  return written;
}

function tellReporter(
  tx: Db | Tx,
  complaintId: number,
  causeKey: string,
  event: ReporterEvent,
  params: Record<string, string>,
  now: Date,
): number {
  const contact = tx.select().from(complaintContacts).where(eq(complaintContacts.complaintId, complaintId)).get();
  if (!contact?.notify) return 0;
  const about = tx
    .select({ createdAt: complaints.createdAt, category: complaintCategories.name, township: townships.name })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .where(eq(complaints.id, complaintId))
    .get();
  if (!about) return 0;
  const [, month, day] = beijingDate(about.createdAt).split('-').map(Number);
  const base = { date: `${month}月${day}日`, category: about.category, township: about.township, path: '/track' };
  const to: [MessageChannel, string | null][] = [
    ['email', contact.email],
    ['sms', contact.phone],
  ];
  let written = 0;
  for (const [channel, recipient] of to) {
    if (!recipient) continue;
    const fresh = enqueueMessage(
      tx,
      {
        channel,
        recipient,
        template: reporterTemplate(event, channel),
        params: { ...base, ...params },
        dedupeKey: `reporter:${complaintId}:${causeKey}:${event}:${channel}`,
        causeType: 'complaint',
        causeId: complaintId,
      },
      now,
    );
    if (fresh) written++;
  }
  return written;
}
