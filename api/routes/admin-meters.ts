import { resolve } from 'node:path';
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { tableLimits } from '../env.ts';
import { bodySource, jsonBody } from '../http/body.ts';
import { badQuery } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { logger } from '../http/logging.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { optionalRecordId, recordId } from '../domain/shared/text-input.ts';
import { AFTER_IMPORT, runDetection } from '../domain/watch/detection.ts';
import { importStatus, listMeterImports, startImport } from '../domain/watch/import-jobs.ts';
import {
  linkMeter,
  listMeters,
  meterFilter,
  meterInput,
  meterLink,
  meterRetire,
  registerMeter,
  retireMeter,
} from '../domain/watch/meters.ts';

const meterId = z.object({ id: recordId('户号') });
const importId = z.object({ id: recordId('导入记录') });
const notFound = (what: string) => (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, `${what}不存在`);
};
const uploadQuery = z.object({
  list: z.enum(['readings', 'meters'], { message: '请选择导入电量数据还是户号清单' }),
  name: z.string().trim().max(200, { message: '文件名过长' }).default(''),
  /** A county account's choice of township; a township account imports into its own. */
  townshipId: optionalRecordId('乡镇（街道）'),
});

/** Meters (户号) and the utility's imports (issue 15). Policy: api/http/policy.ts; rows narrowed by township. */
export function adminMeterRoutes(ctx: AppContext) {
  const limits = tableLimits(ctx.env);
  const setup = {
    dataDir: resolve(ctx.env.DATA_DIR),
    limits,
    // New readings are looked at at once, not at night: a restarted workshop is flagged the day its data comes.
    afterReadings: (townshipId: number) =>
      runDetection(ctx.db, { townshipId, now: ctx.clock(), actor: AFTER_IMPORT }).catch((err: unknown) =>
        logger.error({ err, townshipId }, 'detection after a readings import failed'),
      ),
  };
  return (
    new Hono<StaffEnv>()
      .get('/watch/meters', zValidator('query', meterFilter, badQuery), (c) =>
        c.json(listMeters(ctx.db, staff(c), c.req.valid('query'))),
      )
      .post('/watch/meters', async (c) => {
        const body = await jsonBody(c, meterInput);
        return c.json(orThrow(registerMeter(ctx.db, staff(c), body, ctx.clock())), 201);
      })
      .post('/watch/meters/:id/link', zValidator('param', meterId, notFound('户号')), async (c) => {
        const body = await jsonBody(c, meterLink);
        return c.json(orThrow(linkMeter(ctx.db, staff(c), c.req.valid('param').id, body, ctx.clock())));
      })
      .post('/watch/meters/:id/retire', zValidator('param', meterId, notFound('户号')), async (c) => {
        const body = await jsonBody(c, meterRetire);
        return c.json(orThrow(retireMeter(ctx.db, staff(c), c.req.valid('param').id, body, ctx.clock())));
      })
      // The file itself is the body (the page shows the upload's progress, then the import's).
      .post('/watch/imports', zValidator('query', uploadQuery, badQuery), async (c) => {
        const declared = Number(c.req.header('content-length'));
        if (declared > limits.maxBytes)
          throw new ApiError(
            413,
            `文件超过 ${Math.floor(limits.maxBytes / 1024 / 1024)} MB 上限，无法导入：请分成几个文件`,
          );
        const source = bodySource(c);
        if (!source) throw new ApiError(400, '请选择要导入的文件');
        const { list, name, townshipId } = c.req.valid('query');
        const body = source as AsyncIterable<Uint8Array>;
        const started = orThrow(
          await startImport(ctx.db, staff(c), { list, fileName: name, body, townshipId }, setup, ctx.clock()),
        );
        return c.json(started, 202);
      })
      .get('/watch/imports', (c) => c.json({ imports: listMeterImports(ctx.db, staff(c)) }))
      .get('/watch/imports/:id', zValidator('param', importId, notFound('导入记录')), (c) =>
        c.json(orThrow(importStatus(ctx.db, staff(c), c.req.valid('param').id)).import),
      )
  );
}
