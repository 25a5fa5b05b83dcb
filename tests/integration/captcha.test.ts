import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hCaptcha } from '../../api/domain/complaints/captcha.ts';
import { freshContext } from '../helpers/context.ts';
import { complaintCount, reportForm } from '../helpers/report.ts';

const captcha = hCaptcha({
  secret: 'test-secret',
  siteKey: 'test-sitekey',
  hostnames: ['portal.example'],
  timeoutMs: 300,
});
const { ctx, app } = await freshContext({}, { captcha });
const post = (token?: string) =>
  app.request('/api/complaints', { method: 'POST', body: reportForm({ 'h-captcha-response': token }) });
const siteverify = () =>
  nock('https://hcaptcha.com').post(
    '/siteverify',
    (body) => body.secret === 'test-secret' && body.sitekey === 'test-sitekey',
  );

beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
// nock replaces node:http's request for the whole process: a later file in this worker sends real requests.
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('hCaptcha on the report', () => {
  it('files the report when hCaptcha says the token is good for our hostname', async () => {
    const scope = siteverify().reply(200, { success: true, hostname: 'portal.example' });
    const res = await post('token-good');
    expect(res.status).toBe(201);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses a missing token without asking hCaptcha', async () => {
    const before = complaintCount(ctx);
    const res = await post(undefined);
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields.captchaToken).toBe('请先完成人机验证');
    expect(complaintCount(ctx)).toBe(before);
  });

  it('refuses a token hCaptcha rejects, and one solved on another hostname', async () => {
    siteverify().reply(200, { success: false, 'error-codes': ['invalid-input-response'] });
    siteverify().reply(200, { success: true, hostname: 'evil.example' });
    const before = complaintCount(ctx);
    for (const token of ['token-bad', 'token-elsewhere']) {
      const res = await post(token);
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields.captchaToken).toMatch(/未通过/);
    }
    expect(complaintCount(ctx)).toBe(before);
  });

  it('fails closed when hCaptcha does not answer in time', async () => {
    siteverify().delay(2000).reply(200, { success: true, hostname: 'portal.example' });
    const before = complaintCount(ctx);
    const started = Date.now();
    const res = await post('token-slow');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(res.status).toBe(503);
    expect((await res.json()).error.message).toMatch(/暂时无法连接/);
    expect(complaintCount(ctx)).toBe(before);
  });

  it('fails closed when hCaptcha cannot be reached', async () => {
    siteverify().replyWithError('ECONNREFUSED');
    expect((await post('token-unreachable')).status).toBe(503);
  });

  it('refuses a token it has seen before, without asking hCaptcha again', async () => {
    const scope = siteverify().reply(200, { success: true, hostname: 'portal.example' });
    expect((await post('token-once')).status).toBe(201);
    expect(scope.isDone()).toBe(true);
    const replay = await post('token-once');
    expect(replay.status).toBe(400);
    expect((await replay.json()).error.fields.captchaToken).toMatch(/已使用过/);
  });
});
