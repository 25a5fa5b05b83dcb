import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ROLES } from '../../db/schema.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { createAccount, listAccounts, resetPassword, updateAccount } from '../domain/accounts/accounts.ts';
import { freeText, recordId } from '../domain/shared/text-input.ts';

const actorOf = (u: { id: number; displayName: string }) => ({ id: u.id, label: u.displayName });
const reason = freeText('理由', { min: 2, max: 200, required: '请填写理由', tooShort: '请填写理由' });
const idParam = z.object({ id: recordId('用户') });
/** A record chosen in a select: its id, or null for none. */
const chosen = (label: string) => z.union([z.null(), recordId(label)], { error: `${label}不正确` }).optional();
// The account's level: a village (township implied), a department (its township, or the county), or for an office or
// leader account the township chosen ('county' or none = the county). Admin is county-level.
const place = {
  villageId: chosen('所属村'),
  departmentId: chosen('所属部门'),
  townshipId: z
    .union([z.null(), z.literal('county').transform(() => null), recordId('所属乡镇（街道）')], {
      error: '所属乡镇（街道）不正确',
    })
    .optional(),
};
const newUser = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9_.-]{3,32}$/, { error: '用户名为 3–32 位小写字母、数字或 _ . -' }),
  displayName: freeText('姓名', { min: 1, max: 40, required: '请填写姓名' }),
  role: z.enum(ROLES, { error: '请选择角色' }),
  ...place,
});
const userChange = z.object({
  role: z.enum(ROLES, { error: '角色参数有误' }).optional(),
  ...place,
  disabled: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: '停用参数有误' })
    .optional(),
  reason,
});

/** Admin: staff accounts. Policy: api/http/policy.ts. */
export function adminUserRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/users', (c) => c.json(listAccounts(ctx.db)))
    .post('/users', async (c) => {
      const r = await createAccount(ctx.db, actorOf(staff(c)), await jsonBody(c, newUser), ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      c.header('Cache-Control', 'no-store');
      return c.json(r.value, 201);
    })
    .patch('/users/:id', zValidator('param', idParam), async (c) => {
      const { reason, ...change } = await jsonBody(c, userChange);
      const r = updateAccount(ctx.db, actorOf(staff(c)), c.req.valid('param').id, change, reason, ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      return c.json({ ok: true });
    })
    .post('/users/:id/password', zValidator('param', idParam), async (c) => {
      const body = await jsonBody(c, z.object({ reason }));
      const r = await resetPassword(ctx.db, actorOf(staff(c)), c.req.valid('param').id, body.reason, ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      c.header('Cache-Control', 'no-store');
      return c.json(r.value);
    });
}
