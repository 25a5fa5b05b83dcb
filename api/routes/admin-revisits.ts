import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { enforcementConfig, evidenceRules, maxReportBodyBytes } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { fieldWorkBody, fieldWorkSpec, parsedOr400 } from '../http/field-work-body.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import type { FormSpec } from '../domain/shared/form-spec.ts';
import { reportPixelCheck } from '../domain/shared/photos/pipeline.ts';
import { listRevisits, recordRevisit, revisitInput, revisitPhotoFile } from '../domain/enforcement/revisits.ts';
import { recordId } from '../domain/shared/text-input.ts';

const NO_REVISIT = '回头看记录不存在或无权查看';
const idParam = z.object({ id: recordId('回头看记录') });
const photoParam = idParam.extend({
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const status = z.object({ status: z.enum(['scheduled', 'done']).catch('scheduled') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_REVISIT);
};
const LABELS: Record<string, string> = {
  outcome: '回头看结果',
  note: '现场情况',
  newEnterpriseName: '新作坊名称',
  newPersonInCharge: '新作坊负责人',
  lat: '手机定位的纬度',
  lng: '手机定位的经度',
  photos: '照片',
};

/** 回头看: the village records what it found, with on-site photos; a finding reopens work. Policy: api/http/policy.ts. */
export function adminRevisitRoutes(ctx: AppContext) {
  const cfg = enforcementConfig(ctx.env);
  const rules = evidenceRules(ctx.env);
  const form: FormSpec = fieldWorkSpec({
    fields: new Set(Object.keys(LABELS).filter((n) => n !== 'photos')),
    files: new Set(['photos']),
    label: (name) => LABELS[name] ?? name,
    maxFields: 7, // and an empty photo input sent as text
    maxFieldBytes: 16 * 1024,
    maxFiles: ctx.formLimits.maxPhotos,
    maxFileBytes: ctx.photoLimits.maxBytes,
    maxBytes: maxReportBodyBytes(ctx.env),
    fileHead: () => reportPixelCheck(ctx.photoLimits),
  });
  return new Hono<StaffEnv>()
    .get('/revisits', (c) =>
      c.json({ rows: listRevisits(ctx.db, staff(c), status.parse(c.req.query()).status, ctx.clock(), rules) }),
    )
    .post('/revisits/:id', zValidator('param', idParam, notFound), async (c) => {
      const body = await fieldWorkBody(c, form, ctx.clock());
      const input = parsedOr400(revisitInput, body.fields);
      const photos = body.photos.map((p) => p.data);
      const areas = ctx.villageAreas();
      const id = c.req.valid('param').id;
      const r = await recordRevisit(ctx, staff(c), id, input, photos, { ...cfg, areas }, ctx.clock(), body.sent);
      return c.json(orThrow(r));
    })
    .get('/revisits/:id/photos/:photoId/:size', zValidator('param', photoParam, notFound), async (c) => {
      const { id, photoId, size } = c.req.valid('param');
      const file = revisitPhotoFile(ctx.db, staff(c), id, photoId, size);
      if (!file) throw new ApiError(404, NO_REVISIT);
      return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': 'private, no-store',
      });
    });
}
