import type { Context } from 'hono';
import type { z } from 'zod';
import type { FormSpec, UploadedFile } from '../domain/shared/form-spec.ts';
import { formBody, jsonValue, STAFF_JSON } from './body.ts';
import { ApiError } from './errors.ts';
import {
  BAD_IDEMPOTENCY_KEY,
  type FieldSubmission,
  IDEMPOTENCY_KEY,
  type PhotoMeta,
  photoMetaCountProblem,
  photoMetaInput,
  sentAtInput,
} from '../domain/shared/field-submission.ts';

const JSON_TYPE = /^\s*application\/json\s*(;|$)/i;

const SUBMISSION_LABELS: Record<string, string> = {
  photoMeta: '照片校验信息（photoMeta）',
  sentAt: '发送时间（sentAt）',
};

/**
 * A field-work form's spec with what the phone's offline queue sends besides its fields (decision 017):
 * `photoMeta` once per photo, in the photos' order, and `sentAt`.
 */
export function fieldWorkSpec(spec: FormSpec): FormSpec {
  return {
    ...spec,
    fields: new Set([...spec.fields, 'sentAt']),
    repeated: new Set([...(spec.repeated ?? []), 'photoMeta']),
    label: (name) => SUBMISSION_LABELS[name] ?? spec.label?.(name) ?? name,
    maxFields: spec.maxFields + spec.maxFiles + 1,
  };
}

export interface FieldWork {
  fields: Record<string, unknown>;
  photos: UploadedFile[];
  /** The key, the phone's clock at sending, and each photo's photoMeta in `photos`' order. */
  sent: FieldSubmission;
}

/** The Idempotency-Key header, if sent; a malformed one is refused before the body is read. */
function idempotencyKey(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) throw new ApiError(400, BAD_IDEMPOTENCY_KEY);
  return key;
}

function sentAtOf(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = sentAtInput.safeParse(value);
  if (!parsed.success) throw new ApiError(400, parsed.error.issues[0]!.message);
  return parsed.data;
}

function photoMetaOf(values: string[], photos: number): PhotoMeta[] | undefined {
  if (values.length === 0) return undefined;
  if (values.length !== photos) throw new ApiError(400, photoMetaCountProblem(photos, values.length));
  return values.map((text, i) => {
    const where = `第 ${i + 1} 张照片的校验信息（photoMeta）`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, `${where}不是有效的 JSON`);
    }
    const parsed = photoMetaInput.safeParse(value);
    if (!parsed.success) throw new ApiError(400, `${where}有误：${parsed.error.issues[0]!.message}`);
    return parsed.data;
  });
}

/**
 * A field-work form streamed with its photos, as the phone sends it (spec from `fieldWorkSpec`). Empty file inputs
 * are dropped. `receivedAt`: when the request came in, before its body was read (the clock offset is measured
 * against it).
 */
export async function fieldWorkForm(c: Context, spec: FormSpec, receivedAt: Date): Promise<FieldWork> {
  const key = idempotencyKey(c);
  const form = await formBody(c, spec);
  if (!form.ok) throw new ApiError(form.status, form.message);
  const { sentAt, ...fields } = form.fields;
  const photos = form.files.filter((f) => f.data.length > 0);
  const photoMeta = photoMetaOf(form.lists.photoMeta ?? [], photos.length);
  return { fields, photos, sent: { key, photoMeta, sentAt: sentAtOf(sentAt), receivedAt } };
}

/**
 * The body of a field-work save (a revisit, a patrol, a draw outcome): a form as `fieldWorkForm` reads it, or JSON
 * when there are no photos to send.
 */
export async function fieldWorkBody(c: Context, spec: FormSpec, receivedAt: Date): Promise<FieldWork> {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) return fieldWorkForm(c, spec, receivedAt);
  const key = idempotencyKey(c);
  const value = await jsonValue(c, STAFF_JSON);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ApiError(400, '请求内容应为一个 JSON 对象');
  const { sentAt, ...fields } = value as Record<string, unknown>;
  return { fields, photos: [], sent: { key, sentAt: sentAtOf(sentAt), receivedAt } };
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
