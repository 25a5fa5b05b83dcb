import { z } from 'zod';
import { decimal, freeText, optionalText } from '../shared/text-input.ts';
import { DAY_MS, isCalendarDate, startOfBeijingDay } from '../shared/time.ts';
import { FOLLOW_GONE, FOLLOW_TOKEN } from './follow.ts';

/** Field names as the form and the API send them, with the label a resident sees. */
export const FIELD_LABELS = {
  category: '问题类别',
  lat: '位置（纬度）',
  lng: '位置（经度）',
  address: '地址描述',
  description: '问题描述',
  seenAt: '发现时间',
  anonymous: '是否匿名',
  name: '姓名',
  phone: '手机号',
  email: '电子邮箱',
  notify: '受理、答复、办结时通知我',
  captchaToken: '人机验证',
  idempotencyKey: '提交编号',
  photoExif: '照片位置信息',
  photos: '照片',
  follow: '关注的举报',
} as const;
export type ComplaintField = keyof typeof FIELD_LABELS;

// Forms and JSON both arrive here as text (see complaint-form.ts); empty means "no point chosen".
const coordinate = (label: string, limit: number) =>
  decimal(label, {
    min: -limit,
    max: limit,
    required: '请在地图上选点，或填写经纬度',
    invalid: `${label}必须是数字（如 120.123456）`,
    range: `${label}超出范围`,
  });

// Mainland mobile numbers: 11 digits starting 13–19; "+86" and separators are tolerated.
const mobile = z
  .string({ error: '手机号格式不正确，请填写 11 位手机号' })
  .transform((v) => v.replace(/[\s-]/g, '').replace(/^(\+?86)/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, { error: '手机号格式不正确，请填写 11 位手机号' }));

const email = z
  .string({ error: '电子邮箱格式不正确' })
  .trim()
  .max(254, { error: '电子邮箱不能超过 254 个字符' })
  .pipe(z.email({ error: '电子邮箱格式不正确，例如 name@example.com' }));

const exifClaim = z
  .object({
    lat: z.number().min(-90).max(90).nullable(),
    lng: z.number().min(-180).max(180).nullable(),
    takenAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .nullable();

// What a zh-CN browser's date and datetime-local fields send (2026-11-22, 2026-11-22T08:30), with seconds, fractions or
// an offset as a browser or an app may add them, or a space for the T where the field is plain text (no date picker).
const SEEN_AT = /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d{1,3})?)?([zZ]|[+-]\d{2}:\d{2})?)?$/;
const SEEN_AT_FORMAT = '发现时间格式不正确，请按“年-月-日”或“年-月-日 时:分”填写，例如 2026-11-22 或 2026-11-22 20:30';

/** The instant a resident's 发现时间 names, Beijing time unless it says otherwise (a date alone: its first minute). */
function seenAtInstant(v: string): Date | null {
  const m = SEEN_AT.exec(v);
  if (!m || !isCalendarDate(m[1]!)) return null;
  if (m[2] === undefined) return startOfBeijingDay(m[1]!);
  const local = v.replace(' ', 'T');
  const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(local) ? local : `${local}+08:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function complaintFieldsSchema(now: () => Date = () => new Date()) {
  return z
    .object({
      category: z
        .string({ error: '请选择问题类别' })
        .trim()
        .min(1, { error: '请选择问题类别' })
        .max(40, { error: '问题类别不正确' }),
      lat: coordinate('纬度', 90),
      lng: coordinate('经度', 180),
      address: optionalText('地址描述', { max: 200 }),
      description: freeText('问题描述', {
        min: 10,
        max: 2000,
        required: '请填写问题描述',
        tooShort: '问题描述至少写 10 个字：看到了什么、在哪里',
      }),
      seenAt: z
        .string({ error: SEEN_AT_FORMAT })
        .trim()
        .optional()
        .transform((v, ctx) => {
          if (!v) return undefined;
          const d = seenAtInstant(v);
          const t = now().getTime();
          if (!d) ctx.addIssue({ code: 'custom', message: SEEN_AT_FORMAT });
          else if (d.getTime() > t + 10 * 60_000) ctx.addIssue({ code: 'custom', message: '发现时间不能晚于现在' });
          else if (d.getTime() < t - 366 * DAY_MS) ctx.addIssue({ code: 'custom', message: '发现时间不能早于一年前' });
          else return d;
          return z.NEVER;
        }),
      anonymous: z
        .enum(['1', '0', 'true', 'false', 'on', ''], { error: '是否匿名的取值不正确' })
        .optional()
        .transform((v) => v === undefined || v === '1' || v === 'true' || v === 'on'),
      name: optionalText('姓名', { max: 40 }),
      phone: z.union([z.literal('').transform(() => undefined), mobile]).optional(),
      email: z.union([z.literal('').transform(() => undefined), email]).optional(),
      // Opt-in (issue 17): off unless ticked.
      notify: z
        .enum(['1', '0', 'true', 'false', 'on', ''], { error: '是否通知的取值不正确' })
        .optional()
        .transform((v) => v === '1' || v === 'true' || v === 'on'),
      captchaToken: z
        .string({ error: '人机验证无效，请重新验证' })
        .max(10_000, { error: '人机验证无效，请重新验证' })
        .optional(),
      idempotencyKey: z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,64}$/, { error: '提交编号格式不正确' })
        .optional(),
      photoExif: z
        .string()
        .max(10_000)
        .optional()
        .transform((v, ctx) => {
          if (!v) return [];
          try {
            return z.array(exifClaim).max(20).parse(JSON.parse(v));
          } catch {
            ctx.addIssue({ code: 'custom', message: '照片位置信息格式不正确' });
            return z.NEVER;
          }
        }),
      // Follows a report the nearby hint offered (follow.ts): filed merged into it.
      follow: z
        .string({ error: FOLLOW_GONE })
        .trim()
        .refine((v) => !v || FOLLOW_TOKEN.test(v), { error: FOLLOW_GONE })
        .transform((v) => v || undefined)
        .optional(),
    })
    .transform((f) => (f.anonymous ? { ...f, name: undefined, phone: undefined, email: undefined, notify: false } : f))
    .superRefine((f, ctx) => {
      if (!f.anonymous && !f.name && !f.phone) {
        ctx.addIssue({ code: 'custom', path: ['phone'], message: '实名举报请至少留下姓名或手机号，或选择匿名' });
      }
      if (f.notify && !f.phone && !f.email) {
        ctx.addIssue({ code: 'custom', path: ['notify'], message: '要接收通知，请留下手机号或电子邮箱' });
      }
      // Rough mainland bounding box: a point in the sea or abroad is a mistake, not a report.
      if (f.lat < 3.8 || f.lat > 53.6 || f.lng < 73.5 || f.lng > 135.1) {
        ctx.addIssue({ code: 'custom', path: ['lat'], message: '位置不在服务范围内，请在地图上重新选点' });
      }
    });
}

export type ComplaintFields = z.output<ReturnType<typeof complaintFieldsSchema>>;

export type FieldErrors = Partial<Record<ComplaintField, string>>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'description') as ComplaintField;
    if (key in FIELD_LABELS && !out[key]) out[key] = issue.message;
  }
  return out;
}
