import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema-messages.ts';
import { complaints } from '../../db/schema.ts';
import { outboxWorkerFrom } from '../../api/domain/messages/setup.ts';
import { messageIdFor, sendDue } from '../../api/domain/messages/worker.ts';
import { loopContext } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';
import { startSmtp } from '../helpers/smtp.ts';

// Acceptance told by e-mail, through nodemailer to a real SMTP server on this machine (smtp-server).
const smtp = await startSmtp();
const L = await loopContext({ SMTP_URL: smtp.url, MAIL_FROM: '青溪镇整治办 <noreply@qingxi.example.cn>' });
const { ctx, app } = L;
const worker = outboxWorkerFrom(ctx.env, ctx.db, ctx.clock);
afterAll(async () => {
  for (const c of Object.values(worker.channels)) c.close?.();
  await smtp.close();
});

const REPORTER = { name: '钱报告', phone: '13700001234', email: 'qian.report@example.com' };
const rows = () => ctx.db.select().from(outboxMessages).all();

describe('e-mail to a reporter who opted in', () => {
  it('arrives at acceptance with the subject and body of its template, no tracking code, our Message-ID', async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      body: reportForm({ anonymous: '0', ...REPORTER, notify: '1' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const code = (await res.json()).trackingCode as string;
    const id = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
    expect(rows(), 'filing itself tells nobody').toEqual([]);

    await L.complaintAction(id, { action: 'accept' });
    // One per contact he left; SMS is not configured here, so its message waits in the outbox.
    expect(rows().map((r) => [r.channel, r.status])).toEqual([
      ['email', 'pending'],
      ['sms', 'pending'],
    ]);

    expect(await sendDue(worker)).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.to).toBe(REPORTER.email);
    expect(mail.subject).toBe('您的举报已受理，我们将尽快核查处理');
    expect(mail.text).toContain('您于 11月2日 提交的举报（废气/异味/烟尘）已受理');
    expect(mail.text).toContain('http://localhost:4321/track');
    expect(mail.text).toContain('青溪镇“散乱污”整治办');
    for (const secret of [code, `${code.slice(0, 5)}-${code.slice(5)}`, REPORTER.name, REPORTER.phone])
      expect(mail.text + mail.subject).not.toContain(secret);

    const row = rows().find((r) => r.channel === 'email')!;
    expect(mail.messageId).toMatch(/^<outbox-\d+\.[0-9a-f]{16}@qingxi\.example\.cn>$/);
    expect(mail.messageId).toBe(messageIdFor(row, 'qingxi.example.cn'));
    expect(mail.messageId.startsWith(`<outbox-${row.id}.`)).toBe(true);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lockedUntil: null });
    expect(row.providerId).toMatch(/queued as test-1/);

    // Sent is final: the next runs send nothing again.
    expect(await sendDue(worker)).toEqual({ sent: 0, failed: 0, dead: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('tells a reporter who did not opt in nothing', async () => {
    const before = rows().length;
    const c = await L.file(); // name and phone, no opt-in
    await L.complaintAction(c.id, { action: 'accept', reply: '已受理' });
    expect(rows()).toHaveLength(before);
  });
});
