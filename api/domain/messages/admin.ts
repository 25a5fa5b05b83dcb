import { and, count, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { outboxMessages } from '../../../db/schema-messages.ts';
import { maskRecipient } from './mask.ts';
import { DEFAULT_MESSAGE_TEMPLATES } from './templates.ts';

const CAUSES: Record<string, (id: string) => string> = {
  complaint: (id) => `举报 #${id}`,
  notification: () => '工作台通知',
};

/** The admin's view of the outbox: how many wait and failed for good, and the failed ones with their error. */
export function outboxOverview(db: Db, limit = 200) {
  const counts = { pending: 0, sent: 0, dead: 0 };
  for (const r of db
    .select({ status: outboxMessages.status, n: count() })
    .from(outboxMessages)
    .groupBy(outboxMessages.status)
    .all())
    counts[r.status] = r.n;
  const dead = db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.status, 'dead'))
    .orderBy(desc(outboxMessages.id))
    .limit(limit)
    .all()
    .map((m) => ({
      id: m.id,
      channel: m.channel,
      // Masked: the admin tells messages apart without reading anyone's address (a reporter's included).
      recipient: maskRecipient(m.channel, m.recipient),
      template: DEFAULT_MESSAGE_TEMPLATES[m.template]?.label ?? m.template,
      cause: CAUSES[m.causeType]?.(m.causeId) ?? `${m.causeType} ${m.causeId}`,
      attempts: m.attempts,
      lastError: m.lastError,
      createdAt: m.createdAt,
    }));
  return { counts, dead };
}

export type RetryResult = { ok: true } | { ok: false; status: 404 | 409; message: string };

/** A dead message is tried again from now, with its tries counted afresh; the same id keeps the same Message-ID. */
export function retryMessage(tx: Tx, id: number, now: Date): RetryResult {
  const row = tx.select({ status: outboxMessages.status }).from(outboxMessages).where(eq(outboxMessages.id, id)).get();
  if (!row) return { ok: false, status: 404, message: '消息不存在' };
  if (row.status !== 'dead') return { ok: false, status: 409, message: '只有发送失败的消息可以重试' };
  tx.update(outboxMessages)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: now, lockedUntil: null })
    .where(and(eq(outboxMessages.id, id), eq(outboxMessages.status, 'dead')))
    .run();
  return { ok: true };
}
