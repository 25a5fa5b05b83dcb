import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { clientIp } from '../http/client-ip.ts';
import { ApiError } from '../http/errors.ts';
import { clearSessionCookie, setSessionCookie, staff, type StaffEnv } from '../http/staff-auth.ts';
import { audit } from '../services/audit.ts';
import { changePassword, checkLogin } from '../services/auth/accounts.ts';
import { createSession, endSession, SESSION_COOKIE } from '../services/auth/sessions.ts';

const login = z.object({ username: z.string({ error: '请输入用户名' }).trim().min(1, { error: '请输入用户名' }).max(64), password: z.string({ error: '请输入密码' }).min(1, { error: '请输入密码' }).max(1024) });
const passwordChange = z.object({ current: z.string().min(1, { error: '请输入当前密码' }).max(1024), next: z.string().min(1, { error: '请输入新密码' }).max(1024) });
const GENERIC = '用户名或密码不正确';

/** Staff sign in and out, and change their password. Policy: api/http/policy.ts. */
export function adminSessionRoutes(ctx: AppContext) {
  const secure = ctx.env.NODE_ENV === 'production';
  return new Hono<StaffEnv>()
    .post('/session', async (c) => {
      const { username, password } = await jsonBody(c, login);
      const ip = clientIp(c, ctx.env.TRUST_PROXY);
      const byIp = ctx.loginIpLimiter.hit(ip);
      const byAccount = ctx.loginAccountLimiter.hit(username.toLowerCase());
      const blocked = !byIp.ok ? byIp : !byAccount.ok ? byAccount : null;
      if (blocked) throw new ApiError(429, '登录尝试过多，请稍后再试', undefined, { 'Retry-After': String(blocked.retryAfterS) });
      const user = await checkLogin(ctx.db, username, password);
      const now = ctx.clock();
      if (!user) {
        audit(ctx.db, { id: null, label: `登录失败：${username.slice(0, 64)}` }, { action: 'user.login_failed', objectType: 'user', objectId: username.slice(0, 64) }, now);
        throw new ApiError(401, GENERIC);
      }
      ctx.loginAccountLimiter.reset(username.toLowerCase());
      ctx.loginIpLimiter.forgive(ip); // a township office logs in from one NAT address each morning
      const { token, expiresAt } = createSession(ctx.db, user.id, now, ctx.sessions);
      audit(ctx.db, { id: user.id, label: user.displayName }, { action: 'user.login', objectType: 'user', objectId: user.id }, now);
      setSessionCookie(c, token, expiresAt, secure);
      return c.json({ displayName: user.displayName, role: user.role, mustChangePassword: user.mustChangePassword });
    })
    .delete('/session', (c) => {
      const user = staff(c);
      const token = getCookie(c, SESSION_COOKIE);
      if (token) endSession(ctx.db, token);
      audit(ctx.db, { id: user.id, label: user.displayName }, { action: 'user.logout', objectType: 'user', objectId: user.id }, ctx.clock());
      clearSessionCookie(c);
      return c.json({ ok: true });
    })
    .post('/password', async (c) => {
      const user = staff(c);
      const { current, next } = await jsonBody(c, passwordChange);
      const result = await changePassword(ctx.db, user, current, next, ctx.clock());
      if (!result.ok) throw new ApiError(400, result.message);
      // Every session of this user ended, this one too: carry on in a fresh one.
      const { token, expiresAt } = createSession(ctx.db, user.id, ctx.clock(), ctx.sessions);
      setSessionCookie(c, token, expiresAt, secure);
      return c.json({ ok: true });
    });
}
