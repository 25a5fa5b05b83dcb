import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { formBody } from '../http/body.ts';
import type { FormSpec } from '../domain/shared/form-spec.ts';
import { clientIp } from '../http/client-ip.ts';
import { NOT_FOUND, Open311Error, open311Fallback, open311OnError } from '../http/open311-errors.ts';
import { siteOrigin } from '../env.ts';
import { verifyApiKey } from '../domain/open311/keys.ts';
import { countReportAttempt } from '../domain/complaints/file-report.ts';
import { CONTENT_TYPES, render, splitFormat, type Format, type XmlValue } from '../domain/open311/format.ts';
import { getRequest, LIST_ARGUMENTS, listRequests, requestsByIds, requestsQuery } from '../domain/open311/requests.ts';
import { discovery, listServices, serviceDefinition } from '../domain/open311/services.ts';
import { fileOpen311Request } from '../domain/open311/submit.ts';
import { flattenQuery } from '../domain/open311/query.ts';
import { listUpdates, updatesQuery } from '../domain/open311/updates.ts';
import { RateLimiter } from '../domain/shared/rate-limit.ts';

const fileParam = z.object({
  dir: z.enum(['services', 'requests']).optional(),
  file: z
    .string()
    .max(80)
    .transform((f, ctx) => {
      const split = splitFormat(f);
      if (split) return split;
      ctx.addIssue({ code: 'custom', message: NOT_FOUND });
      return z.NEVER;
    }),
});
const validFile = zValidator('param', fileParam, (r) => {
  if (!r.success) throw new Open311Error(404, NOT_FOUND);
});

/** The query with list arguments' repeats and commas joined; any other argument repeated with two values: 400. */
function queryOf(c: Context): Record<string, string> {
  const flat = flattenQuery(c.req.queries(), LIST_ARGUMENTS);
  if (!flat.ok) throw new Open311Error(400, flat.message);
  return flat.query;
}

function answer(
  c: Context,
  format: Format,
  root: string,
  value: XmlValue,
  status: ContentfulStatusCode = 200,
  cacheSeconds: number | 'private' = 0,
) {
  const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[format] };
  if (c.req.method === 'GET') {
    // Public data meant for other apps, browser-based ones included.
    headers['Access-Control-Allow-Origin'] = '*';
    headers['Cache-Control'] =
      cacheSeconds === 'private' ? 'private, no-store' : cacheSeconds ? `public, max-age=${cacheSeconds}` : 'no-cache';
  }
  return c.body(render(format, root, value), status, headers);
}

// The spec's arguments for POST requests (docs/open311.md), our idempotency_key, and its
// attribute[...] (ignored: no service has attributes), and FixMyStreet's deviceid (ignored). A file or
// any other name is refused.
const OPEN311_FORM: FormSpec = {
  fields: new Set([
    'api_key',
    'jurisdiction_id',
    'service_code',
    'lat',
    'long',
    'address_string',
    'address_id',
    'email',
    'device_id',
    'account_id',
    'first_name',
    'last_name',
    'phone',
    'description',
    'media_url',
    'idempotency_key',
  ]),
  ignored: /^(attribute\[[^\]]{1,100}\](\[\])?|deviceid)$/,
  files: new Set(),
  maxFields: 16 + 50, // each named argument once, and up to 50 attributes
  maxFieldBytes: 32 * 1024,
  maxFiles: 0,
  maxFileBytes: 0,
  maxBytes: 1024 * 1024, // no photos: the text's share of the report body limit (env.ts)
};

async function formFields(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) {
    throw new Open311Error(400, '请以 application/x-www-form-urlencoded 表单提交');
  }
  const form = await formBody(c, OPEN311_FORM);
  if (!form.ok) throw new Open311Error(form.status, form.message);
  return form.fields;
}

/** The API key's owner, or 403 naming what is wrong; `refused` runs first on a refusal (to count it). */
function keyOf(ctx: AppContext, given: string | undefined, refused?: () => void): { id: number; name: string } {
  const key = verifyApiKey(ctx.db, given);
  if (key.ok) return key;
  refused?.();
  throw new Open311Error(
    403,
    {
      missing: '缺少 api_key，请向整治办申请接口密钥',
      invalid: 'api_key 无效',
      revoked: '该 api_key 已被吊销',
    }[key.reason],
  );
}

