import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { audit } from '../domain/accounts/audit.ts';
import { getProfile, profileInput, saveProfile } from '../domain/accounts/profile.ts';
import { outboxOverview, retryMessage } from '../domain/messages/admin.ts';
import { channelsFrom } from '../domain/messages/setup.ts';
import { listMessageTemplates, saveMessageTemplate } from '../domain/messages/templates.ts';
import { freeText, recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('消息') });
const templateEdit = z.object({
  subject: freeText('邮件标题', { max: 200 }).default(''),
  body: freeText('正文', { min: 2, max: 1000, required: '正文不能为空', tooShort: '正文至少 2 个字' }),
  smsTemplateCode: z
    .string({ error: '短信模板 CODE 只能是字母、数字、下划线和横线' })
    .trim()
    .regex(/^[A-Za-z0-9_-]{0,64}$/, { error: '短信模板 CODE 只能是字母、数字、下划线和横线（至多 64 个）' })
    .optional()
    .transform((v) => v || null),
});

/**
 * The outbox as the admin sees it (failed messages, recipients masked, retry), the message templates, and each
 * staff member's own channels. Policy: api/http/policy.ts.
 */
export function adminMessageRoutes(ctx: AppContext) {
  const configured = Object.keys(channelsFrom(ctx.env));
  return new Hono<StaffEnv>()
    .get('/messages', (c) => c.json({ ...outboxOverview(ctx.db), channels: configured }))
    .post('/messages/:id/retry', async (c) => {
      const parsed = idParam.safeParse(c.req.param());
      if (!parsed.success) throw new ApiError(404, '消息不存在');
      const { id } = parsed.data;
      const u = staff(c);
      const now = ctx.clock();
      const r = ctx.db.transaction((tx) => {
        const done = retryMessage(tx, id, now);
        if (done.ok)
          audit(
            tx,
            { id: u.id, label: u.displayName },
            { action: 'message.retry', objectType: 'message', objectId: id },
            now,
          );
        return done;
      });
      if (!r.ok) throw new ApiError(r.status, r.message);
      return c.json({ ok: true });
    })
    .get('/message-templates', (c) => c.json(listMessageTemplates(ctx.db)))
    .put('/message-templates/:key', async (c) => {
      const key = c.req.param('key');
      const edit = await jsonBody(c, templateEdit);
      const u = staff(c);
      const now = ctx.clock();
      const r = ctx.db.transaction((tx) => {
        const saved = saveMessageTemplate(tx, key, edit, u.id, now);
        if (saved.ok)
          audit(
            tx,
            { id: u.id, label: u.displayName },
            { action: 'message_template.update', objectType: 'message_template', objectId: key, details: edit },
            now,
          );
        return saved;
      });
      if (!r.ok) throw new ApiError(r.status, r.message);
      return c.json({ ok: true });
    })
    .get('/profile', (c) => c.json(getProfile(ctx.db, staff(c).id)))
    .put('/profile', async (c) => {
      const input = await jsonBody(c, profileInput);
      saveProfile(ctx.db, staff(c), input, ctx.clock());
      return c.json({ ok: true });
    });
}
