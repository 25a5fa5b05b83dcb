import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { asc } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema-messages.ts';
import { enqueueMessage } from '../../api/domain/messages/outbox.ts';
import { outboxWorkerFrom } from '../../api/domain/messages/setup.ts';
import { messageIdFor, type OutboxWorker, sendDue } from '../../api/domain/messages/worker.ts';
import { freshContext } from '../helpers/context.ts';
import { startSmtp } from '../helpers/smtp.ts';

// At least once, never twice once sent: a worker is killed while the mail host holds one message's DATA.
const N = 5;
const IN_FLIGHT = 3;
const LEASE_S = 30;
const subjectOf = (i: number) => `工作台通知：消息 ${i}`;

let held = false;
const smtp = await startSmtp({
  // The first arrival of message 3 gets no reply: its sender waits, as on a stalled mail host.
  hold: (m) => !held && m.subject === subjectOf(IN_FLIGHT) && (held = true),
});
const env = { SMTP_URL: smtp.url, MAIL_FROM: '整治办 <noreply@qingxi.example.cn>', OUTBOX_LEASE_S: String(LEASE_S) };
const { ctx, dir } = await freshContext(env);
const rows = () => ctx.db.select().from(outboxMessages).orderBy(asc(outboxMessages.id)).all();
const workers: OutboxWorker[] = [];
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  for (const w of workers) for (const c of Object.values(w.channels)) c.close?.();
  await smtp.close();
});

describe('the outbox under a killed worker', () => {
  it('loses nothing, sends nothing marked sent again, and resends the one in flight with its Message-ID', async () => {
    for (let i = 1; i <= N; i++)
      enqueueMessage(
        ctx.db,
        {
          channel: 'email',
          recipient: `staff${i}@example.cn`,
          template: 'staff.notice.email',
          params: { text: `消息 ${i}`, path: '/admin/todo' },
          dedupeKey: `crash-test:${i}`,
          causeType: 'test',
          causeId: i,
        },
        ctx.clock(),
      );

    // A worker of its own (node, type stripping) on the same database file, polling fast.
    let output = '';
    child = spawn(process.execPath, ['api/cli/outbox-worker.ts'], {
      env: { ...process.env, ...env, NODE_ENV: 'test', DATA_DIR: dir, OUTBOX_POLL_S: '0.05' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    await smtp.until((all) => all.some((m) => m.subject === subjectOf(IN_FLIGHT)));

    // One at a time, in order: the two before were sent and marked; 3 is leased, tried once; the rest untouched.
    const before = rows();
    expect(
      before.map((r) => r.status),
      output,
    ).toEqual(['sent', 'sent', 'pending', 'pending', 'pending']);
    expect(before[2]).toMatchObject({ attempts: 1 });
    expect(before[2]!.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(before.slice(3).map((r) => r.attempts)).toEqual([0, 0]);

    child.kill('SIGKILL');
    await once(child, 'exit');

    // A new worker while the lease holds: it sends 4 and 5 and leaves 3 alone.
    const now = outboxWorkerFrom(ctx.env, ctx.db, () => new Date());
    workers.push(now);
    expect(await sendDue(now)).toEqual({ sent: 2, failed: 0, dead: 0 });
    expect(rows().map((r) => r.status)).toEqual(['sent', 'sent', 'pending', 'sent', 'sent']);

    // After the lease: 3 again, with the same Message-ID.
    const later = outboxWorkerFrom(ctx.env, ctx.db, () => new Date(Date.now() + (LEASE_S + 1) * 1000));
    workers.push(later);
    expect(await sendDue(later)).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(await sendDue(later)).toEqual({ sent: 0, failed: 0, dead: 0 });

    const after = rows();
    expect(after.map((r) => r.status)).toEqual(Array(N).fill('sent'));
    expect(after[2]).toMatchObject({ attempts: 2 });
    const arrivals = (i: number) => smtp.received.filter((m) => m.subject === subjectOf(i));
    for (let i = 1; i <= N; i++) {
      const expected = messageIdFor(after[i - 1]!, 'qingxi.example.cn');
      const got = arrivals(i);
      expect(got.length, `message ${i}`).toBe(i === IN_FLIGHT ? 2 : 1);
      for (const m of got) {
        expect(m.messageId).toBe(expected);
        expect(m.to).toBe(`staff${i}@example.cn`);
      }
    }
    expect(smtp.received).toHaveLength(N + 1);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(N);
  });
});
