import { z } from 'zod';
import { DAY_MS } from './time.ts';

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
  captchaToken: '人机验证',
  idempotencyKey: '提交编号',
  photoExif: '照片位置信息',
  photos: '照片',
} as const;
export type ComplaintField = keyof typeof FIELD_LABELS;

const optionalText = (max: number, label: string) =>
  z
    .string({ error: `${label}格式不正确` })
    .trim()
    .max(max, { error: `${label}最多 ${max} 个字` })
    .optional()
    .transform((v) => (v ? v : undefined));

// Forms and JSON both arrive here as text (see complaint-form.ts); empty means "no point chosen".
const coordinate = (label: string, limit: number) =>
  z
    .string({ error: '请在地图上选点，或填写经纬度' })
    .trim()
    .min(1, { error: '请在地图上选点，或填写经纬度' })
    .pipe(
      z.coerce
        .number<string>({ error: `${label}必须是数字` })
        .refine(Number.isFinite, { error: `${label}必须是数字` })
        .min(-limit, { error: `${label}超出范围` })
        .max(limit, { error: `${label}超出范围` }),
    );

// Mainland mobile numbers: 11 digits starting 13–19; "+86" and separators are tolerated.
const mobile = z
  .string()
  .transform((v) => v.replace(/[\s-]/g, '').replace(/^(\+?86)/, ''))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, { error: '手机号格式不正确，请填写 11 位手机号' }));

const exifClaim = z
  .object({
    lat: z.number().min(-90).max(90).nullable(),
    lng: z.number().min(-180).max(180).nullable(),
    takenAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .nullable();

export function complaintFieldsSchema(now: () => Date = () => new Date()) {
  return z
    .object({
      category: z.string({ error: '请选择问题类别' }).trim().min(1, { error: '请选择问题类别' }).max(40),
      lat: coordinate('纬度', 90),
      lng: coordinate('经度', 180),
      address: optionalText(200, '地址描述'),
      description: z
        .string({ error: '请填写问题描述' })
        .trim()
        .min(10, { error: '问题描述至少写 10 个字：看到了什么、在哪里' })
        .max(2000, { error: '问题描述最多 2000 个字' }),
      seenAt: z
        .string()
        .trim()
        .optional()
        .transform((v, ctx) => {
          if (!v) return undefined;
          // datetime-local sends "2026-11-22T08:30" in the resident's (Chinese) local time.
          const d = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}+08:00`);
          const t = now().getTime();
          if (Number.isNaN(d.getTime())) ctx.addIssue({ code: 'custom', message: '发现时间格式不正确' });
          else if (d.getTime() > t + 10 * 60_000) ctx.addIssue({ code: 'custom', message: '发现时间不能晚于现在' });
          else if (d.getTime() < t - 366 * DAY_MS) ctx.addIssue({ code: 'custom', message: '发现时间不能早于一年前' });
          else return d;
          return z.NEVER;
        }),
      anonymous: z
        .enum(['1', '0', 'true', 'false', 'on', ''], { error: '是否匿名的取值不正确' })
        .optional()
        .transform((v) => v === undefined || v === '1' || v === 'true' || v === 'on'),
      name: optionalText(40, '姓名'),
      phone: z.union([z.literal('').transform(() => undefined), mobile]).optional(),
      captchaToken: z.string().max(10_000).optional(),
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
    })
    .transform((f) => (f.anonymous ? { ...f, name: undefined, phone: undefined } : f))
    .superRefine((f, ctx) => {
      if (!f.anonymous && !f.name && !f.phone) {
        ctx.addIssue({ code: 'custom', path: ['phone'], message: '实名举报请至少留下姓名或手机号，或选择匿名' });
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
