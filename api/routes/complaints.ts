import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { clientIp } from '../http/client-ip.ts';
import { formBody, jsonValue, type JsonLimits } from '../http/body.ts';
import { declaredLength } from '../http/form-stream.ts';
import { parseComplaintForm, parseComplaintJson, type ParsedForm } from '../domain/complaints/form.ts';
import {
  admitReportUpload,
  countReportAttempt,
  fileReport,
  REFUSAL_STATUS,
  reportFormSpec,
  type FileReportResult,
} from '../domain/complaints/file-report.ts';
import { findPublicPhotoFile, getPublicComplaint } from '../domain/complaints/tracking.ts';
import { normalizeTrackingCode } from '../domain/complaints/tracking-code.ts';
import {
  followupFormSpec,
  parseFollowupForm,
  parseFollowupJson,
  type ParsedFollowup,
} from '../domain/complaints/followup-input.ts';
import {
  countFollowupAttempt,
  followupOffer,
  submitFollowup,
  type FollowupResult,
} from '../domain/complaints/followups.ts';
import { findTrackPhotoFile } from '../domain/complaints/track-photos.ts';
import type { FieldErrors } from '../domain/complaints/input.ts';

const codeParam = z.object({ code: z.string().max(40) });
const photoParam = codeParam.extend({
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
// A JSON report has no photos: its longest fields (captcha token, photo positions) are 10,000
// characters each, and photo positions nest three deep.
const REPORT_JSON: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 8, maxItems: 1000 };
const notFound = () => new ApiError(404, '没有找到这个查询码对应的举报，请核对后再试');
// A malformed code or photo id is simply not found.
const orNotFound = (result: { success: boolean }) => {
  if (!result.success) throw notFound();
};

function failure(r: Exclude<FileReportResult, { ok: true }>): ApiError {
  const headers = r.kind === 'rate_limited' || r.kind === 'busy' ? { 'Retry-After': String(r.retryAfterS) } : undefined;
  return new ApiError(
    REFUSAL_STATUS[r.kind],
    Object.values(r.errors)[0] ?? '提交内容有误',
    r.kind === 'rate_limited' ? undefined : r.errors,
    headers,
  );
}

function followupFailure(r: Extract<FollowupResult, { ok: false }>): ApiError {
  const retry = r.retryAfterS === undefined ? undefined : { 'Retry-After': String(r.retryAfterS) };
  // The follow-up form's own field names (followup-input.ts), in the API's one error shape.
  const fields = r.status === 429 ? undefined : (r.errors as FieldErrors);
  return new ApiError(r.status, Object.values(r.errors)[0] ?? '提交内容有误', fields, retry);
}

const FOLLOWUP_JSON: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 2, maxItems: 20 };

/** A follow-up's fields and photos, from a form (read as it streams in) or JSON. */
async function parseFollowup(ctx: AppContext, c: Context, type: string): Promise<ParsedFollowup> {
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded'))
    return parseFollowupForm(await formBody(c, followupFormSpec(ctx.formLimits, ctx.photoLimits)));
  if (type.startsWith('application/json')) return parseFollowupJson(await jsonValue(c, FOLLOWUP_JSON));
  throw new ApiError(415, '请以表单（multipart/form-data）或 JSON 提交');
}

/** A report's fields and photos, from a form (read as it streams in) or JSON. */
async function parseReport(ctx: AppContext, c: Context, type: string): Promise<ParsedForm> {
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    return parseComplaintForm(await formBody(c, reportFormSpec(ctx)));
  }
  if (type.startsWith('application/json')) return parseComplaintJson(await jsonValue(c, REPORT_JSON));
  throw new ApiError(415, '请以表单（multipart/form-data）或 JSON 提交');
}

