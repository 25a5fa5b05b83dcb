import { eq } from 'drizzle-orm';
import type { AppContext } from '../../api/context.ts';
import { createSession } from '../../api/domain/accounts/sessions.ts';
import { users } from '../../db/schema.ts';

/** A signed-in staff member's cookie, as if he had logged in and set his own password. */
export function signIn(ctx: AppContext, username: string): string {
  const user = ctx.db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
  if (!user) throw new Error(`no user ${username}`);
  ctx.db.update(users).set({ mustChangePassword: false }).where(eq(users.id, user.id)).run();
  return `sid=${createSession(ctx.db, user.id, ctx.clock(), ctx.sessions).token}`;
}

export const cookieOf = (res: Response) => /sid=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? null;

export const json = (body: unknown, cookie?: string, extra: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...extra },
  body: JSON.stringify(body),
});
