import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema.ts';
import { passwordProblem } from '../../api/domain/accounts/passwords.ts';
import { freshContext } from '../helpers/context.ts';
import { cookieOf, json, signIn } from '../helpers/staff.ts';

let now = Date.parse('2026-11-20T01:00:00Z');
const { ctx, app, accounts } = await freshContext(
  { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '8', LOGIN_LIMIT_PER_ACCOUNT: '3', LOGIN_LIMIT_PER_IP: '50' },
  { now: () => now },
);
const otp = (u: string) => accounts.find((a) => a.username === u)!.oneTimePassword;
const queue = (cookie: string) => app.request('/api/admin/complaints', { headers: { cookie } });
const login = (username: string, password: string, ip = '10.0.0.1') =>
  app.request(
    '/api/admin/session',
    { method: 'POST', ...json({ username, password }) },
    { incoming: { socket: { remoteAddress: ip } } },
  );

describe('staff sign-in', () => {
  it('has no default credentials: one-time passwords, to be changed first', async () => {
    const res = await login('shouli', otp('shouli'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mustChangePassword: true });
    const cookie = cookieOf(res)!;
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Lax/i);
    // Only the hash of the token is stored.
    const token = cookie.split('=')[1]!;
    expect(
      ctx.db
        .select()
        .from(sessions)
        .all()
        .some((s) => s.id === token),
    ).toBe(false);
    expect((await queue(cookie)).status).toBe(403);
    expect((await (await queue(cookie)).json()).error.message).toBe('请先修改初始密码');
    const weak = await app.request('/api/admin/password', {
      method: 'POST',
      ...json({ current: otp('shouli'), next: '1234567890', confirm: '1234567890' }, cookie),
    });
    expect(weak.status).toBe(400);
    expect((await weak.json()).error.message).toMatch(/太常见/);
    const changed = await app.request('/api/admin/password', {
      method: 'POST',
      ...json({ current: otp('shouli'), next: '清溪 河水 要 清清爽爽', confirm: '清溪 河水 要 清清爽爽' }, cookie),
    });
    expect(changed.status).toBe(200);
    expect((await queue(cookie)).status).toBe(401); // the old session ended with the change
    expect((await queue(cookieOf(changed)!)).status).toBe(200);
    expect((await login('shouli', '清溪 河水 要 清清爽爽')).status).toBe(200);
  });

  it('accepts long passphrases in any script and refuses short, common or name-like ones', () => {
    expect(passwordProblem('短密码', 'chen')).toMatch(/至少 10/);
    expect(passwordProblem('qwertyuiop', 'chen')).toMatch(/太常见/);
    expect(passwordProblem('aaaaaaaaaaaa', 'chen')).toMatch(/太常见/);
    expect(passwordProblem('chen-is-my-password', 'chen')).toMatch(/用户名/);
    expect(passwordProblem('我家门前有条小河 🐟', 'chen')).toBeNull();
    expect(passwordProblem('x'.repeat(300), 'chen')).toMatch(/最多/);
  });

  it('gives one generic answer for a wrong password, an unknown user and a disabled account', async () => {
    ctx.db.update(users).set({ disabled: true }).where(eq(users.username, 'lingdao')).run();
    const answers = await Promise.all([
      login('admin', 'wrong-password-here', '10.0.0.2'),
      login('nobody', 'whatever-password', '10.0.0.2'),
      login('lingdao', otp('lingdao'), '10.0.0.2'),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect((await a.json()).error.message).toBe('用户名或密码不正确');
    }
  });

  it('throttles by account and by address with 429', async () => {
    for (let i = 0; i < 3; i++) expect((await login('zhulin', `wrong-${i}-password`, `10.1.0.${i}`)).status).toBe(401);
    const blocked = await login('zhulin', otp('zhulin'), '10.1.0.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) await login(`user${i}`, 'wrong-password-x', '10.2.0.1');
    expect((await login('admin', 'any-password-here', '10.2.0.1')).status).toBe(429);
    // Successful logins from one shared address (a township office behind NAT) do not lock it out,
    // 60 of them: over the limit of 50.
    for (let i = 0; i < 60; i++)
      expect((await login('shouli', '清溪 河水 要 清清爽爽', '10.3.0.1')).status, `login ${i}`).toBe(200);
  });

  it('expires an idle session and a too old one, on a fake clock', async () => {
    const cookie = signIn(ctx, 'shengtai');
    now += 29 * 60_000;
    expect((await queue(cookie)).status).toBe(200);
    now += 29 * 60_000; // active: the idle clock restarted at the last request
    expect((await queue(cookie)).status).toBe(200);
    now += 31 * 60_000;
    expect((await queue(cookie)).status).toBe(401);
    const long = signIn(ctx, 'shengtai');
    const start = now;
    while (now - start < 8 * 3_600_000 - 25 * 60_000) {
      now += 25 * 60_000; // never idle for long
      expect((await queue(long)).status).toBe(200);
    }
    now = start + 8 * 3_600_000 + 1000; // but older than the absolute limit
    expect((await queue(long)).status).toBe(401);
  });

  it('ends sessions at logout (an old cookie replayed is refused), role change and disabling', async () => {
    const cookie = signIn(ctx, 'admin');
    const victim = signIn(ctx, 'shengtai');
    expect((await app.request('/api/admin/session', { method: 'DELETE', headers: { cookie } })).status).toBe(200);
    expect((await queue(cookie)).status).toBe(401);
    const admin = signIn(ctx, 'admin');
    const id = ctx.db.select({ id: users.id }).from(users).where(eq(users.username, 'shengtai')).get()!.id;
    const change = await app.request(`/api/admin/users/${id}`, {
      method: 'PATCH',
      ...json({ role: 'leader', reason: '调岗' }, admin),
    });
    expect(change.status).toBe(200);
    expect((await queue(victim)).status).toBe(401);
    const adminId = ctx.db.select({ id: users.id }).from(users).where(eq(users.username, 'admin')).get()!.id;
    const self = await app.request(`/api/admin/users/${adminId}`, {
      method: 'PATCH',
      ...json({ disabled: true, reason: '手滑' }, admin),
    });
    expect(self.status).toBe(400);
    expect((await self.json()).error.message).toMatch(/不能停用自己的账号/);
    // A forgotten password: the admin issues a new one-time password; old sessions end.
    const before = signIn(ctx, 'shengtai');
    const reset = await app.request(`/api/admin/users/${id}/password`, {
      method: 'POST',
      ...json({ reason: '忘记密码' }, admin),
    });
    const { oneTimePassword } = await reset.json();
    expect(oneTimePassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect((await queue(before)).status).toBe(401);
    expect(await (await login('shengtai', oneTimePassword, '10.3.0.1')).json()).toMatchObject({
      mustChangePassword: true,
    });
    const again = signIn(ctx, 'shengtai');
    await app.request(`/api/admin/users/${id}`, {
      method: 'PATCH',
      ...json({ disabled: true, reason: '离职' }, admin),
    });
    expect((await queue(again)).status).toBe(401);
  });

  it('refuses a cross-site state change even with a valid session', async () => {
    const cookie = signIn(ctx, 'admin');
    const res = await app.request('/api/admin/session', {
      method: 'DELETE',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    const form = await app.request('/api/admin/users', {
      method: 'POST',
      headers: { cookie, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(form.status).toBe(403);
    expect((await queue(cookie)).status).toBe(200);
  });
});
