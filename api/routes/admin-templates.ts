import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { DEFAULT_TEMPLATES, listTemplates, saveTemplate } from '../domain/complaints/reply-templates.ts';
import { freeText } from '../domain/shared/text-input.ts';

const templateBody = z.object({
  body: freeText('模板内容', { min: 2, max: 1000, required: '模板内容不能为空', tooShort: '模板内容至少 2 个字' }),
});

/**
 * The answers to reporters staff start from: everyone in the office reads them, admin edits them. Policy:
 * api/http/policy.ts.
 */
export function adminTemplateRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/templates', (c) => c.json(listTemplates(ctx.db)))
    .put('/templates/:action', async (c) => {
      const action = c.req.param('action');
      if (!(action in DEFAULT_TEMPLATES)) throw new ApiError(404, '没有这个答复模板');
      const { body } = await jsonBody(c, templateBody);
      const u = staff(c);
      saveTemplate(ctx.db, { id: u.id, label: u.displayName }, action, body, ctx.clock());
      return c.json({ ok: true });
    });
}
