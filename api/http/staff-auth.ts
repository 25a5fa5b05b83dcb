import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import type { AppContext } from '../context.ts';
import { SESSION_COOKIE, validateSession, type StaffUser } from '../domain/accounts/sessions.ts';
import { ApiError } from './errors.ts';
import { decide } from './policy.ts';

export type StaffEnv = { Variables: { user: StaffUser | null; sessionId: string | null } };

// A new password is the only thing a user with a one-time password may do (and log out).
const BEFORE_PASSWORD_CHANGE = new Set(['POST /api/admin/password', 'DELETE /api/admin/session']);

/** Reads the session cookie, then lets the request through only if POLICY allows its route. */
export function staffGate(ctx: AppContext): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const session = validateSession(ctx.db, getCookie(c, SESSION_COOKIE), ctx.clock(), ctx.sessions);
    c.set('user', session?.user ?? null);
    c.set('sessionId', session?.sessionId ?? null);
    const handler = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
    if (!handler) return next(); // no such route: the 404 answers
    const key = `${c.req.method} ${handler.path}`;
    const decision = decide(key, session?.user.role ?? null);
    if (decision === 'login') throw new ApiError(401, '请先登录');
    if (decision === 'forbidden') throw new ApiError(403, '无权执行此操作');
    if (session?.user.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(key) && decide(key, null) !== 'allow') {
      throw new ApiError(403, '请先修改初始密码');
    }
    return next();
  };
}

export function staff(c: Context<StaffEnv>): StaffUser {
  const user = c.get('user');
  if (!user) throw new ApiError(401, '请先登录');
  return user;
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, secure, sameSite: 'Lax', path: '/', expires: expiresAt });
}

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/' });
