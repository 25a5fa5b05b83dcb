import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { createDepartment, departmentInput, listDepartments } from '../domain/accounts/departments.ts';

/** Admin: the county's departments and each township's 站所. Policy: api/http/policy.ts. */
export function adminDepartmentRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/departments', (c) => c.json(listDepartments(ctx.db)))
    .post('/departments', async (c) => {
      const user = staff(c);
      const input = await jsonBody(c, departmentInput);
      const r = createDepartment(ctx.db, { id: user.id, label: user.displayName }, input, ctx.clock());
      if (!r.ok) throw new ApiError(400, r.message);
      return c.json(r.value, 201);
    });
}
