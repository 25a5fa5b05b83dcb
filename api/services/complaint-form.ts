import { complaintFieldsSchema, fieldErrorsOf, FIELD_LABELS, type ComplaintFields, type FieldErrors } from './complaint-input.ts';

export interface FormLimits {
  maxPhotos: number;
  maxPhotoBytes: number;
}

export type ParsedForm =
  | { ok: true; fields: ComplaintFields; photos: Buffer[] }
  | { ok: false; status: 400 | 413; errors: FieldErrors };

// Building a zod schema costs more than using it: build it once.
let defaultSchema: ReturnType<typeof complaintFieldsSchema> | undefined;

const TEXT_FIELDS = new Set<string>(Object.keys(FIELD_LABELS).filter((k) => k !== 'photos'));

/** Turns a submitted form (the page's or the API's) into validated fields and photo bytes. */
export async function parseComplaintForm(form: FormData, limits: FormLimits, now?: () => Date): Promise<ParsedForm> {
  const raw: Record<string, string> = {};
  const files: File[] = [];
  for (const [key, value] of form.entries()) {
    if (key === 'photos') {
      if (typeof value === 'string') {
        if (value !== '') return { ok: false, status: 400, errors: { photos: '照片必须以文件形式上传' } };
      } else if (value.size > 0 || value.name !== '') {
        files.push(value);
      }
    } else if (key === 'h-captcha-response' && typeof value === 'string') {
      raw.captchaToken = value; // the widget's own field name
    } else if (TEXT_FIELDS.has(key)) {
      if (typeof value !== 'string') return { ok: false, status: 400, errors: { [key]: `${FIELD_LABELS[key as 'name']}不能是文件` } };
      raw[key] ??= value;
    }
  }
  return validate(raw, files, limits, now);
}

/** The same rules for a JSON body, which carries no photos. */
export function parseComplaintJson(body: unknown, limits: FormLimits, now?: () => Date): Promise<ParsedForm> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return Promise.resolve({ ok: false, status: 400, errors: { description: '请求内容必须是 JSON 对象' } });
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (TEXT_FIELDS.has(k)) raw[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  if (typeof raw.photoExif === 'object' && raw.photoExif !== null) raw.photoExif = JSON.stringify(raw.photoExif);
  return validate(raw, [], limits, now);
}

async function validate(raw: Record<string, unknown>, files: File[], limits: FormLimits, now?: () => Date): Promise<ParsedForm> {
  const parsed = (now ? complaintFieldsSchema(now) : (defaultSchema ??= complaintFieldsSchema())).safeParse(raw);
  if (!parsed.success) return { ok: false, status: 400, errors: fieldErrorsOf(parsed.error) };
  if (files.length > limits.maxPhotos) {
    return { ok: false, status: 400, errors: { photos: `最多上传 ${limits.maxPhotos} 张照片，您选择了 ${files.length} 张` } };
  }
  const tooBig = files.findIndex((f) => f.size > limits.maxPhotoBytes);
  if (tooBig >= 0) {
    const mb = Math.round(limits.maxPhotoBytes / 1024 / 1024);
    return { ok: false, status: 413, errors: { photos: `第 ${tooBig + 1} 张照片超过 ${mb} MB 上限` } };
  }
  const photos = await Promise.all(files.map(async (f) => Buffer.from(await f.arrayBuffer())));
  return { ok: true, fields: parsed.data, photos };
}
