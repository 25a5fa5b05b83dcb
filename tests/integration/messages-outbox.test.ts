import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema-messages.ts';
import { auditLog, complaintContacts, complaints, users } from '../../db/schema.ts';
import { sendReminders } from '../../api/domain/complaints/assignment-reminders.ts';
import type { Outgoing } from '../../api/domain/messages/channels/channel.ts';
import { enqueueMessage, notifyReporter } from '../../api/domain/messages/outbox.ts';
import { retryMessage } from '../../api/domain/messages/admin.ts';
import { STALE_ERROR, STALE_MS, sendDue } from '../../api/domain/messages/worker.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { loopContext } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';

const L = await loopContext();
const { ctx, app } = L;
const all = () => ctx.db.select().from(outboxMessages).orderBy(asc(outboxMessages.id)).all();
const of = (complaintId: number) =>
  all().filter((m) => m.causeType === 'complaint' && m.causeId === String(complaintId));
const templatesOf = (complaintId: number) => of(complaintId).map((m) => m.template);

async function fileWith(fields: Record<string, string>) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm(fields) });
  return { res, body: await res.json() };
}
/** A report whose reporter left a phone and an e-mail and asked to be told. */
async function optedIn() {
  const { res, body } = await fileWith({
    anonymous: '0',
    name: '孙举报',
    phone: '13511112222',
    email: 'sun@example.com',
    notify: '1',
  });
  expect(res.status).toBe(201);
  return ctx.db.select().from(complaints).where(eq(complaints.trackingCode, body.trackingCode)).get()!.id;
}
const action = (id: number, body: Record<string, unknown>, user = 'shouli') =>
  L.post(`/api/admin/complaints/${id}/actions`, { version: L.complaint(id).version, ...body }, user);

describe('filing: the e-mail and the opt-in', () => {
  it('refuses a malformed e-mail, naming the field', async () => {
    const { res, body } = await fileWith({ anonymous: '0', phone: '13511112222', email: 'not-an-address' });
    expect(res.status).toBe(400);
    expect(body.error.fields.email).toContain('电子邮箱格式不正确');
  });

  it('refuses the opt-in with no phone or e-mail to send to', async () => {
    const { res, body } = await fileWith({ anonymous: '0', name: '只留姓名', notify: '1' });
    expect(res.status).toBe(400);
    expect(body.error.fields.notify).toBe('要接收通知，请留下手机号或电子邮箱');
  });

  it('keeps the e-mail and opt-in with the contact; anonymous drops both; off unless ticked', async () => {
    const id = await optedIn();
    const contact = (cid: number) =>
      ctx.db.select().from(complaintContacts).where(eq(complaintContacts.complaintId, cid)).get();
    expect(contact(id)).toMatchObject({ phone: '13511112222', email: 'sun@example.com', notify: true });
    const anon = await fileWith({ anonymous: '1', email: 'a@example.com', notify: '1' });
    expect(anon.res.status).toBe(201);
    const anonId = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, anon.body.trackingCode)).get()!;
    expect(contact(anonId.id)).toBeUndefined();
    const quiet = await fileWith({ anonymous: '0', phone: '13511113333' });
    const quietId = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, quiet.body.trackingCode)).get()!;
    expect(contact(quietId.id)).toMatchObject({ notify: false });
  });
});

