import { createHmac } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../db/schema-messages.ts';
import { auditLog, complaints } from '../../db/schema.ts';
import { outboxWorkerFrom } from '../../api/domain/messages/setup.ts';
import { BACKOFF_MS, sendDue } from '../../api/domain/messages/worker.ts';
import { loopContext } from '../helpers/assignments.ts';
import { reportForm } from '../helpers/report.ts';
import { startSmsGateway } from '../helpers/sms-gateway.ts';

// SMS through a gateway in the shape of China's commercial SMS services, here a node:http server on this machine.
const SECRET = 'test-gateway-secret-0123456789';
const PHONE = '13700001234';
const gateway = await startSmsGateway();
const L = await loopContext({ SMS_GATEWAY_URL: gateway.url, SMS_GATEWAY_SECRET: SECRET, OUTBOX_MAX_ATTEMPTS: '4' });
const { ctx, app, clock } = L;
const worker = outboxWorkerFrom(ctx.env, ctx.db, ctx.clock);
afterAll(() => gateway.close());

const row = (id: number) => ctx.db.select().from(outboxMessages).where(eq(outboxMessages.id, id)).get()!;
const newest = () => ctx.db.select().from(outboxMessages).orderBy(desc(outboxMessages.id)).get()!;

/** A report with a phone and the opt-in, accepted: one SMS in the outbox. */
async function acceptedWithPhone() {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ anonymous: '0', phone: PHONE, notify: '1' }),
  });
  expect(res.status).toBe(201);
  const code = (await res.json()).trackingCode as string;
  const id = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, code)).get()!.id;
  await L.complaintAction(id, { action: 'accept' });
  return newest();
}

describe('the SMS gateway', () => {
  it('is sent {phone, templateCode, params, outId} signed with HMAC-SHA256 of the body; OK is accepted', async () => {
    const message = await acceptedWithPhone();
    expect(message.channel).toBe('sms');
    expect(await sendDue(worker)).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(gateway.requests).toHaveLength(1);
    const req = gateway.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/sms/send');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      phone: PHONE,
      templateCode: 'SMS_REPORT_ACCEPTED',
      // The template's own params and no others (not the stored path).
      params: { date: '11月2日', category: '废气/异味/烟尘', township: '青溪镇', link: 'http://localhost:4321/track' },
      outId: String(message.id),
    });
    const sign = (key: string) => createHmac('sha256', key).update(req.raw).digest('hex');
    expect(req.headers['x-signature']).toBe(sign(SECRET));
    expect(req.headers['x-signature']).not.toBe(sign('another-secret-of-some-length'));
    expect(row(message.id)).toMatchObject({ status: 'sent', providerId: 'biz-1', attempts: 1 });
  });

  it('refused with 500: tried after 1, 5, 30 minutes (fake clock), then dead and listed for the admin', async () => {
    gateway.answer(() => ({
      status: 500,
      body: { code: 'isv.BUSINESS_LIMIT_CONTROL', message: `号码 ${PHONE} 触发流控` },
    }));
    const message = await acceptedWithPhone();
    const start = clock.now;
    const tries = () => gateway.requests.filter((r) => r.body.outId === String(message.id)).length;

    expect(await sendDue(worker)).toEqual({ sent: 0, failed: 1, dead: 0 });
    expect(row(message.id)).toMatchObject({ status: 'pending', attempts: 1, lockedUntil: null });
    expect(row(message.id).lastError).toContain('HTTP 500');
    // The provider's error quoted the number: kept masked.
    expect(row(message.id).lastError).toContain('137****1234');
    expect(row(message.id).lastError).not.toContain(PHONE);

    let waited = 0;
    for (const [i, wait] of BACKOFF_MS.slice(0, 3).entries()) {
      waited += wait;
      expect(row(message.id).nextAttemptAt.getTime()).toBe(start + waited);
      clock.now = start + waited - 1;
      expect(await sendDue(worker), `not before the ${i + 1}. wait is over`).toEqual({ sent: 0, failed: 0, dead: 0 });
      clock.now = start + waited;
      const last = i === 2;
      expect(await sendDue(worker)).toEqual({ sent: 0, failed: last ? 0 : 1, dead: last ? 1 : 0 });
    }
    expect(tries()).toBe(4);
    expect(new Set(gateway.requests.slice(-4).map((r) => r.body.outId))).toEqual(new Set([String(message.id)]));
    expect(row(message.id)).toMatchObject({ status: 'dead', attempts: 4 });
    clock.now += 7 * 86_400_000;
    expect(await sendDue(worker)).toEqual({ sent: 0, failed: 0, dead: 0 });

    const list = await L.get('/api/admin/messages', 'admin');
    expect(list.status).toBe(200);
    const view = await list.json();
    expect(view.counts).toMatchObject({ dead: 1, sent: 1 });
    expect(view.channels).toEqual(['sms']);
    expect(view.dead).toHaveLength(1);
    expect(view.dead[0]).toMatchObject({ id: message.id, channel: 'sms', recipient: '137****1234', attempts: 4 });
    expect(view.dead[0].lastError).toContain('HTTP 500');
    expect(JSON.stringify(view)).not.toContain(PHONE);
    expect((await L.get('/api/admin/messages', 'shouli')).status).toBe(403);

    // The admin tries it again (audited); the gateway has recovered; the same outId goes out.
    gateway.answer((n) => ({ status: 200, body: { code: 'OK', bizId: `biz-${n}` } }));
    expect((await L.post(`/api/admin/messages/${message.id}/retry`, {}, 'shouli')).status).toBe(403);
    expect((await L.post(`/api/admin/messages/${message.id}/retry`, {}, 'admin')).status).toBe(200);
    const audited = ctx.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'message.retry'), eq(auditLog.objectId, String(message.id))))
      .all();
    expect(audited).toHaveLength(1);
    expect(row(message.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await sendDue(worker)).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(gateway.requests.at(-1)!.body.outId).toBe(String(message.id));
    expect(row(message.id)).toMatchObject({ status: 'sent', attempts: 1 });
    const again = await L.post(`/api/admin/messages/${message.id}/retry`, {}, 'admin');
    expect(again.status).toBe(409);
    expect((await L.post('/api/admin/messages/999999/retry', {}, 'admin')).status).toBe(404);
  });

  it('a gateway that answers 200 with another code is a failure too', async () => {
    gateway.answer(() => ({ status: 200, body: { code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '号码格式错误' } }));
    const message = await acceptedWithPhone();
    expect(await sendDue(worker)).toEqual({ sent: 0, failed: 1, dead: 0 });
    expect(row(message.id).lastError).toContain('isv.MOBILE_NUMBER_ILLEGAL');
  });
});
