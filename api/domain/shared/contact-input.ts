import { z } from 'zod';

/** A mainland mobile number: 11 digits from 13 to 19; "+86", spaces and dashes are tolerated and dropped. */
export const mobileNumber = (label: string) =>
  z
    .string({ error: `${label}格式不正确，请填写 11 位手机号` })
    .transform((v) => v.replace(/[\s-]/g, '').replace(/^(\+?86)/, ''))
    .pipe(z.string().regex(/^1[3-9]\d{9}$/, { error: `${label}格式不正确，请填写 11 位手机号` }));

export const emailAddress = (label: string) =>
  z
    .string({ error: `${label}格式不正确` })
    .trim()
    .max(254, { error: `${label}不能超过 254 个字符` })
    .pipe(z.email({ error: `${label}格式不正确，例如 name@example.com` }));

/** Empty or absent is "none" (null); anything else must be valid. */
export const orNone = <T extends z.ZodType<string, string>>(schema: T) =>
  z
    .union([z.literal('').transform(() => null), z.null(), schema])
    .optional()
    .transform((v) => v ?? null);
