import { reportBodyBytes } from '../../env.ts';
import type { FormRead, FormSpec } from '../shared/form-spec.ts';
import {
  complaintFieldsSchema,
  fieldErrorsOf,
  FIELD_LABELS,
  type ComplaintField,
  type ComplaintFields,
  type FieldErrors,
} from './input.ts';
import { followDescription } from './follow.ts';

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
// The captcha widget's own names (it writes the token under both).
const CAPTCHA_FIELDS = ['h-captcha-response', 'g-recaptcha-response'];
const specs = new WeakMap<FormLimits, FormSpec>();

/** The report form as the page and the API read it (api/http/form-stream.ts). */
export function complaintFormSpec(limits: FormLimits): FormSpec {
  let spec = specs.get(limits);
  if (!spec) {
    const fields = new Set([...TEXT_FIELDS, ...CAPTCHA_FIELDS]);
    spec = {
      fields,
      files: new Set(['photos']),
      label: (name) => FIELD_LABELS[(CAPTCHA_FIELDS.includes(name) ? 'captchaToken' : name) as ComplaintField] ?? name,
      maxFields: fields.size + 1, // and an empty photo input sent as text
      // Above every field's own limit (a captcha token or photo positions: 10,000 characters),
      // so that zod's message, which says the limit, is the one a resident normally sees.
      maxFieldBytes: 32 * 1024,
      maxFiles: limits.maxPhotos,
      maxFileBytes: limits.maxPhotoBytes,
      maxBytes: reportBodyBytes(limits.maxPhotos, limits.maxPhotoBytes),
    };
    specs.set(limits, spec);
  }
  return spec;
}

/** Where a refusal is shown; one about no field of the report (an unknown one, a broken body) with the description. */
function complaintField(name: string | undefined): ComplaintField {
  if (name === undefined) return 'description';
  if (CAPTCHA_FIELDS.includes(name)) return 'captchaToken';
  return TEXT_FIELDS.has(name) || name === 'photos' ? (name as ComplaintField) : 'description';
}

/** Turns a report form read with complaintFormSpec into validated fields and photo bytes. */
export function parseComplaintForm(form: FormRead, now?: () => Date): Promise<ParsedForm> {
  if (!form.ok)
    return Promise.resolve({
      ok: false,
      status: form.status === 413 ? 413 : 400,
      errors: { [complaintField(form.field)]: form.message },
    });
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(form.fields)) {
    if (key === 'h-captcha-response') raw.captchaToken ??= value;
    else if (TEXT_FIELDS.has(key)) raw[key] = value;
  }
  return validate(
    raw,
    form.files.map((f) => f.data),
    now,
  );
}

/** What a refused page form is shown again with: its text, never the captcha token. */
export function formValues(form: FormRead): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(form.fields)) if (TEXT_FIELDS.has(k) && k !== 'captchaToken') values[k] = v;
  return values;
}

/** The same rules for a JSON body, which carries no photos (so no photo limits). */
export function parseComplaintJson(body: unknown, now?: () => Date): Promise<ParsedForm> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return Promise.resolve({ ok: false, status: 400, errors: { description: '请求内容必须是 JSON 对象' } });
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body))
    if (TEXT_FIELDS.has(k)) raw[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  if (typeof raw.photoExif === 'object' && raw.photoExif !== null) raw.photoExif = JSON.stringify(raw.photoExif);
  return validate(raw, [], now);
}

async function validate(raw: Record<string, unknown>, photos: Buffer[], now?: () => Date): Promise<ParsedForm> {
  // A report following another (follow.ts) need not describe the workshop again.
  if (typeof raw.follow === 'string' && raw.follow.trim())
    raw = { ...raw, description: followDescription(raw.description) };
  const parsed = (now ? complaintFieldsSchema(now) : (defaultSchema ??= complaintFieldsSchema())).safeParse(raw);
  if (!parsed.success) return { ok: false, status: 400, errors: fieldErrorsOf(parsed.error) };
  // The photos' number and sizes were checked while the form was read (complaintFormSpec).
  return { ok: true, fields: parsed.data, photos };
}
