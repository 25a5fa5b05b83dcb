import { z } from 'zod';
import { RATINGS } from '../../../db/schema-reporter.ts';
import { reportBodyBytes } from '../../env.ts';
import type { FormRead, FormSpec } from '../shared/form-spec.ts';
import { reportPixelCheck, type PhotoLimits } from '../shared/photos/pipeline.ts';
import { freeText, optionalText } from '../shared/text-input.ts';
import type { FormLimits } from './form.ts';
import { normalizeTrackingCode } from './tracking-code.ts';

/** Field names as the /track forms and the API send them, with the label a resident sees. */
export const FOLLOWUP_FIELDS = {
  code: '查询码',
  kind: '反馈类型',
  body: '说明',
  rating: '满意度',
  comment: '评价意见',
  photos: '照片',
} as const;
export type FollowupField = keyof typeof FOLLOWUP_FIELDS;
export type FollowupErrors = Partial<Record<FollowupField, string>>;

export const CODE_FORMAT = '查询码是 10 位字母和数字（不含 0、O、1、I、L），例如 7KQ2M-XH9PD';

const code = z
  .string({ error: '请填写查询码' })
  .max(40, { error: CODE_FORMAT })
  .transform((v, ctx) => {
    const normal = normalizeTrackingCode(v.trim());
    if (normal) return normal;
    ctx.addIssue({ code: 'custom', message: v.trim() ? CODE_FORMAT : '请填写查询码' });
    return z.NEVER;
  });

export const followupInput = z.discriminatedUnion(
  'kind',
  [
    // 补充材料: words, photos or both (checked once the photos are counted).
    z.object({ kind: z.literal('info'), code, body: optionalText('补充说明', { max: 2000 }) }),
    // 又开工了: the words may become a new report's description, so they follow the report form's rule.
    z.object({
      kind: z.literal('relapse'),
      code,
      body: freeText('情况说明', {
        min: 10,
        max: 2000,
        required: '请填写情况说明：什么时候、看到了什么',
        tooShort: '情况说明至少写 10 个字：什么时候、看到了什么',
      }),
    }),
    z.object({
      kind: z.literal('rating'),
      code,
      rating: z.enum(RATINGS, { error: '请选择满意度：满意、基本满意或不满意' }),
      comment: optionalText('评价意见', { max: 500 }),
    }),
  ],
  { error: '反馈类型不正确' },
);
export type FollowupInput = z.output<typeof followupInput>;

export type ParsedFollowup =
  | { ok: true; input: FollowupInput; photos: Buffer[] }
  | { ok: false; status: 400 | 413 | 415; errors: FollowupErrors };

const TEXT_FIELDS = new Set<string>(Object.keys(FOLLOWUP_FIELDS).filter((k) => k !== 'photos'));
const specs = new WeakMap<FormLimits, FormSpec>();

/** The follow-up form as /track and the API read it: the report form's photo limits, read as they stream in. */
export function followupFormSpec(limits: FormLimits, photoLimits: PhotoLimits): FormSpec {
  let spec = specs.get(limits);
  if (!spec) {
    spec = {
      fields: TEXT_FIELDS,
      files: new Set(['photos']),
      label: (name) => FOLLOWUP_FIELDS[name as FollowupField] ?? name,
      maxFields: TEXT_FIELDS.size + 1, // and an empty photo input sent as text
      maxFieldBytes: 32 * 1024,
      maxFiles: limits.maxPhotos,
      maxFileBytes: limits.maxPhotoBytes,
      maxBytes: reportBodyBytes(limits.maxPhotos, limits.maxPhotoBytes),
      fileHead: () => reportPixelCheck(photoLimits),
    };
    specs.set(limits, spec);
  }
  return spec;
}

const fieldOf = (name: string | undefined): FollowupField =>
  name && (TEXT_FIELDS.has(name) || name === 'photos') ? (name as FollowupField) : 'body';

function validate(raw: Record<string, unknown>, photos: Buffer[]): ParsedFollowup {
  const parsed = followupInput.safeParse(raw);
  if (!parsed.success) {
    const errors: FollowupErrors = {};
    for (const issue of parsed.error.issues) errors[fieldOf(String(issue.path[0] ?? ''))] ??= issue.message;
    return { ok: false, status: 400, errors };
  }
  const input = parsed.data;
  if (input.kind === 'rating' && photos.length > 0)
    return { ok: false, status: 400, errors: { photos: '评价不需要上传照片' } };
  if (input.kind === 'info' && !input.body && photos.length === 0)
    return { ok: false, status: 400, errors: { body: '请填写补充说明，或选择要补充的照片' } };
  return { ok: true, input, photos };
}

/** A follow-up form read with followupFormSpec, validated. */
export function parseFollowupForm(form: FormRead): ParsedFollowup {
  if (!form.ok) return { ok: false, status: form.status, errors: { [fieldOf(form.field)]: form.message } };
  return validate(
    form.fields,
    form.files.map((f) => f.data),
  );
}

/** The same rules for JSON (no photos). */
export function parseFollowupJson(body: unknown): ParsedFollowup {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, status: 400, errors: { body: '请求内容必须是 JSON 对象' } };
  const raw = Object.fromEntries(Object.entries(body).filter(([k]) => TEXT_FIELDS.has(k)));
  return validate(raw, []);
}

/** What a refused /track form is shown again with: its text (the photos must be chosen again). */
export function followupValues(form: FormRead): Record<string, string> {
  return Object.fromEntries(Object.entries(form.fields).filter(([k]) => TEXT_FIELDS.has(k)));
}
