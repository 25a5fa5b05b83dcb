import type { AppContext } from '../../context.ts';
import type { CaptchaResult } from './captcha.ts';
import type { FieldErrors } from './input.ts';
import { complaintFormSpec, type ParsedForm } from './form.ts';
import { submitComplaint, type Receipt } from './submit.ts';
import type { FormSpec } from '../shared/form-spec.ts';
import { admitUpload, busyMessage, photoQueueFull, reportPixelCheck } from '../shared/photos/pipeline.ts';

export type FileReportResult =
  | { ok: true; receipt: Receipt; replayed: boolean }
  | { ok: false; kind: 'invalid' | 'too_large' | 'key_conflict'; errors: FieldErrors }
  | { ok: false; kind: 'rate_limited' | 'busy'; retryAfterS: number; errors: FieldErrors }
  | { ok: false; kind: 'captcha' | 'captcha_unavailable'; errors: FieldErrors };

const CAPTCHA_MESSAGES: Record<Exclude<CaptchaResult, { ok: true }>['reason'], string> = {
  missing: '请先完成人机验证',
  replayed: '人机验证已使用过，请重新验证',
  rejected: '人机验证未通过，请重新验证',
  unavailable: '人机验证服务暂时无法连接，请稍后再试',
};

/** The HTTP status each refusal answers with, on the page and in the API alike. */
export const REFUSAL_STATUS = {
  invalid: 400,
  too_large: 413,
  key_conflict: 409,
  rate_limited: 429,
  captcha: 400,
  captcha_unavailable: 503,
  busy: 503,
} as const;

/** Counts the attempt against the caller's address; the page and the API share the limit. */
export function countReportAttempt(ctx: AppContext, ip: string): FileReportResult | null {
  const r = ctx.reportLimiter.hit(ip);
  if (r.ok) return null;
  const minutes = Math.ceil(r.retryAfterS / 60);
  return {
    ok: false,
    kind: 'rate_limited',
    retryAfterS: r.retryAfterS,
    errors: { description: `提交过于频繁，请 ${minutes} 分钟后再试` },
  };
}

const reportSpecs = new WeakMap<AppContext, FormSpec>();

/**
 * The report form as the page and the API read it: complaintFormSpec, and the photos' pixels counted from their headers
 * as they arrive.
 */
export function reportFormSpec(ctx: AppContext): FormSpec {
  let spec = reportSpecs.get(ctx);
  if (!spec)
    reportSpecs.set(
      ctx,
      (spec = { ...complaintFormSpec(ctx.formLimits), fileHead: () => reportPixelCheck(ctx.photoLimits) }),
    );
  return spec;
}

// A report's text fields fit well within this (complaintFormSpec allows a megabyte beside the photos):
// a longer multipart body carries photos.
const TEXT_BYTES = 1024 * 1024;

export type UploadAdmission =
  | { ok: true; release: () => void }
  | { ok: false; refusal: Exclude<FileReportResult, { ok: true }> };
const NOTHING_HELD = { ok: true, release: () => undefined } as const;

/**
 * Before a report's form is read: when it may carry photos (multipart, longer than its text can
 * be or of unknown length) and the photo queue would refuse them anyway, or the uploads being read
 * already hold their share of memory (photo-pipeline.ts, admitUpload), it is refused now (503),
 * so the server neither reads nor holds an upload it cannot take. A shorter one is read, and its
 * photos, if any, meet the queue's check after. An admitted upload's room is released by the
 * caller once the report is answered.
 */
export function admitReportUpload(
  ctx: AppContext,
  contentType: string,
  declaredBytes: number | undefined,
): UploadAdmission {
  if (!/^\s*multipart\/form-data/i.test(contentType) || (declaredBytes !== undefined && declaredBytes <= TEXT_BYTES))
    return NOTHING_HELD;
  const maxBytes = complaintFormSpec(ctx.formLimits).maxBytes;
  const room = photoQueueFull(ctx.photoLimits) ?? admitUpload(Math.min(declaredBytes ?? maxBytes, maxBytes), maxBytes);
  if ('release' in room) return { ok: true, release: room.release };
  return {
    ok: false,
    refusal: {
      ok: false,
      kind: 'busy',
      retryAfterS: room.retryAfterS,
      errors: { photos: busyMessage(room.retryAfterS) },
    },
  };
}

/** The one path a report takes after its form is read, whether from the page or the API. */
export async function fileReport(
  ctx: AppContext,
  parsed: ParsedForm,
  ip: string,
  source: 'web' | 'form' | 'api',
): Promise<FileReportResult> {
  if (!parsed.ok) return { ok: false, kind: parsed.status === 413 ? 'too_large' : 'invalid', errors: parsed.errors };
  const captcha = await ctx.captcha.check(parsed.fields.captchaToken, ip);
  if (!captcha.ok) {
    const message = CAPTCHA_MESSAGES[captcha.reason];
    return {
      ok: false,
      kind: captcha.reason === 'unavailable' ? 'captcha_unavailable' : 'captcha',
      errors: { captchaToken: message },
    };
  }
  const result = await submitComplaint(ctx, { fields: parsed.fields, photos: parsed.photos, source });
  if (result.ok) return result;
  if (result.retryAfterS !== undefined)
    return { ok: false, kind: 'busy', retryAfterS: result.retryAfterS, errors: result.errors };
  return { ok: false, kind: result.keyConflict ? 'key_conflict' : 'invalid', errors: result.errors };
}
