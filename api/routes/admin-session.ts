import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { clientIp } from '../http/client-ip.ts';
import { ApiError } from '../http/errors.ts';
import { clearSessionCookie, setSessionCookie, staff, type StaffEnv } from '../http/staff-auth.ts';
import { audit } from '../domain/accounts/audit.ts';
import { changePassword, checkLogin } from '../domain/accounts/accounts.ts';
import {
  createSession,
  endSession,
  ONE_TIME_LOGIN_PROOF_MS,
  openedWithOneTimePassword,
  SESSION_COOKIE,
} from '../domain/accounts/sessions.ts';
import { DEVICE_COOKIE, waitMessage } from '../domain/accounts/login-throttle.ts';
import { freeText } from '../domain/shared/text-input.ts';

const login = z.object({
  username: freeText('用户名', { min: 1, max: 64, required: '请输入用户名' }),
  password: z.string({ error: '请输入密码' }).min(1, { error: '请输入密码' }).max(1024),
});
const passwordChange = z
  .object({
    // Left out right after a login with the one-time password (the route checks that it was).
    current: z.string().min(1, { error: '请输入当前密码' }).max(1024).optional(),
    next: z.string({ error: '请输入新密码' }).min(1, { error: '请输入新密码' }).max(1024),
    confirm: z.string({ error: '请在“确认新密码”中再输入一遍新密码' }).max(1024),
  })
  .refine((b) => b.confirm === b.next, { path: ['confirm'], error: '确认新密码：两次输入的新密码不一致' });
const GENERIC = '用户名或密码不正确';

/** Staff sign in and out, and change their password. Policy: api/http/policy.ts. */
export function adminSessionRoutes(ctx: AppContext) {
  const secure = ctx.env.NODE_ENV === 'production';
  return new Hono<StaffEnv>()
    .post('/session', async (c) => {
      const { username, password } = await jsonBody(c, login);
      const device = getCookie(c, DEVICE_COOKIE);
      // Asked before the password is checked: a refused guess costs no argon2 work.
      const attempt = ctx.loginThrottle.begin(username, clientIp(c, ctx.env.TRUST_PROXY), device);
      if (!attempt.ok)
        throw new ApiError(429, waitMessage(attempt.retryAfterS), undefined, {
          'Retry-After': String(attempt.retryAfterS),
        });
      let user: Awaited<ReturnType<typeof checkLogin>>;
      try {
        user = await checkLogin(ctx.db, username, password);
      } catch (e) {
        ctx.loginThrottle.abandon(attempt);
        throw e;
      }
      const now = ctx.clock();
      if (!user) {
        ctx.loginThrottle.fail(attempt);
        audit(
          ctx.db,
          { id: null, label: `登录失败：${username.slice(0, 64)}` },
          { action: 'user.login_failed', objectType: 'user', objectId: username.slice(0, 64) },
          now,
        );
        throw new ApiError(401, GENERIC);
      }
      // This browser becomes a known device of the account: an attacker's failures elsewhere do not slow it.
      setCookie(c, DEVICE_COOKIE, ctx.loginThrottle.succeed(attempt, device), {
        httpOnly: true,
        secure,
        sameSite: 'Strict',
        path: '/api/admin/session',
        maxAge: Math.floor(ctx.loginThrottle.deviceTtlMs / 1000),
      });
      const { token, expiresAt } = createSession(ctx.db, user.id, now, ctx.sessions);
      audit(
        ctx.db,
        { id: user.id, label: user.displayName },
        { action: 'user.login', objectType: 'user', objectId: user.id },
        now,
      );
      setSessionCookie(c, token, expiresAt, secure);
      return c.json({ displayName: user.displayName, role: user.role, mustChangePassword: user.mustChangePassword });
    })
    .delete('/session', (c) => {
      const user = staff(c);
      const token = getCookie(c, SESSION_COOKIE);
      if (token) endSession(ctx.db, token);
      audit(
        ctx.db,
        { id: user.id, label: user.displayName },
        { action: 'user.logout', objectType: 'user', objectId: user.id },
        ctx.clock(),
      );
      clearSessionCookie(c);
      // The browser's HTTP cache goes too; the page has already had the work app delete the pages kept offline
      // (admin/scripts/offline-app.ts). Storage is left alone: the upload queue may hold evidence not yet sent.
      c.header('Clear-Site-Data', '"cache"');
      return c.json({ ok: true });
    })
    .post('/password', async (c) => {
      const user = staff(c);
      const { current, next } = await jsonBody(c, passwordChange);
      const now = ctx.clock();
      if (current === undefined && !openedWithOneTimePassword(ctx.db, getCookie(c, SESSION_COOKIE), now))
        throw new ApiError(
          400,
          `请输入当前密码（登录已超过 ${ONE_TIME_LOGIN_PROOF_MS / 60_000} 分钟的，请刷新本页后输入）`,
        );
      const result = await changePassword(ctx.db, user, current ?? null, next, now);
      if (!result.ok) throw new ApiError(400, result.message);
      // Every session of this user ended, this one too: carry on in a fresh one.
      const { token, expiresAt } = createSession(ctx.db, user.id, now, ctx.sessions);
      setSessionCookie(c, token, expiresAt, secure);
      return c.json({ ok: true });
    });
}
