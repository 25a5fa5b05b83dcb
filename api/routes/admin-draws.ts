import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { evidenceRules, maxReportBodyBytes } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { fieldWorkBody, fieldWorkSpec, parsedOr400 } from '../http/field-work-body.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import type { FormSpec } from '../domain/shared/form-spec.ts';
import { reportPixelCheck } from '../domain/shared/photos/pipeline.ts';
import {
  createDraw,
  drawInput,
  drawPhotoFile,
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
const photoParam = itemParam.extend({
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const LABELS: Record<string, string> = {
  outcome: '检查结果',
  note: '情况说明',
  lat: '手机定位的纬度',
  lng: '手机定位的经度',
  photos: '照片',
};
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_DRAW);
};

/** 双随机 random inspections (seed 001). Policy: api/http/policy.ts. */
export function adminDrawRoutes(ctx: AppContext) {
  const outcomeForm: FormSpec = fieldWorkSpec({
    fields: new Set(Object.keys(LABELS).filter((n) => n !== 'photos')),
    files: new Set(['photos']),
    label: (name) => LABELS[name] ?? name,
    maxFields: 5, // and an empty photo input sent as text
    maxFieldBytes: 16 * 1024,
    maxFiles: ctx.formLimits.maxPhotos,
    maxFileBytes: ctx.photoLimits.maxBytes,
    maxBytes: maxReportBodyBytes(ctx.env),
    fileHead: () => reportPixelCheck(ctx.photoLimits),
  });
  return new Hono<StaffEnv>()
    .get('/draws', (c) => c.json({ draws: listDraws(ctx.db, staff(c)) }))
    .post('/draws', async (c) => {
      const r = orThrow(createDraw(ctx.db, staff(c), await jsonBody(c, drawInput), ctx.clock()));
      return c.json({ id: r.id, seed: r.seed }, 201);
    })
    .get('/draws/:id', zValidator('param', idParam, notFound), (c) => {
      const d = getDraw(ctx.db, staff(c), c.req.valid('param').id, evidenceRules(ctx.env));
      if (!d) throw new ApiError(404, NO_DRAW);
      return c.json(d);
    })
    .get('/draws/:id/verify', zValidator('param', idParam, notFound), (c) => {
      const v = verifyDraw(ctx.db, staff(c), c.req.valid('param').id);
      if (!v) throw new ApiError(404, NO_DRAW);
      return c.json(v);
    })
    .post('/draws/:id/items/:enterpriseId', zValidator('param', itemParam, notFound), async (c) => {
      const { id, enterpriseId } = c.req.valid('param');
      const body = await fieldWorkBody(c, outcomeForm, ctx.clock());
      const input = parsedOr400(outcomeInput, body.fields);
      const photos = body.photos.map((p) => p.data);
      const r = orThrow(await recordOutcome(ctx, staff(c), id, enterpriseId, input, photos, ctx.clock(), body.sent));
      return c.json({ ok: true, outcome: r.outcome, photos: r.photos });
    })
    .get(
      '/draws/:id/items/:enterpriseId/photos/:photoId/:size',
      zValidator('param', photoParam, notFound),
      async (c) => {
        const { id, enterpriseId, photoId, size } = c.req.valid('param');
        const file = drawPhotoFile(ctx.db, staff(c), id, enterpriseId, photoId, size);
        if (!file) throw new ApiError(404, NO_DRAW);
        return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
          'Content-Type': 'image/webp',
          'Cache-Control': 'private, no-store',
        });
      },
    );
}
