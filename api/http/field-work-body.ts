import type { Context } from 'hono';
import type { z } from 'zod';
import type { FormSpec, UploadedFile } from '../domain/shared/form-spec.ts';
import { formBody, jsonValue, STAFF_JSON } from './body.ts';
import { ApiError } from './errors.ts';

const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;

/**
 * The body of a field-work save (a revisit, a patrol, a draw outcome): a form streamed with its photos, as the
 * phone sends it, or JSON when there are none to send. Empty file inputs are dropped.
 */
export async function fieldWorkBody(
  c: Context,
  spec: FormSpec,
): Promise<{ fields: Record<string, unknown>; photos: UploadedFile[] }> {
  if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    const value = await jsonValue(c, STAFF_JSON);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ApiError(400, '请求内容应为一个 JSON 对象');
    return { fields: value as Record<string, unknown>, photos: [] };
  }
  const form = await formBody(c, spec);
  if (!form.ok) throw new ApiError(form.status, form.message);
  return { fields: form.fields, photos: form.files.filter((f) => f.data.length > 0) };
}

/**
 * Parses with a zod schema; a refusal is a 400 naming the first problem, in Chinese, after what `where` says of its
 * path (which of several rows it is in).
 */
export function parsedOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: (path: PropertyKey[]) => string = () => '',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ApiError(
    400,
    issue?.message && /[\u4e00-\u9fa5]/.test(issue.message)
      ? `${where(issue.path)}${issue.message}`
      : `参数有误：${issue?.path.join('.') || '请求内容'}`,
  );
}
