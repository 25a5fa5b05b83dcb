import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import {
  createDraw,
  drawInput,
  getDraw,
  listDraws,
  outcomeInput,
  recordOutcome,
  verifyDraw,
} from '../domain/enforcement/draws.ts';
import { recordId } from '../domain/shared/text-input.ts';

const NO_DRAW = '抽查记录不存在';
const idParam = z.object({ id: recordId('记录') });
const itemParam = idParam.extend({ enterpriseId: recordId('企业') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_DRAW);
};

/** 双随机 random inspections (seed 001). Policy: api/http/policy.ts. */
export function adminDrawRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/draws', (c) => c.json({ draws: listDraws(ctx.db) }))
    .post('/draws', async (c) => {
      const r = orThrow(createDraw(ctx.db, staff(c), await jsonBody(c, drawInput), ctx.clock()));
      return c.json({ id: r.id, seed: r.seed }, 201);
    })
    .get('/draws/:id', zValidator('param', idParam, notFound), (c) => {
      const d = getDraw(ctx.db, c.req.valid('param').id);
      if (!d) throw new ApiError(404, NO_DRAW);
      return c.json(d);
    })
    .get('/draws/:id/verify', zValidator('param', idParam, notFound), (c) => {
      const v = verifyDraw(ctx.db, c.req.valid('param').id);
      if (!v) throw new ApiError(404, NO_DRAW);
      return c.json(v);
    })
    .post('/draws/:id/items/:enterpriseId', zValidator('param', itemParam, notFound), async (c) => {
      const { id, enterpriseId } = c.req.valid('param');
      const r = orThrow(
        recordOutcome(ctx.db, staff(c), id, enterpriseId, await jsonBody(c, outcomeInput), ctx.clock()),
      );
      return c.json({ ok: true, outcome: r.outcome });
    });
}