/** Public: residents file reports and follow them with their tracking code. */
export function complaintRoutes(ctx: AppContext) {
  return new Hono()
    .post('/', async (c) => {
      const ip = clientIp(c, ctx.env.TRUST_PROXY);
      const limited = countReportAttempt(ctx, ip);
      if (limited && !limited.ok) throw failure(limited);
      const type = c.req.header('content-type') ?? '';
      // Unread, a refused upload is discarded after the answer (node-server), as after any early refusal.
      const upload = admitReportUpload(
        ctx,
        type,
        declaredLength((name) => c.req.header(name)),
      );
      if (!upload.ok) throw failure(upload.refusal);
      let result: FileReportResult;
      try {
        result = await fileReport(ctx, await parseReport(ctx, c, type), ip, 'web');
      } finally {
        upload.release();
      }
      if (!result.ok) throw failure(result);
      const { receipt } = result;
      // A retry gets the first answer, word for word; the header tells a client it was a retry.
      if (result.replayed) c.header('Idempotent-Replayed', 'true');
      return c.json({ ...receipt, createdAt: receipt.createdAt.toISOString() }, 201);
    })
    .post('/followups', async (c) => {
      // 补充材料, 又开工了, 评价: with the code in the body, never in a URL; limited like filing a report.
      const limited = countFollowupAttempt(ctx, clientIp(c, ctx.env.TRUST_PROXY));
      if (limited) throw followupFailure(limited);
      const type = c.req.header('content-type') ?? '';
      const upload = admitReportUpload(
        ctx,
        type,
        declaredLength((name) => c.req.header(name)),
      );
      if (!upload.ok) throw failure(upload.refusal);
      let result: FollowupResult;
      try {
        result = await submitFollowup(ctx, await parseFollowup(ctx, c, type), 'web');
      } finally {
        upload.release();
      }
      if (!result.ok) throw followupFailure(result);
      c.header('Cache-Control', 'no-store');
      return c.json(result, 201);
    })
    .get('/:code', zValidator('param', codeParam, orNotFound), (c) => {
      const looked = ctx.lookupLimiter.hit(clientIp(c, ctx.env.TRUST_PROXY));
      if (!looked.ok)
        throw new ApiError(429, '查询过于频繁，请稍后再试', undefined, { 'Retry-After': String(looked.retryAfterS) });
      const code = normalizeTrackingCode(c.req.valid('param').code);
      const complaint = code && getPublicComplaint(ctx.db, code);
      if (!complaint) throw notFound();
      c.header('Cache-Control', 'no-store');
      return c.json({
        ...complaint,
        followup: followupOffer(ctx.db, ctx.env.RELAPSE_REPORT_DAYS, code, ctx.clock()),
      });
    })
    .get('/:code/photos/:photoId/:size', zValidator('param', photoParam, orNotFound), async (c) => {
      const { code, photoId, size } = c.req.valid('param');
      const normalized = normalizeTrackingCode(code);
      const file = normalized && findPublicPhotoFile(ctx.db, normalized, photoId, size);
      if (!file) {
        // A miss counts as a lookup, so the route is no way round the limit on guessing codes.
        const looked = ctx.lookupLimiter.hit(clientIp(c, ctx.env.TRUST_PROXY));
        if (!looked.ok)
          throw new ApiError(429, '查询过于频繁，请稍后再试', undefined, {
            'Retry-After': String(looked.retryAfterS),
          });
        throw notFound();
      }
      const data = await ctx.photos.read(file);
      return c.body(new Uint8Array(data), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': 'private, max-age=86400, immutable',
        'X-Content-Type-Options': 'nosniff',
      });
    })
    .get('/:code/evidence/:photoId/:size', zValidator('param', photoParam, orNotFound), async (c) => {
      // The closing evidence's public copies (track-photos.ts): a miss counts as a lookup, as for the photos above.
      const { code, photoId, size } = c.req.valid('param');
      const normalized = normalizeTrackingCode(code);
      const file = normalized && findTrackPhotoFile(ctx.db, normalized, photoId, size);
      if (!file) {
        const looked = ctx.lookupLimiter.hit(clientIp(c, ctx.env.TRUST_PROXY));
        if (!looked.ok)
          throw new ApiError(429, '查询过于频繁，请稍后再试', undefined, {
            'Retry-After': String(looked.retryAfterS),
          });
        throw notFound();
      }
      return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': 'private, max-age=86400, immutable',
        'X-Content-Type-Options': 'nosniff',
      });
    });
}
