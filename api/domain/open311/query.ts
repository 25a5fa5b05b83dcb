import { z } from 'zod';
import { parseW3c } from './format.ts';
import { DAY_MS } from '../shared/time.ts';

export type FlatQuery = { ok: true; query: Record<string, string> } | { ok: false; message: string };

/**
 * A query string as Open311 clients send it: a list argument (`status=open&status=closed`,
 * `service_code=a,b`) may repeat and hold commas, and all its values are kept; any other argument
 * may appear once (or repeat the same value). Nothing is cut to its first value without a word.
 */
export function flattenQuery(queries: Record<string, string[]>, lists: ReadonlySet<string>): FlatQuery {
  const query: Record<string, string> = {};
  for (const [name, values] of Object.entries(queries)) {
    if (lists.has(name)) {
      query[name] = values
        .map((v) => v.trim())
        .filter(Boolean)
        .join(',');
      continue;
    }
    const distinct = [...new Set(values.map((v) => v.trim()))];
    if (distinct.length > 1) return { ok: false, message: `参数 ${name} 只能给一个值（收到 ${distinct.length} 个）` };
    query[name] = distinct[0] ?? '';
  }
  return { ok: true, query };
}

// Argument types the GET resources share.
export const commaList = (maxChars = 4000) =>
  z
    .string()
    .trim()
    .max(maxChars, { error: '参数过长' })
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    );
export const positive = (label: string, max?: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || (max !== undefined && n > max)) {
        ctx.addIssue({ code: 'custom', message: max ? `${label}须为 1 到 ${max} 之间的整数` : `${label}须为正整数` });
        return z.NEVER;
      }
      return n;
    });
export const datetime = (label: string, end: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const d = parseW3c(v, end);
      if (!d)
        ctx.addIssue({ code: 'custom', message: `${label}须为 W3C 日期时间并带时区，例如 2026-11-01T00:00:00+08:00` });
      return d ?? z.NEVER;
    });

/** The longest start_date–end_date span one GET reads. */
export const MAX_SPAN_DAYS = 90;

/** start_date/end_date as the spec reads them: at most MAX_SPAN_DAYS apart; without either, the last MAX_SPAN_DAYS. */
export function dateWindow(
  start: Date | undefined,
  end: Date | undefined,
  now: Date,
): { ok: true; start: Date; end: Date } | { ok: false; message: string } {
  if (start && end && start > end) return { ok: false, message: 'start_date 不能晚于 end_date' };
  if (start && end && end.getTime() - start.getTime() > MAX_SPAN_DAYS * DAY_MS)
    return { ok: false, message: `start_date 与 end_date 相隔不能超过 ${MAX_SPAN_DAYS} 天` };
  const to = end ?? (start ? new Date(start.getTime() + MAX_SPAN_DAYS * DAY_MS) : now);
  return { ok: true, start: start ?? new Date(to.getTime() - MAX_SPAN_DAYS * DAY_MS), end: to };
}
