import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { asc } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ROLES, users } from '../../db/schema.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { auditQuery, listAudit } from '../services/audit-log.ts';
import { createAccount, resetPassword, updateAccount } from '../services/auth/accounts.ts';
import { DEFAULT_TEMPLATES, listTemplates, saveTemplate } from '../services/reply-templates.ts';
import { freeText, recordId } from '../services/text-input.ts';

const actorOf = (u: { id: number; displayName: string }) => ({ id: u.id, label: u.displayName });
const newUser = z.object({
  username: z.string().trim().regex(/^[a-z0-9_.-]{3,32}$/, { error: '用户名为 3–32 位小写字母、数字或 _ . -' }),
  displayName: freeText('姓名', { min: 1, max: 40, required: '请填写姓名' }),
  role: z.enum(ROLES, { error: '请选择角色' }),
  villageId: z.number().int().positive().nullable().optional(),
  departmentId: z.number().int().positive().nullable().optional(),
});
const userChange = z.object({
  role: z.enum(ROLES).optional(),
  villageId: z.number().int().positive().nullable().optional(),
  departmentId: z.number().int().positive().nullable().optional(),
  disabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  reason: freeText('理由', { min: 2, max: 200, required: '请填写理由', tooShort: '请填写理由' }),
});

/** Admin: the audit log, accounts and reply templates. Policy: api/http/policy.ts. */
export function adminMiscRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/audit', (c) => c.json(listAudit(ctx.db, auditQuery.parse(c.req.query()))))
    .get('/users', (c) => c.json(ctx.db.select({ id: users.id, username: users.username, displayName: users.displayName, role: users.role, villageId: users.villageId, departmentId: users.departmentId, disabled: users.disabled }).from(users).orderBy(asc(users.id)).all()))
    .post('/users', async (c) => {
      const r = await createAccount(ctx.db, actorOf(staff(c)), await jsonBody(c, newUser), ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      c.header('Cache-Control', 'no-store');
      return c.json(r.value, 201);
    })
    .patch('/users/:id', zValidator('param', z.object({ id: recordId('用户') })), async (c) => {
      const { reason, ...change } = await jsonBody(c, userChange);
      const r = updateAccount(ctx.db, actorOf(staff(c)), c.req.valid('param').id, change, reason, ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      return c.json({ ok: true });
    })
    .post('/users/:id/password', zValidator('param', z.object({ id: recordId('用户') })), async (c) => {
      const { reason } = await jsonBody(c, z.object({ reason: freeText('理由', { min: 2, max: 200, required: '请填写理由', tooShort: '请填写理由' }) }));
      const r = await resetPassword(ctx.db, actorOf(staff(c)), c.req.valid('param').id, reason, ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      c.header('Cache-Control', 'no-store');
      return c.json(r.value);
    })
    .get('/templates', (c) => c.json(listTemplates(ctx.db)))
    .put('/templates/:action', async (c) => {
      const action = c.req.param('action');
      if (!(action in DEFAULT_TEMPLATES)) throw new ApiError(404, '没有这个答复模板');
      const { body } = await jsonBody(c, z.object({ body: freeText('模板内容', { min: 2, max: 1000, required: '模板内容不能为空', tooShort: '模板内容至少 2 个字' }) }));
      saveTemplate(ctx.db, actorOf(staff(c)), action, body, ctx.clock());
      return c.json({ ok: true });
    });
}
