import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { type MessageChannel, outboxMessages } from '../../../db/schema-messages.ts';
import type { Channel, Outgoing } from './channels/channel.ts';
import { scrubError } from './mask.ts';
import { render } from './render.ts';
import { loadTemplate, templateParams } from './templates.ts';

/** Waits after the 1st, 2nd… failed try; the last one repeats (decision 019). */
export const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];
/**
 * A message still waiting this long past its time (its channel was not configured, or no worker ran) is no longer
 * news: "your report was accepted" a month late misleads. It is marked dead, for the admin, who may still retry it.
 */
export const STALE_MS = 7 * 86_400_000;
export const STALE_ERROR = '等待发送超过 7 天（发送渠道未配置或发送进程未运行），已过时，不再自动发送';

export interface OutboxWorker {
  db: Db;
  /** The channels configured; a message of another channel waits in the outbox. */
  channels: Partial<Record<MessageChannel, Channel>>;
  clock: () => Date;
  /** How long a claimed message is this worker's: after that another worker may send it again. */
  leaseMs: number;
  /** After this many failed tries a message is dead: shown to the admin, who may try it again. */
  maxAttempts: number;
  /** Where {link} points: the site's public origin. */
  origin: string;
  /** The right-hand side of every Message-ID. */
  mailDomain: string;
  /** A failed try, for the log: the outbox id and the error (the recipient masked), never the address. */
  onFailure?: (id: number, error: string, dead: boolean) => void;
}

type Row = typeof outboxMessages.$inferSelect;

/** `<outbox-{id}.{hash}@host>`: the same on every try; the hash keeps it apart from another database's row {id}. */
export function messageIdFor(row: Pick<Row, 'id' | 'dedupeKey' | 'createdAt'>, host: string): string {
  const hash = createHash('sha256').update(`${row.id}\n${row.dedupeKey}\n${row.createdAt.getTime()}`).digest('hex');
  return `<outbox-${row.id}.${hash.slice(0, 16)}@${host}>`;
}

/** Takes the next due message of a configured channel for this worker's lease, counting the try, or null. */
function claim(w: OutboxWorker): Row | null {
  const enabled = Object.keys(w.channels) as MessageChannel[];
  if (enabled.length === 0) return null;
  const now = w.clock();
  return w.db.transaction((tx) => {
    const free = or(isNull(outboxMessages.lockedUntil), lte(outboxMessages.lockedUntil, now));
    for (;;) {
      const row = tx
        .select()
        .from(outboxMessages)
        .where(
          and(
            eq(outboxMessages.status, 'pending'),
            lte(outboxMessages.nextAttemptAt, now),
            free,
            inArray(outboxMessages.channel, enabled),
          ),
        )
        .orderBy(asc(outboxMessages.nextAttemptAt), asc(outboxMessages.id))
        .limit(1)
        .get();
      if (!row) return null;
      // Every try was claimed and never finished (a worker died while sending each): stop trying it.
      const unfinished = row.attempts >= w.maxAttempts;
      const stale = now.getTime() - row.nextAttemptAt.getTime() > STALE_MS;
      if (unfinished || stale) {
        const lastError = stale ? STALE_ERROR : (row.lastError ?? '每次发送都未完成（发送进程中断）');
        tx.update(outboxMessages)
          .set({ status: 'dead', lockedUntil: null, lastError })
          .where(eq(outboxMessages.id, row.id))
          .run();
        continue;
      }
      const attempts = row.attempts + 1;
      tx.update(outboxMessages)
        .set({ lockedUntil: new Date(now.getTime() + w.leaseMs), attempts })
        .where(eq(outboxMessages.id, row.id))
        .run();
      return { ...row, attempts };
    }
  });
}

function outgoing(w: OutboxWorker, row: Row): Outgoing {
  const template = loadTemplate(w.db, row.template);
  if (!template) throw new Error(`没有模板 ${row.template}`);
  const link = new URL(row.params.path ?? '/', w.origin).href;
  const r = render(template, templateParams(row.template), { ...row.params, link });
  return {
    id: row.id,
    recipient: row.recipient,
    subject: r.subject,
    text: r.text,
    params: r.params,
    smsTemplateCode: r.smsTemplateCode,
    messageId: messageIdFor(row, w.mailDomain),
  };
}

/** Sent: never claimed again (only pending rows are). */
function markSent(w: OutboxWorker, row: Row, providerId: string) {
  w.db
    .update(outboxMessages)
    .set({ status: 'sent', sentAt: w.clock(), providerId, lockedUntil: null, lastError: null })
    .where(and(eq(outboxMessages.id, row.id), eq(outboxMessages.status, 'pending')))
    .run();
}

/** Failed: tried again after the backoff, or dead after the last try. A newer claim of the row is left alone. */
function markFailed(w: OutboxWorker, row: Row, error: string): boolean {
  const dead = row.attempts >= w.maxAttempts;
  const now = w.clock();
  const wait = BACKOFF_MS[Math.min(row.attempts, BACKOFF_MS.length) - 1]!;
  w.db
    .update(outboxMessages)
    .set({
      status: dead ? 'dead' : 'pending',
      nextAttemptAt: dead ? row.nextAttemptAt : new Date(now.getTime() + wait),
      lockedUntil: null,
      lastError: error,
    })
    .where(
      and(
        eq(outboxMessages.id, row.id),
        eq(outboxMessages.status, 'pending'),
        eq(outboxMessages.attempts, row.attempts),
      ),
    )
    .run();
  return dead;
}

/** Sends the due messages one at a time, at most `limit` of them. */
export async function sendDue(w: OutboxWorker, limit = 50) {
  const tally = { sent: 0, failed: 0, dead: 0 };
  for (let i = 0; i < limit; i++) {
    const row = claim(w);
    if (!row) break;
    try {
      const providerId = await w.channels[row.channel]!.send(outgoing(w, row));
      markSent(w, row, providerId);
      tally.sent++;
    } catch (err) {
      const error = scrubError(err instanceof Error ? err.message : String(err), row.channel, row.recipient);
      const dead = markFailed(w, row, error);
      tally[dead ? 'dead' : 'failed']++;
      w.onFailure?.(row.id, error, dead);
    }
  }
  return tally;
}

/** Runs sendDue every intervalMs in this process, one run at a time; stop() waits for the run under way. */
export function startOutboxWorker(w: OutboxWorker, intervalMs: number) {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    running ??= sendDue(w)
      .catch((err: Error) => w.onFailure?.(0, err.message, false))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
      for (const c of Object.values(w.channels)) c.close?.();
    },
  };
}
