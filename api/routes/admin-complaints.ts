import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { complaintLimits } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { applyAction } from '../domain/complaints/actions.ts';
import { getStaffComplaint, revealContact, staffPhotoFile } from '../domain/complaints/detail.ts';
import { listQueue, queueCounts, queueQuery } from '../domain/complaints/queue.ts';
import { actionInput, batchActionInput } from '../domain/complaints/workflow.ts';
import { reviewFollowups, reviewInput } from '../domain/complaints/followup-review.ts';
import {
  addTrackPhoto,
  staffTrackPhotoFile,
  trackPhotoInput,
  withdrawTrackPhoto,
} from '../domain/complaints/track-photos.ts';
import { decimal, freeText, optionalText, recordId } from '../domain/shared/text-input.ts';

const notFound = () => new ApiError(404, '举报不存在或无权查看');
const idParam = z.object({ id: recordId('举报') });
const photoParam = idParam.extend({
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const trackPhotoParam = idParam.extend({ photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/) });
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};
const bulk = z.object({
  items: z
    .array(
      z.object({
        id: recordId('举报'),
        version: decimal('版本号', { integer: true, min: 1, invalid: '缺少版本号，请刷新页面' }),
      }),
    )
    .min(1, { error: '请先勾选举报' })
    .max(200, { error: '一次最多处理 200 条' }),
  action: batchActionInput,
  reason: optionalText('理由', { max: 500 }),
});

/** The moderation queue and triage. Policy: api/http/policy.ts (village officers read their own village only). */
export function adminComplaintRoutes(ctx: AppContext) {
  const limits = complaintLimits(ctx.env);
  return (
    new Hono<StaffEnv>()
      .get('/complaints', (c) => {
        const user = staff(c);
        const q = queueQuery.parse(c.req.query());
        const counts = queueCounts(ctx.db, user, ctx.clock(), q.township);
        return c.json({ ...listQueue(ctx.db, user, q, ctx.clock()), counts });
      })
      // Not /complaints/bulk: beside /complaints/:id/actions that shape drops Hono to its slower router.
      .post('/complaint-batch', async (c) => {
        const user = staff(c);
        const { items, action } = await jsonBody(c, bulk);
        const results = items.map((item) => {
          const r = applyAction(ctx.db, user, item.id, { ...action, version: item.version }, limits, ctx.clock());
          return { id: item.id, ...(r.ok ? { ok: true } : { ok: false, message: r.message }) };
        });
        return c.json({ results });
      })
      .get('/complaints/:id', zValidator('param', idParam, orNotFound), (c) => {
        const detail = getStaffComplaint(ctx.db, staff(c), c.req.valid('param').id);
        if (!detail) throw notFound();
        return c.json(detail);
      })
      .post('/complaints/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, actionInput);
        const r = applyAction(ctx.db, staff(c), c.req.valid('param').id, input, limits, ctx.clock());
        if (!r.ok) throw new ApiError(r.status, r.message);
        return c.json(r);
      })
      .post('/complaints/:id/contact', zValidator('param', idParam, orNotFound), async (c) => {
        const { reason } = await jsonBody(
          c,
          z.object({
            reason: freeText('查看理由', {
              min: 4,
              max: 200,
              required: '请说明查看举报人信息的理由',
              tooShort: '请说明查看举报人信息的理由（至少 4 个字）',
            }),
          }),
        );
        const contact = revealContact(ctx.db, staff(c), c.req.valid('param').id, reason, ctx.clock());
        if (!contact) throw notFound();
        c.header('Cache-Control', 'no-store');
        return c.json(contact);
      })
      // 已阅/处理: what the reporter sent back (followup-review.ts).
      .post('/complaints/:id/followups/review', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, reviewInput);
        const r = reviewFollowups(ctx.db, staff(c), c.req.valid('param').id, input, limits, ctx.clock());
        if (!r.ok) throw new ApiError(r.status, r.message);
        return c.json(r);
      })
      // Closing evidence for /track: public copies made with the blur chosen; withdrawing keeps the row.
      .post('/complaints/:id/track-photos', zValidator('param', idParam, orNotFound), async (c) => {
        const input = await jsonBody(c, trackPhotoInput);
        const r = await addTrackPhoto(ctx, staff(c), c.req.valid('param').id, input, ctx.clock());
        if (!r.ok) throw new ApiError(r.status, r.message);
        return c.json(r, 201);
      })
      .post(
        '/complaints/:id/track-photos/:photoId/withdraw',
        zValidator('param', trackPhotoParam, orNotFound),
        async (c) => {
          const { id, photoId } = c.req.valid('param');
          const r = withdrawTrackPhoto(ctx.db, staff(c), id, photoId, ctx.clock());
          if (!r.ok) throw new ApiError(r.status, r.message);
          return c.json(r);
        },
      )
      .get('/complaints/:id/track-photos/:photoId/:size', zValidator('param', photoParam, orNotFound), async (c) => {
        const { id, photoId, size } = c.req.valid('param');
        const file = staffTrackPhotoFile(ctx.db, staff(c), id, photoId, size);
        if (!file) throw notFound();
        return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
          'Content-Type': 'image/webp',
          'Cache-Control': 'private, no-store',
        });
      })
      .get('/complaints/:id/photos/:photoId/:size', zValidator('param', photoParam, orNotFound), async (c) => {
        const { id, photoId, size } = c.req.valid('param');
        const file = staffPhotoFile(ctx.db, staff(c), id, photoId, size);
        if (!file) throw notFound();
        return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
          'Content-Type': 'image/webp',
          'Cache-Control': 'private, no-store',
        });
      })
  );
}
