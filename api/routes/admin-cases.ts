import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import {
  addCasePhoto,
  casePhotoFile,
  photoAddInput,
  photoBlurInput,
  photoRemoveInput,
  reblurCasePhoto,
  removeCasePhoto,
} from '../domain/public/case-photos.ts';
import { caseQuery, getCase, listCases } from '../domain/public/case-queries.ts';
import { caseActionInput } from '../domain/public/case-workflow.ts';
import {
  applyCaseAction,
  createCase,
  caseCreateInput,
  caseInput,
  casePreviewInput,
  previewCase,
  updateCase,
} from '../domain/public/cases.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('案例') });
const photoParam = idParam.extend({ photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/) });
const fileParam = photoParam.extend({ size: z.enum(['display', 'thumb']) });
const notFound = () => new ApiError(404, '案例不存在');
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};

/** Typical cases (典型案例): the office writes, a second person publishes. Policy: api/http/policy.ts. */
export function adminCaseRoutes(ctx: AppContext) {
  const deps = { db: ctx.db, photos: ctx.photos };
  return (
    new Hono<StaffEnv>()
      .get('/cases', (c) => c.json(listCases(ctx.db, staff(c), caseQuery.parse(c.req.query()))))
      .post('/cases', async (c) => {
        const input = await jsonBody(c, caseCreateInput);
        return c.json(orThrow(createCase(ctx.db, staff(c), input, ctx.clock())), 201);
      })
      .get('/cases/:id', zValidator('param', idParam, orNotFound), (c) => {
        const e = getCase(ctx.db, staff(c), c.req.valid('param').id);
        if (!e) throw notFound();
        return c.json(e);
      })
      .patch('/cases/:id', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, caseInput);
        return c.json(orThrow(updateCase(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
      })
      // The editor's live preview: the draft goes in, only its redacted text and the kinds of thing hidden come out.
      .post('/cases/:id/preview', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, casePreviewInput);
        return c.json(orThrow(previewCase(ctx.db, staff(c), c.req.valid('param').id, input)));
      })
      .post('/cases/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, caseActionInput);
        return c.json(orThrow(applyCaseAction(ctx.db, staff(c), c.req.valid('param').id, input, ctx.clock())));
      })
      .post('/cases/:id/photos', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, photoAddInput);
        return c.json(orThrow(await addCasePhoto(deps, staff(c), c.req.valid('param').id, input, ctx.clock())), 201);
      })
      .post('/cases/:id/photos/:photoId/blur', zValidator('param', photoParam, orNotFound), async (c) => {
        const { id, photoId } = c.req.valid('param');
        const input = await jsonBody(c, photoBlurInput);
        return c.json(orThrow(await reblurCasePhoto(deps, staff(c), id, photoId, input, ctx.clock())));
      })
      .delete('/cases/:id/photos/:photoId', zValidator('param', photoParam, orNotFound), async (c) => {
        const { id, photoId } = c.req.valid('param');
        const input = await jsonBody(c, photoRemoveInput);
        return c.json(orThrow(await removeCasePhoto(deps, staff(c), id, photoId, input, ctx.clock())));
      })
      // The public copy as the editor made it, before and after publication.
      .get('/cases/:id/photos/:photoId/:size', zValidator('param', fileParam, orNotFound), async (c) => {
        const { id, photoId, size } = c.req.valid('param');
        const r = casePhotoFile(ctx.db, id, photoId, size, { staff: true, within: staff(c) });
        if (r.status !== 'ok') throw new ApiError(404, '照片不存在');
        return c.body(new Uint8Array(await ctx.photos.read(r.file)), 200, {
          'Content-Type': 'image/webp',
          'Cache-Control': 'private, no-store',
        });
      })
  );
}
