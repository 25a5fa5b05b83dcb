import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { addExposurePhoto, exposurePhotoFile, photoAddInput, photoBlurInput, photoRemoveInput, reblurExposurePhoto, removeExposurePhoto } from '../services/exposure-photos.ts';
import { exposureQuery, getExposure, listExposures } from '../services/exposure-queries.ts';
import { applyExposureAction, createExposure, exposureActionInput, exposureCreateInput, exposureInput, exposurePreviewInput, previewExposure, updateExposure } from '../services/exposures.ts';
import { recordId } from '../services/text-input.ts';

const idParam = z.object({ id: recordId('案例') });
const photoParam = idParam.extend({ photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/) });
const fileParam = photoParam.extend({ size: z.enum(['display', 'thumb']) });
const notFound = () => new ApiError(404, '案例不存在');
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};

/** Typical cases (典型案例): the office writes, a second person publishes. Policy: api/http/policy.ts. */
export function adminExposureRoutes(ctx: AppContext) {
  const deps = { db: ctx.db, photos: ctx.photos };
  return new Hono<StaffEnv>()
    .get('/exposures', (c) => c.json(listExposures(ctx.db, exposureQuery.parse(c.req.query()))))
    .post('/exposures', async (c) => {
      const input = await jsonBody(c, exposureCreateInput);
      return c.json(orThrow(createExposure(ctx.db, staff(c), input, ctx.clock())), 201);
    })
    .get('/exposures/:id', zValidator('param', idParam, orNotFound), (c) => {
      const e = getExposure(ctx.db, staff(c), c.req.valid('param').id);
      if (!e) throw notFound();
      return c.json(e);
    })
    .patch('/exposures/:id', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, exposureInput);
      return c.json(orThrow(updateExposure(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
    })
    // The editor's live preview: the draft goes in, only its redacted text and the kinds of thing hidden come out.
    .post('/exposures/:id/preview', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, exposurePreviewInput);
      return c.json(orThrow(previewExposure(ctx.db, staff(c), c.req.valid('param').id, input)));
    })
    .post('/exposures/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, exposureActionInput);
      return c.json(orThrow(applyExposureAction(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
    })
    .post('/exposures/:id/photos', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, photoAddInput);
      return c.json(orThrow(await addExposurePhoto(deps, staff(c), c.req.valid('param').id, input, ctx.clock())), 201);
    })
    .post('/exposures/:id/photos/:photoId/blur', zValidator('param', photoParam, orNotFound), async (c) => {
      const { id, photoId } = c.req.valid('param');
      const input = await jsonBody(c, photoBlurInput);
      return c.json(orThrow(await reblurExposurePhoto(deps, staff(c), id, photoId, input, ctx.clock())));
    })
    .delete('/exposures/:id/photos/:photoId', zValidator('param', photoParam, orNotFound), async (c) => {
      const { id, photoId } = c.req.valid('param');
      const input = await jsonBody(c, photoRemoveInput);
      return c.json(orThrow(await removeExposurePhoto(deps, staff(c), id, photoId, input, ctx.clock())));
    })
    // The public copy as the editor made it, before and after publication.
    .get('/exposures/:id/photos/:photoId/:size', zValidator('param', fileParam, orNotFound), async (c) => {
      const { id, photoId, size } = c.req.valid('param');
      const r = exposurePhotoFile(ctx.db, id, photoId, size, { staff: true });
      if (r.status !== 'ok') throw new ApiError(404, '照片不存在');
      return c.body(new Uint8Array(await ctx.photos.read(r.file)), 200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, no-store' });
    });
}