/** Open311 GeoReport v2 (docs/open311.md): public reads, and filing with an API key an admin issued. */
export function open311Routes(ctx: AppContext) {
  // A partner relays many residents from one server: its own limit per key, never the per-address one.
  const keyLimiter = new RateLimiter(ctx.env.OPEN311_KEY_RATE_LIMIT, ctx.env.OPEN311_KEY_RATE_WINDOW_S * 1000, () =>
    ctx.clock().getTime(),
  );

  return (
    new Hono()
      .onError(open311OnError)
      .get('/:file', validFile, async (c) => {
        const { name, format } = c.req.valid('param').file;
        if (name === 'discovery') {
          const url = `${siteOrigin(ctx.env)}/api/open311/v2`;
          return answer(c, format, 'discovery', discovery(ctx.db, url, ctx.env.NODE_ENV === 'production'), 200, 300);
        }
        if (name === 'services') return answer(c, format, 'services', listServices(ctx.db), 200, 300);
        if (name === 'servicerequestupdates') {
          const key = keyOf(ctx, c.req.query('api_key'));
          const q = updatesQuery.safeParse(queryOf(c));
          if (!q.success) throw new Open311Error(400, [...new Set(q.error.issues.map((i) => i.message))]);
          const r = listUpdates(ctx.db, key.id, q.data, ctx.clock());
          if (!r.ok) throw new Open311Error(400, r.message);
          // The replies to this key's requests: for the partner only, kept by no cache.
          return answer(c, format, 'service_request_updates', r.updates as unknown as XmlValue, 200, 'private');
        }
        if (name !== 'requests') throw new Open311Error(404, NOT_FOUND);
        const q = requestsQuery.safeParse(queryOf(c));
        if (!q.success) throw new Open311Error(400, [...new Set(q.error.issues.map((i) => i.message))]);
        if (q.data.service_request_id.length) {
          const found = await requestsByIds(ctx.db, ctx.villageAreas(), q.data.service_request_id);
          return answer(c, format, 'service_requests', found as unknown as XmlValue, 200, 30);
        }
        const r = listRequests(ctx.db, ctx.villageAreas(), q.data, ctx.clock());
        if (!r.ok) throw new Open311Error(400, r.message);
        return answer(c, format, 'service_requests', r.requests as unknown as XmlValue, 200, 30);
      })
      // One pattern for services/{code} and requests/{id}: beside /:file, two static prefixes would
      // drop Hono to its slower router (tests/unit/basics.test.ts).
      .get('/:dir/:file', validFile, (c) => {
        const {
          dir,
          file: { name, format },
        } = c.req.valid('param');
        if (dir === 'services') {
          const definition = serviceDefinition(ctx.db, name);
          if (!definition) throw new Open311Error(404, `没有这个 service_code：${name}`);
          return answer(c, format, 'service_definition', definition, 200, 300);
        }
        const request = /^\d{1,15}$/.test(name) ? getRequest(ctx.db, ctx.villageAreas(), Number(name)) : null;
        if (!request) throw new Open311Error(404, `没有这个 service_request_id：${name}`);
        return answer(c, format, 'service_requests', [request] as unknown as XmlValue, 200, 30);
      })
      .post('/:file', validFile, async (c) => {
        const { name, format } = c.req.valid('param').file;
        if (name !== 'requests') return open311Fallback(c);
        const form = await formFields(c);
        const key = keyOf(ctx, form.api_key ?? c.req.query('api_key'), () => {
          // Without a valid key the caller is anyone: the site's per-address limit, so keys cannot be guessed fast.
          const limited = countReportAttempt(ctx, clientIp(c, ctx.env.TRUST_PROXY));
          if (limited && !limited.ok && limited.kind === 'rate_limited') {
            throw new Open311Error(429, limited.errors.description!, { 'Retry-After': String(limited.retryAfterS) });
          }
        });
        const perKey = keyLimiter.hit(String(key.id));
        if (!perKey.ok) {
          throw new Open311Error(429, `该 api_key 提交过于频繁，请 ${Math.ceil(perKey.retryAfterS / 60)} 分钟后再试`, {
            'Retry-After': String(perKey.retryAfterS),
          });
        }
        const filed = await fileOpen311Request(ctx, form, key.id);
        if (!filed.ok) throw new Open311Error(filed.status, filed.messages);
        c.header('Cache-Control', 'no-store');
        return answer(
          c,
          format,
          'service_requests',
          [{ service_request_id: String(filed.id), service_notice: filed.notice, account_id: null }],
          201,
        );
      })
      .all('*', open311Fallback)
  );
}
