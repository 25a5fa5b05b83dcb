import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { enforcementConfig } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { listRevisits, recordRevisit, revisitInput } from '../domain/enforcement/revisits.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('回头看记录') });
const status = z.object({ status: z.enum(['scheduled', 'done']).catch('scheduled') });

/** 回头看: the village records what it found; a finding reopens work. Policy: api/http/policy.ts. */
export function adminRevisitRoutes(ctx: AppContext) {
  const cfg = enforcementConfig(ctx.env);
  return new Hono<StaffEnv>()
    .get('/revisits', (c) =>
      c.json({ rows: listRevisits(ctx.db, staff(c), status.parse(c.req.query()).status, ctx.clock()) }),
    )
    .post(
      '/revisits/:id',
      zValidator('param', idParam, (r) => {
        if (!r.success) throw new ApiError(404, '回头看记录不存在或无权查看');
      }),
      async (c) => {
        const input = await jsonBody(c, revisitInput);
        return c.json(
          orThrow(
            recordRevisit(
              ctx.db,
              staff(c),
              c.req.valid('param').id,
              input,
              { ...cfg, areas: ctx.villageAreas() },
              ctx.clock(),
            ),
          ),
        );
      },
    );
}
