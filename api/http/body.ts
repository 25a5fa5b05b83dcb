import type { Context } from 'hono';
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
