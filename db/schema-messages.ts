import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './schema.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/** pending → sent; or failed (retried with backoff) → dead after the last try, shown to the admin. */
export const OUTBOX_STATUSES = ['pending', 'sent', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/**
 * The outbox: every message is written in the same transaction as the event that causes it, then sent by a worker
 * (at least once; the dedupe key makes writing it twice a no-op, and the id is the provider's idempotency key).
 */
export const outboxMessages = sqliteTable(
  'outbox_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
    /** An e-mail address or a phone number: private, never logged, never shown beyond the admin's masked view. */
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    params: text('params', { mode: 'json' }).notNull().$type<Record<string, string>>(),
    dedupeKey: text('dedupe_key').notNull(),
    /** What caused it, for the admin's view: e.g. complaint 12, assignment 40. */
    causeType: text('cause_type').notNull(),
    causeId: text('cause_id').notNull(),
    status: text('status', { enum: OUTBOX_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    /** A worker's lease: another worker skips the row until then. */
    lockedUntil: ms('locked_until'),
    lastError: text('last_error'),
    providerId: text('provider_id'),
    createdAt: ms('created_at').notNull(),
    sentAt: ms('sent_at'),
    /** For a staff member's message: whose it is. */
    userId: integer('user_id').references(() => users.id),
  },
  (t) => [uniqueIndex('outbox_dedupe').on(t.dedupeKey), index('outbox_due').on(t.status, t.nextAttemptAt)],
);

/** What each message says; the admin edits them. An SMS template names the gateway's template code. */
export const messageTemplates = sqliteTable('message_templates', {
  key: text('key').primaryKey(),
  channel: text('channel', { enum: MESSAGE_CHANNELS }).notNull(),
  subject: text('subject').notNull().default(''),
  body: text('body').notNull(),
  /** The SMS provider's approved template (模板 CODE); params are sent by name. */
  smsTemplateCode: text('sms_template_code'),
  updatedAt: ms('updated_at').notNull(),
  updatedBy: integer('updated_by').references(() => users.id),
});
