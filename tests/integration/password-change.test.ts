import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, users } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { cookieOf, json } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// Changing a password asks for it twice (checked by the server too); right after a login with the
// one-time password, it does not ask for that password again: the session proves it, server-side.
const { ctx, app, accounts } = await freshContext();
const otp = (u: string) => accounts.find((a) => a.username === u)!.oneTimePassword;
const hash = (u: string) => ctx.db.select().from(users).where(eq(users.username, u)).get()!.passwordHash;
async function login(username: string, password: string) {
  const res = await app.request('/api/admin/session', { method: 'POST', ...json({ username, password }) });
  expect(res.status).toBe(200);
  return cookieOf(res)!;
}
const change = (cookie: string, body: Record<string, string>) =>
  app.request('/api/admin/password', { method: 'POST', ...json(body, cookie) });
const refusal = async (res: Response) => {
  expect(res.status).toBe(400);
  return ((await res.json()) as { error: { message: string } }).error.message;
};

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());
const form = async (cookie: string) => {
  const html = await (await fetch(`${site.base}/admin/password`, { headers: { cookie } })).text();
  return { current: html.includes('id="current"'), confirm: html.includes('id="confirm"') };
};

describe('changing the password', () => {
  it('right after a one-time login: no current password asked, the new one twice', async () => {
    const cookie = await login('shouli', otp('shouli'));
    expect(await form(cookie)).toEqual({ current: false, confirm: true });
    const before = hash('shouli');
    const next = '清溪河边的新密码足够长';
    expect(await refusal(await change(cookie, { next, confirm: `${next}了` }))).toContain('确认新密码');
    expect(await refusal(await change(cookie, { next }))).toContain('确认新密码');
    // The one-time password is no new password.
    expect(await refusal(await change(cookie, { next: otp('shouli'), confirm: otp('shouli') }))).toBe(
      '新密码不能与当前密码相同',
    );
    expect(hash('shouli')).toBe(before);
    const done = await change(cookie, { next, confirm: next });
    expect(done.status).toBe(200);
    expect(hash('shouli')).not.toBe(before);

    // An ordinary session asks for the current password again.
    const later = await login('shouli', next);
    expect(await form(later)).toEqual({ current: true, confirm: true });
    const other = '清溪河边的第二个新密码';
    expect(await refusal(await change(later, { next: other, confirm: other }))).toContain('请输入当前密码');
    expect(await refusal(await change(later, { current: '不对的密码不对的', next: other, confirm: other }))).toBe(
      '当前密码不正确',
    );
    expect((await change(later, { current: next, next: other, confirm: other })).status).toBe(200);
  });

  it('a one-time login of half an hour ago proves nothing any more', async () => {
    const cookie = await login('lingdao', otp('lingdao'));
    ctx.db
      .update(sessions)
      .set({ createdAt: new Date(ctx.clock().getTime() - 31 * 60_000) })
      .where(eq(sessions.userId, ctx.db.select().from(users).where(eq(users.username, 'lingdao')).get()!.id))
      .run();
    expect(await form(cookie)).toEqual({ current: true, confirm: true });
    const next = '领导小组的新密码足够长';
    expect(await refusal(await change(cookie, { next, confirm: next }))).toContain('请输入当前密码');
    expect((await change(cookie, { current: otp('lingdao'), next, confirm: next })).status).toBe(200);
  });
});
