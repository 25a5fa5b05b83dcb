import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/** Parses a JSON body with a zod schema; a bad body is a 400 naming the first problem, in Chinese. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const raw = await c.req.json().catch(() => {
    throw new ApiError(400, '请求内容不是有效的 JSON');
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(400, issue?.message && /[\u4e00-\u9fa5]/.test(issue.message) ? issue.message : `参数有误：${issue?.path.join('.') || '请求内容'}`);
  }
  return parsed.data;
}

/**
 * A form body (multipart or urlencoded). The bytes come straight off the socket through
 * node-server's fast path: `c.req.formData()` first builds a Request around a web stream,
 * which cost ~50 µs of the ~230 µs a report took on the HTTP thread.
 */
export async function formBody(c: Context): Promise<FormData> {
  const type = c.req.header('content-type') ?? '';
  try {
    const bytes = await c.req.arrayBuffer();
    return await new Response(bytes, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new ApiError(400, '表单数据不完整或格式错误，请重新提交');
  }
}

/** Hono's bodyLimit, minus its look at the body (which builds that Request) when Content-Length already says. */
export function limitBody(maxSize: number, tooLarge: () => never): MiddlewareHandler {
  const counting = bodyLimit({ maxSize, onError: tooLarge });
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return counting(c, next);
    if (Number(length) > maxSize) tooLarge();
    return next();
  };
}
