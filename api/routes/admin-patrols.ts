import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { createPatrol, getPatrol, listPatrols, patrolInput, patrolQuery } from '../domain/enforcement/patrols.ts';
import { recordId } from '../domain/shared/text-input.ts';

const NO_PATROL = '夜查记录不存在或无权查看';
const idParam = z.object({ id: recordId('记录') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_PATROL);
};

/** 夜查 night patrols (seed 003). Policy: api/http/policy.ts. */
export function adminPatrolRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/patrols', (c) => c.json({ patrols: listPatrols(ctx.db, staff(c), patrolQuery.parse(c.req.query())) }))
    .post('/patrols', async (c) => {
      const r = orThrow(createPatrol(ctx.db, staff(c), await jsonBody(c, patrolInput(ctx.clock)), ctx.clock()));
      return c.json({ id: r.id }, 201);
    })
    .get('/patrols/:id', zValidator('param', idParam, notFound), (c) => {
      const p = getPatrol(ctx.db, staff(c), c.req.valid('param').id);
      if (!p) throw new ApiError(404, NO_PATROL);
      return c.json(p);
    });
}
