// A follow-up form posted to /track without JavaScript: read as it streams in with the API's limits, counted against
// the report limit, handled by the same domain function as the API (api/domain/complaints/followups.ts).
import type { AppContext } from '../../api/context.ts';
import { resolveClientIp } from '../../api/http/client-ip.ts';
import { declaredLength, discardBody, readForm } from '../../api/http/form-stream.ts';
import { admitReportUpload } from '../../api/domain/complaints/file-report.ts';
import {
  followupFormSpec,
  followupValues,
  parseFollowupForm,
  type FollowupErrors,
} from '../../api/domain/complaints/followup-input.ts';
import { countFollowupAttempt, submitFollowup, type FollowupResult } from '../../api/domain/complaints/followups.ts';
import { normalizeTrackingCode } from '../../api/domain/complaints/tracking-code.ts';

export type PostedFollowup =
  | { ok: true; result: Extract<FollowupResult, { ok: true }>; code: string }
  | {
      ok: false;
      status: number;
      retryAfterS?: number;
      code: string | null;
      kind: string;
      errors: FollowupErrors;
      values: Record<string, string>;
      offerNewReport: boolean;
    };

export async function postFollowup(ctx: AppContext, request: Request, clientAddress: string): Promise<PostedFollowup> {
  const ip = resolveClientIp(request.headers.get('x-forwarded-for'), clientAddress, ctx.env.TRUST_PROXY);
  const type = request.headers.get('content-type') ?? '';
  const declared = declaredLength((name) => request.headers.get(name));
  const spec = followupFormSpec(ctx.formLimits, ctx.photoLimits);
  let values: Record<string, string> = {};
  let result: FollowupResult | null = countFollowupAttempt(ctx, ip);
  if (result) discardBody(request.body, spec.maxBytes);
  else {
    const upload = admitReportUpload(ctx, type, declared);
    if (!upload.ok) {
      discardBody(request.body, spec.maxBytes);
      const { errors, retryAfterS } = upload.refusal as { errors: FollowupErrors; retryAfterS?: number };
      result = { ok: false, status: 503, errors, retryAfterS };
    } else {
      try {
        const form = await readForm(type, request.body, spec, declared);
        values = followupValues(form);
        result = await submitFollowup(ctx, parseFollowupForm(form), 'form');
      } finally {
        upload.release();
      }
    }
  }
  const code = normalizeTrackingCode(values.code ?? '');
  if (result.ok) return { ok: true, result, code: code! };
  return {
    ok: false,
    status: result.status,
    retryAfterS: result.retryAfterS,
    code,
    kind: values.kind ?? '',
    errors: result.errors,
    values,
    offerNewReport: !!result.offerNewReport,
  };
}
