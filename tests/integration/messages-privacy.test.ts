import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema-messages.ts';
import { complaints, users } from '../../db/schema.ts';
import { sendReminders } from '../../api/domain/complaints/assignment-reminders.ts';
import { outboxWorkerFrom } from '../../api/domain/messages/setup.ts';
import { sendDue } from '../../api/domain/messages/worker.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { loopContext } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';
import { startSmsGateway } from '../helpers/sms-gateway.ts';
import { startSmtp } from '../helpers/smtp.ts';

// What each reader may see, on the wire: staff never learn the reporter; the reporter's phone or mailbox, which
// others may read, never holds his tracking code or the names of the staff who handled his report.
const smtp = await startSmtp();
const gateway = await startSmsGateway();
const L = await loopContext({
  SMTP_URL: smtp.url,
  MAIL_FROM: '青溪镇整治办 <noreply@qingxi.example.cn>',
  SMS_GATEWAY_URL: gateway.url,
  SMS_GATEWAY_SECRET: 'privacy-test-secret-0123456789',
});
const { ctx, app } = L;
const worker = outboxWorkerFrom(ctx.env, ctx.db, ctx.clock);
afterAll(async () => {
  for (const c of Object.values(worker.channels)) c.close?.();
  await smtp.close();
  await gateway.close();
});

const REPORTER = { name: '钟秘密', phone: '13712345678', email: 'zhong.mimi@example.com' };
const STAFF_CHANNELS = {
  zhulin: { email: 'zhulin.officer@example.cn', phone: '13900000001', notifyEmail: '1', notifySms: '1' },
  shouli: { email: 'shouli.office@example.cn', notifyEmail: '1' },
  shengtai: { phone: '13900000003', notifySms: '1' },
};

async function setChannels() {
  for (const [user, body] of Object.entries(STAFF_CHANNELS)) {
    const res = await app.request('/api/admin/profile', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: L.cookie(user) },
      body: JSON.stringify(body),
    });
    expect(res.status, user).toBe(200);
  }
}

async function fileOptedIn(description: string) {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ anonymous: '0', ...REPORTER, notify: '1', description }),
  });
  expect(res.status).toBe(201);
  const code = (await res.json()).trackingCode as string;
  return { id: ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id, code };
}

const ok = async (res: Promise<Response>) => expect((await res).status).toBeLessThan(300);
const action = (id: number, body: Record<string, unknown>) =>
  ok(L.post(`/api/admin/complaints/${id}/actions`, { version: L.complaint(id).version, ...body }, 'shouli'));

/** Every way a phone number may be written, and the address and its local part. */
const reporterForms = [
  REPORTER.name,
  REPORTER.phone,
  '137 1234 5678',
  '137-1234-5678',
  REPORTER.phone.slice(3),
  REPORTER.email,
  'zhong.mimi',
];

describe('messages carry nothing their reader may not see', () => {
  it('a whole loop: staff messages name no reporter; reporter messages hold no code and no staff name', async () => {
    await setChannels();
    const a = await fileOptedIn('村东头塑料颗粒作坊夜里开工，气味刺鼻。');
    const b = await fileOptedIn('河边小电镀作坊往河里排水，水发绿。');
    await action(a.id, { action: 'accept', reply: '已受理，将安排核查。' });
    await action(a.id, { action: 'assign', villageId: L.ids.zhulin, departmentIds: [L.ids.eco] });
    const [village, department] = L.itemsOf(a.id).map((i) => i.id) as [number, number];
    await ok(L.act(village, { action: 'acknowledge' }, 'zhulin'));
    await ok(L.answer(village, {}, 'zhulin'));
    await ok(L.act(village, { action: 'return', reason: '照片看不清，请补拍' }, 'shouli'));
    await ok(L.act(department, { action: 'urge', note: '请今天之内签收' }, 'shouli'));
    await ok(L.answer(village, {}, 'zhulin'));
    L.clock.now += DAY_MS / 2;
    sendReminders(ctx.db, ctx.clock());
    await ok(L.act(department, { action: 'acknowledge' }, 'shengtai'));
    await ok(L.answer(department, {}, 'shengtai'));
    await ok(L.act(village, { action: 'approve' }, 'shouli'));
    await ok(L.act(department, { action: 'approve' }, 'shouli'));
    expect(L.complaint(a.id).status).toBe('resolved');
    await action(a.id, { action: 'reply', reply: '经核查，作坊已停产。感谢您的监督！' });
    await action(b.id, { action: 'reject', reason: '信息不全无法核实' });

    while ((await sendDue(worker)).sent > 0);
    const rows = ctx.db.select().from(outboxMessages).all();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);

    const staffAddresses = new Set<string>(
      Object.values(STAFF_CHANNELS).flatMap((c) =>
        ('email' in c ? [c.email] : []).concat('phone' in c ? [c.phone] : []),
      ),
    );
    const reporterAddresses = new Set([REPORTER.email, REPORTER.phone]);
    // What went over the wire: each e-mail's headers, subject and text; each SMS request's exact JSON.
    const wire = [
      ...smtp.received.map((m) => ({
        to: m.to,
        content: [...m.mail.headerLines.map((h) => h.line), m.text].join('\n'),
      })),
      ...gateway.requests.map((r) => ({ to: r.body.phone, content: r.raw })),
    ];
    expect(wire).toHaveLength(rows.length);
    const toStaff = wire.filter((w) => staffAddresses.has(w.to));
    const toReporter = wire.filter((w) => reporterAddresses.has(w.to));
    expect(toStaff.length + toReporter.length).toBe(wire.length);
    // Not vacuous: each kind of reader got mail and SMS.
    for (const set of [toStaff, toReporter]) {
      expect(set.some((w) => w.to.includes('@'))).toBe(true);
      expect(set.some((w) => !w.to.includes('@'))).toBe(true);
    }
    expect(toReporter.length).toBeGreaterThanOrEqual(8); // a: accepted, replied ×2, resolved; b: replied; × 2 channels

    for (const w of toStaff)
      for (const secret of reporterForms) expect(w.content, `staff message to ${w.to}`).not.toContain(secret);

    const staff = ctx.db.select({ name: users.displayName, username: users.username }).from(users).all();
    const codes = [a.code, b.code].flatMap((c) => [c, c.toLowerCase(), `${c.slice(0, 5)}-${c.slice(5)}`]);
    for (const w of toReporter) {
      for (const code of codes) expect(w.content, `reporter message to ${w.to}`).not.toContain(code);
      for (const s of staff) expect(w.content, `reporter message to ${w.to}`).not.toContain(s.name);
      for (const address of staffAddresses) expect(w.content).not.toContain(address);
    }
  });
});