describe('a message is written in the same transaction as its cause', () => {
  it('a refused action (409, 400) writes nothing; acceptance writes one per contact left', async () => {
    const id = await optedIn();
    const stale = await L.post(`/api/admin/complaints/${id}/actions`, { action: 'accept', version: 999 }, 'shouli');
    expect(stale.status).toBe(409);
    const illegal = await action(id, { action: 'resolve' });
    expect(illegal.status).toBe(400);
    expect(of(id)).toEqual([]);

    expect((await action(id, { action: 'accept' })).status).toBe(200);
    expect(templatesOf(id)).toEqual(['reporter.accepted.email', 'reporter.accepted.sms']);
    expect(of(id).map((m) => m.recipient)).toEqual(['sun@example.com', '13511112222']);
    // The same request again names a version now stale: 409, nothing more.
    const again = await L.post(`/api/admin/complaints/${id}/actions`, { action: 'accept', version: 1 }, 'shouli');
    expect(again.status).toBe(409);
    expect(of(id)).toHaveLength(2);

    // A public reply is news; an internal note or a classification is not.
    expect((await action(id, { action: 'note', note: '内部备注' })).status).toBe(200);
    expect(of(id)).toHaveLength(2);
    expect((await action(id, { action: 'reply', reply: '我们已安排人员核查。' })).status).toBe(200);
    expect((await action(id, { action: 'reply', reply: '核查已在进行中。' })).status).toBe(200);
    expect(templatesOf(id).slice(2)).toEqual([
      'reporter.replied.email',
      'reporter.replied.sms',
      'reporter.replied.email',
      'reporter.replied.sms',
    ]);
  });

  it('the dedupe key makes a repeated enqueue a no-op', async () => {
    const id = await optedIn();
    expect((await action(id, { action: 'accept' })).status).toBe(200);
    const before = all().length;
    // The same cause told again (a retried caller): the keys exist, nothing is written.
    const written = ctx.db.transaction((tx) => notifyReporter(tx, id, 'accepted', {}, ctx.clock()));
    expect(written).toBe(0);
    const m = {
      channel: 'email' as const,
      recipient: 'x@example.com',
      template: 'staff.notice.email',
      params: { text: 'x', path: '/admin' },
      dedupeKey: 'test:once',
      causeType: 'test',
      causeId: 1,
    };
    expect(enqueueMessage(ctx.db, m, ctx.clock())).toBe(true);
    expect(enqueueMessage(ctx.db, { ...m, recipient: 'y@example.com' }, ctx.clock())).toBe(false);
    expect(all()).toHaveLength(before + 1);
    expect(all().at(-1)!.recipient).toBe('x@example.com');
  });

  it("the assignment loop's approval that resolves the complaint tells the reporter, once", async () => {
    const id = await optedIn();
    expect((await action(id, { action: 'accept' })).status).toBe(200);
    expect((await action(id, { action: 'assign', villageId: L.ids.zhulin })).status).toBe(200);
    const item = L.itemsOf(id)[0]!.id;
    expect((await L.act(item, { action: 'acknowledge' }, 'zhulin')).status).toBe(200);
    expect((await L.answer(item, {}, 'zhulin')).status).toBe(200);
    expect(of(id).filter((m) => m.template.startsWith('reporter.resolved'))).toEqual([]);
    expect((await L.act(item, { action: 'approve' }, 'shouli')).status).toBe(200);
    expect(L.complaint(id).status).toBe('resolved');
    expect(templatesOf(id).filter((t) => t.startsWith('reporter.resolved'))).toEqual([
      'reporter.resolved.email',
      'reporter.resolved.sms',
    ]);
  });

  it("a merged report's reporter is told of the resolution, by his own report, not of the replies", async () => {
    const main = await optedIn();
    expect((await action(main, { action: 'accept' })).status).toBe(200);
    const follower = await optedIn();
    expect((await action(follower, { action: 'merge', targetId: main })).status).toBe(200);
    const before = of(follower).length;
    expect((await action(main, { action: 'reply', reply: '写给原举报人的答复' })).status).toBe(200);
    expect(of(follower)).toHaveLength(before);
    expect((await action(main, { action: 'assign', villageId: L.ids.zhulin })).status).toBe(200);
    expect((await action(main, { action: 'resolve' })).status).toBe(200);
    const told = of(follower).slice(before);
    expect(told.map((m) => m.template)).toEqual(['reporter.resolved.email', 'reporter.resolved.sms']);
    expect(told.map((m) => m.recipient)).toEqual(['sun@example.com', '13511112222']);
    // Resolving again cannot happen, but the same cause told twice writes nothing more.
    expect(ctx.db.transaction((tx) => notifyReporter(tx, main, 'resolved', {}, ctx.clock()))).toBe(0);
  });
});

describe('staff: their notices by e-mail or SMS, on their own choice', () => {
  it('validates the profile and saves it, audited without the addresses', async () => {
    const put = (body: unknown, user = 'zhulin') =>
      app.request('/api/admin/profile', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie: L.cookie(user) },
        body: JSON.stringify(body),
      });
    const bad = await put({ email: 'zhulin@', notifyEmail: '1' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('电子邮箱格式不正确');
    const noPhone = await put({ email: 'zhulin@example.cn', notifySms: '1' });
    expect(noPhone.status).toBe(400);
    expect((await noPhone.json()).error.message).toBe('要用短信接收通知，请填写手机号');
    const badPhone = await put({ phone: '12345' });
    expect((await badPhone.json()).error.message).toContain('手机号格式不正确');

    expect((await put({ email: 'zhulin@example.cn', phone: '139 0000 1111', notifyEmail: '1' })).status).toBe(200);
    const me = await (await L.get('/api/admin/profile', 'zhulin')).json();
    expect(me).toEqual({ email: 'zhulin@example.cn', phone: '13900001111', notifyEmail: true, notifySms: false });
    const row = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'user.profile'), eq(auditLog.objectId, String(L.userId('zhulin')))))
      .get()!;
    expect(JSON.stringify(row)).not.toContain('zhulin@example.cn');
    expect(JSON.stringify(row)).not.toContain('13900001111');
  });

  it('a notice is also enqueued for an account that chose e-mail, once per notice (a sweep run twice)', async () => {
    const zhulin = L.userId('zhulin');
    const mine = () => all().filter((m) => m.userId === zhulin);
    const before = mine().length;
    const id = await optedIn();
    expect((await action(id, { action: 'accept' })).status).toBe(200);
    expect((await action(id, { action: 'assign', villageId: L.ids.zhulin })).status).toBe(200);
    // zhulin chose e-mail; zhulin2 (the same village) chose nothing and gets only the in-app notice.
    const fresh = mine().slice(before);
    expect(fresh.map((m) => [m.channel, m.recipient, m.template])).toEqual([
      ['email', 'zhulin@example.cn', 'staff.notice.email'],
    ]);
    expect(all().filter((m) => m.userId === L.userId('zhulin2'))).toEqual([]);
    // 签收 falls due tomorrow: the reminder sweep, run twice, writes one notice and one message.
    L.clock.now += DAY_MS / 2;
    const n = mine().length;
    sendReminders(ctx.db, ctx.clock());
    sendReminders(ctx.db, ctx.clock());
    expect(mine().length).toBe(n + 1);
    expect(mine().at(-1)!.params.text).toContain('明天到期');
    // A disabled account is told nothing.
    ctx.db.update(users).set({ disabled: true }).where(eq(users.id, zhulin)).run();
    const m = mine().length;
    expect((await action(await optedIn(), { action: 'accept' })).status).toBe(200);
    expect(mine()).toHaveLength(m);
    ctx.db.update(users).set({ disabled: false }).where(eq(users.id, zhulin)).run();
  });
});

