import { and, count, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { users, type Role } from '../../../db/schema.ts';
import { notifications } from '../../../db/schema-supervision.ts';
import type { MessageChannel } from '../../../db/schema-messages.ts';
import { enqueueMessage } from '../messages/outbox.ts';
import { staffTemplate } from '../messages/templates.ts';

export type NotificationKind = (typeof notifications.$inferInsert)['kind'];

export interface Notice {
  kind: NotificationKind;
  text: string;
  link: string;
  /** One notice per key and account: a reminder sweep run twice, or a retried action, notifies once. */
  dedupeKey: string;
}

/**
 * Who is responsible: the village's officers, a department's, or the office; active accounts only. An office
 * audience with `townshipIds` reaches those townships' accounts and the county's, never another township's.
 */
export type Audience =
  | { villageId: number }
  | { departmentId: number }
  | { roles: readonly Role[]; townshipIds?: readonly number[] };

function recipients(db: Db | Tx, to: Audience) {
  const active = eq(users.disabled, false);
  const where =
    'villageId' in to
      ? and(active, eq(users.role, 'village'), eq(users.villageId, to.villageId))
      : 'departmentId' in to
        ? and(active, eq(users.role, 'department'), eq(users.departmentId, to.departmentId))
        : and(
            active,
            inArray(users.role, [...to.roles]),
            to.townshipIds && or(isNull(users.townshipId), inArray(users.townshipId, [...to.townshipIds])),
          );
  return db
    .select({
      id: users.id,
      email: users.email,
      phone: users.phone,
      notifyEmail: users.notifyEmail,
      notifySms: users.notifySms,
    })
    .from(users)
    .where(where)
    .all();
}

/**
 * Writes one in-app notice to each responsible account, in the caller's transaction, and a message on each channel
 * the account chose (issue 17) to the address it gave. Returns how many notices were new.
 */
export function notify(tx: Db | Tx, to: Audience, notice: Notice, now: Date): number {
  let added = 0;
  for (const user of recipients(tx, to)) {
    const r = tx
      .insert(notifications)
      .values({ userId: user.id, ...notice, createdAt: now })
      .onConflictDoNothing()
      .run();
    added += r.changes;
    if (r.changes === 0) continue;
    const channels: [MessageChannel, string | null][] = [
      ['email', user.notifyEmail ? user.email : null],
      ['sms', user.notifySms ? user.phone : null],
    ];
    for (const [channel, recipient] of channels)
      if (recipient)
        enqueueMessage(
          tx,
          {
            channel,
            recipient,
            template: staffTemplate(channel),
            params: { text: notice.text, path: notice.link },
            dedupeKey: `notice:${user.id}:${notice.dedupeKey}:${channel}`,
            causeType: 'notification',
            causeId: notice.dedupeKey,
            userId: user.id,
          },
          now,
        );
  }
  return added;
}

export const unreadCount = (db: Db, userId: number) =>
  db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .get()?.n ?? 0;

/** An account's notices, newest first, unread before read. */
export function listNotifications(db: Db, userId: number, limit = 100) {
  return db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      text: notifications.text,
      link: notifications.link,
      createdAt: notifications.createdAt,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(sql`${notifications.readAt} is not null`, desc(notifications.id))
    .limit(limit)
    .all();
}

/** Marks an account's notices read: the ones named, or all of them. Another account's ids change nothing. */
export function markRead(db: Db, userId: number, ids: number[] | 'all', now: Date): number {
  const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt));
  return db
    .update(notifications)
    .set({ readAt: now })
    .where(ids === 'all' ? mine : and(mine, inArray(notifications.id, ids)))
    .run().changes;
}

/** Opening what a notice points at reads it: the account's unread notices with that link are marked read. */
export function markReadByLink(db: Db, userId: number, link: string, now: Date): number {
  return db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, userId), eq(notifications.link, link), isNull(notifications.readAt)))
    .run().changes;
}
