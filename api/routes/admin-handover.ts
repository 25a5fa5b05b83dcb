import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { complaintLimits } from '../env.ts';
import { bodySource, jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { readBytes } from '../http/form-stream.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { applyAction } from '../domain/complaints/actions.ts';
import { visibleComplaint } from '../domain/complaints/scope.ts';
import { handoverInput } from '../domain/complaints/workflow.ts';
import { recordId } from '../domain/shared/text-input.ts';
import { escapeXml } from '../domain/shared/xml-escape.ts';
import { complaints } from '../../db/schema.ts';

const idParam = z.object({ id: recordId('举报') });
const FORM = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;
const FORM_BYTES = 16 * 1024;
const body = handoverInput.omit({ action: true });

/** A plain form's refusal, as a page the office can go back from (the form works without JavaScript). */
const refusal = (c: Context, status: 400 | 403 | 404 | 409 | 413, message: string, id: number) =>
  c.html(
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>未能移交</title>' +
      `<h1>未能移交</h1><p role="alert">${escapeXml(message)}</p>` +
      `<p><a href="/admin/complaints/${id}">返回举报 #${id}</a></p></html>`,
    status,
  );

async function formFields(c: Context): Promise<Record<string, string> | 'too_large' | 'incomplete'> {
  const bytes = await readBytes(bodySource(c), FORM_BYTES);
  if (bytes === null) return 'too_large';
  if (bytes === 'incomplete') return bytes;
  return Object.fromEntries(new URLSearchParams(bytes.toString('utf8')));
}

/**
 * 移交 (decision 024): the holding township's office, the border township's, or the county's hands a report to
 * another township. JSON answers JSON; the detail page's plain form is answered with a redirect (or a page saying why
 * not), so it works without JavaScript. Policy: api/http/policy.ts; scope: the complaint's (complaints/scope.ts).
 */
export function adminHandoverRoutes(ctx: AppContext) {
  const limits = complaintLimits(ctx.env);
  return new Hono<StaffEnv>().post(
    '/complaints/:id/handover',
    zValidator('param', idParam, (r) => {
      if (!r.success) throw new ApiError(404, '举报不存在或无权查看');
    }),
    async (c) => {
      const user = staff(c);
      const { id } = c.req.valid('param');
      if (!FORM.test(c.req.header('content-type') ?? '')) {
        const input = await jsonBody(c, body);
        const r = applyAction(ctx.db, user, id, { action: 'handover', ...input }, limits, ctx.clock());
        if (!r.ok) throw new ApiError(r.status, r.message);
        return c.json(r);
      }
      const fields = await formFields(c);
      if (fields === 'too_large') return refusal(c, 413, '提交内容过长', id);
      if (fields === 'incomplete') return refusal(c, 400, '请求内容不完整，请重新提交', id);
      const parsed = body.safeParse(fields);
      if (!parsed.success) return refusal(c, 400, parsed.error.issues[0]?.message ?? '参数有误', id);
      const r = applyAction(ctx.db, user, id, { action: 'handover', ...parsed.data }, limits, ctx.clock());
      if (!r.ok) return refusal(c, r.status, r.message, id);
      // Handed away, the report leaves this office's view unless it still borders it: back to the queue, saying so.
      const seen = ctx.db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, id)).get();
      return c.redirect(seen ? `/admin/complaints/${id}` : `/admin/complaints?handedOver=${id}`, 303);
    },
  );
}