describe('templates: the admin edits them; placeholders are checked on save', () => {
  const put = (key: string, body: unknown, user = 'admin') =>
    app.request(`/api/admin/message-templates/${key}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: L.cookie(user) },
      body: JSON.stringify(body),
    });

  it('refuses an unknown {placeholder}, naming it, and an SMS template without its code', async () => {
    const res = await put('reporter.accepted.email', { subject: '受理通知', body: '{name}，您的举报已受理' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('{name}');
    const code = await put('reporter.accepted.email', { subject: '{trackingCode}', body: '已受理' });
    expect((await code.json()).error.message).toContain('{trackingCode}');
    const sms = await put('reporter.accepted.sms', { body: '{date}的举报已受理' });
    expect(sms.status).toBe(400);
    expect((await sms.json()).error.message).toContain('短信模板 CODE');
    expect((await put('no.such.template', { subject: 'x', body: '正文' })).status).toBe(404);
    expect((await put('reporter.accepted.email', { subject: 'x', body: '正文' }, 'shouli')).status).toBe(403);
  });

  it('an edit is what the next message says, audited', async () => {
    const edit = { subject: '{township}：受理通知', body: '{date}的举报（{category}）已受理。{link}' };
    expect((await put('reporter.accepted.email', edit)).status).toBe(200);
    const listed = await (await L.get('/api/admin/message-templates', 'admin')).json();
    expect(listed.find((t: { key: string }) => t.key === 'reporter.accepted.email')).toMatchObject({
      ...edit,
      edited: true,
    });
    const sent: Outgoing[] = [];
    const worker = {
      db: ctx.db,
      channels: {
        email: {
          send: async (m: Outgoing) => {
            sent.push(m);
            return 'ok';
          },
        },
      },
      clock: ctx.clock,
      leaseMs: 60_000,
      maxAttempts: 3,
      origin: 'https://jubao.example.gov.cn',
      mailDomain: 'example.gov.cn',
    };
    await sendDue(worker, 1000); // everything queued so far
    sent.length = 0;
    expect((await action(await optedIn(), { action: 'accept' })).status).toBe(200);
    await sendDue(worker);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.subject).toBe('青溪镇：受理通知');
    expect(sent[0]!.text).toMatch(
      /^\d+月\d+日的举报（废气\/异味\/烟尘）已受理。https:\/\/jubao\.example\.gov\.cn\/track$/,
    );
    const audited = ctx.db.select().from(auditLog).where(eq(auditLog.action, 'message_template.update')).all();
    expect(audited).toHaveLength(1);
  });
});

describe('a message that waited too long', () => {
  it('is not sent a week late but marked dead for the admin, who may still send it', async () => {
    const sent: Outgoing[] = [];
    let at = ctx.clock().getTime();
    const worker = {
      db: ctx.db,
      channels: {
        email: {
          send: async (m: Outgoing) => {
            sent.push(m);
            return 'ok';
          },
        },
      },
      clock: () => new Date(at),
      leaseMs: 60_000,
      maxAttempts: 3,
      origin: 'https://jubao.example.gov.cn',
      mailDomain: 'example.gov.cn',
    };
    await sendDue(worker, 1000); // everything queued so far
    sent.length = 0;
    const id = await optedIn();
    expect((await action(id, { action: 'accept' })).status).toBe(200);
    const email = () => of(id).find((m) => m.channel === 'email')!;
    at += STALE_MS + 60_000; // e-mail was configured only now
    await sendDue(worker);
    expect(sent).toEqual([]);
    expect(email()).toMatchObject({ status: 'dead', lastError: STALE_ERROR, attempts: 0 });
    ctx.db.transaction((tx) => retryMessage(tx, email().id, new Date(at)));
    await sendDue(worker);
    expect(sent.map((m) => m.id)).toEqual([email().id]);
    expect(email().status).toBe('sent');
  });
});
