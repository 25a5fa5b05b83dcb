import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { issueApiKey, keyName, listApiKeys, revokeApiKey, revokeInput } from '../domain/open311/keys.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('接口密钥') });
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, '接口密钥不存在');
};

/** Admin: the keys other apps file Open311 requests with. Policy: api/http/policy.ts (admin only). */
export function adminApiKeyRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/api-keys', (c) => c.json(listApiKeys(ctx.db)))
    .post('/api-keys', async (c) => {
      const user = staff(c);
      const { name } = await jsonBody(c, keyName);
      const issued = issueApiKey(ctx.db, { id: user.id, label: user.displayName }, name, ctx.clock());
      // The key is shown this once; only its hash is kept.
      c.header('Cache-Control', 'no-store');
      return c.json(issued, 201);
    })
    .post('/api-keys/:id/revoke', zValidator('param', idParam, notFound), async (c) => {
      const user = staff(c);
      const { reason } = await jsonBody(c, revokeInput);
      orThrow(
        revokeApiKey(ctx.db, { id: user.id, label: user.displayName }, c.req.valid('param').id, reason, ctx.clock()),
      );
      return c.json({ ok: true });
    });
}
