import { z } from 'zod';

/**
 * Free text and numbers as people type them, checked the same way in every input schema.
 *
 * Text is stored in NFC with its ends trimmed of every kind of space and invisible character;
 * its length for a minimum is what a reader sees (grapheme clusters, not counting spaces or
 * zero-width and other format characters), so twelve zero-width spaces are not a description.
 * Control characters (other than line breaks and tabs) and broken UTF-16 are refused, not
 * silently stored. Numbers are plain decimals only: no hex, exponent, Infinity or odd spaces.
 */

// C0 and C1 controls except \t \n \r; DEL; the Unicode non-characters U+FFFE/U+FFFF; line and
// paragraph separators (U+2028/9), which break a line where a reader sees none.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/;
// What draws nothing: format characters (zero-width space and joiners, bidi marks, BOM, soft
// hyphen…), variation selectors, the combining grapheme joiner, Hangul fillers, the blank braille
// pattern, and every space (\s covers U+3000, no-break and the U+2000 family).
const INVISIBLE = /[\s\p{Cf}\u034F\u115F\u1160\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;
// One character at an end that draws nothing. Ends are trimmed by walking in from each side: a
// pattern `[…]+$` retries from every position of a long inner run of spaces (quadratic).
const EDGE = /^[\s\p{Cf}\u034F\u115F\u1160\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0]$/u;
// Characters whose every code point is one grapheme: Latin, Greek, Cyrillic, CJK, kana, full-width
// forms (no combining marks, joiners or surrogates). Text made only of them is counted without
// Intl.Segmenter, which took most of a 10,000-line import's validation.
const ONE_GRAPHEME_EACH =
  /^[\u0000-\u02FF\u0370-\u0482\u048A-\u052F\u2000-\u200C\u200E-\u2BFF\u3000-\u3098\u309B-\u9FFF\uFF00-\uFFEF]*$/;
// Zero-width characters that carry no meaning inside Chinese or Latin text; they only hide
// words from search and from the reviewer's eye. (ZWJ/ZWNJ stay: emoji and some scripts need them.)
const ZERO_WIDTH = /[\u200B\u2060\uFEFF\u180E]/g;

const graphemes = new Intl.Segmenter('zh', { granularity: 'grapheme' });

/** Why a string cannot be stored as text at all, or null. */
export function textProblem(raw: string): string | null {
  // A lone surrogate, or U+FFFD where a decoder met bytes that were not UTF-8.
  if (!raw.isWellFormed() || raw.includes('\uFFFD')) return '含有无法识别的字符（编码损坏），请重新输入';
  if (CONTROL.test(raw)) return '含有不可见的控制字符，请删除后重新输入';
  return null;
}

/** The text as stored: NFC, zero-width characters removed, ends trimmed of every space and invisible character. */
export function cleanText(raw: string): string {
  return trimEdges(raw.normalize('NFC').replace(ZERO_WIDTH, ''));
}

function trimEdges(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end) {
    const ch = String.fromCodePoint(s.codePointAt(start)!);
    if (!EDGE.test(ch)) break;
    start += ch.length;
  }
  while (end > start) {
    const low = s.charCodeAt(end - 1);
    const width = low >= 0xdc00 && low <= 0xdfff && end - 2 >= start ? 2 : 1;
    if (!EDGE.test(s.slice(end - width, end))) break;
    end -= width;
  }
  return s.slice(start, end);
}

/** How many characters a reader sees, counting at most up to `stopAt`. */
export function visibleLength(text: string, stopAt = Infinity): number {
  const visible = text.replace(INVISIBLE, '');
  if (visible.length === 0) return 0;
  if (ONE_GRAPHEME_EACH.test(visible)) return Math.min(visible.length, stopAt);
  let n = 0;
  for (const _ of graphemes.segment(visible)) if (++n >= stopAt) break;
  return n;
}

/** Code points, so an emoji counts once against a maximum. */
const lengthOf = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export interface TextRule {
  /** Fewest visible characters; 1 or more makes the field required. */
  min?: number;
  max: number;
  /** Messages in place of the default ones (which name the field). */
  required?: string;
  tooShort?: string;
  tooLong?: string;
}

/**
 * A free-text field named `label` in its messages. Without `min` an empty (or all-invisible) value
 * is '', to be given a default or made optional by the caller.
 */
export function freeText(label: string, rule: TextRule) {
  const { min = 0, max } = rule;
  const tooLong = rule.tooLong ?? `${label}最多 ${max} 个字`;
  return z.string({ error: rule.required ?? `${label}格式不正确` }).transform((raw, ctx) => {
    // A body far over the limit is refused before any work on it.
    if (raw.length > max * 4 + 1024) return fail(ctx, tooLong);
    const problem = textProblem(raw);
    if (problem) return fail(ctx, `${label}${problem}`);
    const text = cleanText(raw);
    if (min > 0) {
      const seen = visibleLength(text, min);
      if (seen === 0) return fail(ctx, rule.required ?? `请填写${label}`);
      if (seen < min) return fail(ctx, rule.tooShort ?? `${label}至少 ${min} 个字`);
    } else if (visibleLength(text, 1) === 0) {
      return '';
    }
    if (lengthOf(text) > max) return fail(ctx, tooLong);
    return text;
  });
}

/** An optional free-text field: '' (or nothing, or only invisible characters) becomes undefined. */
export const optionalText = (label: string, rule: TextRule) =>
  freeText(label, { ...rule, min: 0 })
    .transform((v) => (v ? v : undefined))
    .optional();

/** A free-text field that defaults to '' (the enforcement forms store empty text, not null). */
export const textOrEmpty = (label: string, max: number) => freeText(label, { max }).default('');

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

// -12.345: an optional minus, digits, optionally a point and more digits. Nothing else.
const DECIMAL = /^-?\d{1,15}(\.\d{1,20})?$/;
const INTEGER = /^-?\d{1,15}$/;

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Messages in place of the default ones. */
  required?: string;
  invalid?: string;
  range?: string;
}

const invalidOf = (label: string, rule: NumberRule) =>
  rule.invalid ?? (rule.integer ? `${label}须为整数` : `${label}须为数字（如 120.123456）`);

function readDecimal(v: string | number, label: string, rule: NumberRule, ctx: z.RefinementCtx): number {
  let n: number;
  if (typeof v === 'number') {
    n = v;
    if (!Number.isFinite(n) || (rule.integer && !Number.isInteger(n))) return fail(ctx, invalidOf(label, rule));
  } else {
    const t = v.replace(/^[ \t]+|[ \t]+$/g, '');
    if (t === '') return fail(ctx, rule.required ?? `请填写${label}`);
    if (!(rule.integer ? INTEGER : DECIMAL).test(t)) return fail(ctx, invalidOf(label, rule));
    n = Number(t);
  }
  if (n === 0) n = 0; // -0 reads as 0
  if (rule.min !== undefined && n < rule.min)
    return fail(ctx, rule.range ?? (rule.min === 0 ? `${label}不能为负` : `${label}不能小于 ${rule.min}`));
  if (rule.max !== undefined && n > rule.max) return fail(ctx, rule.range ?? `${label}不能大于 ${rule.max}`);
  return n;
}

/**
 * A number written as a plain decimal ("-12.345"), from a form's text or a JSON number. Spaces
 * and tabs around it are forgiven (a typing slip), anything else refused: "0x1E", "1e1",
 * "Infinity", full-width digits, "+5", ".5", a no-break space. Required: '' is refused.
 */
export function decimal(label: string, rule: NumberRule = {}) {
  return z
    .union([z.string(), z.number()], { error: rule.required ?? `请填写${label}` })
    .transform((v, ctx) => readDecimal(v, label, rule, ctx));
}

const emptyable = <E extends null | undefined>(label: string, rule: NumberRule, empty: E) =>
  z
    .union([z.string(), z.number(), z.null()], { error: invalidOf(label, rule) })
    .transform((v, ctx): number | E => {
      if (v === null || (typeof v === 'string' && v.trim() === '')) return empty;
      return readDecimal(v, label, rule, ctx);
    })
    .optional();

/** The same, for a box that may stay empty: '' (or only spaces) and null are null, absent is undefined. */
export const optionalDecimal = (label: string, rule: NumberRule = {}) => emptyable(label, rule, null);

const idRule = (label: string, rule: Pick<NumberRule, 'required' | 'invalid'>): NumberRule => ({
  integer: true,
  min: 1,
  max: Number.MAX_SAFE_INTEGER,
  invalid: rule.invalid ?? `${label}不正确`,
  range: rule.invalid ?? `${label}不正确`,
  required: rule.required,
});

/** A record's id in a form, a query or a JSON body: a positive whole number written plainly. */
export const recordId = (label: string, rule: Pick<NumberRule, 'required' | 'invalid'> = {}) =>
  decimal(label, idRule(label, rule));

/** An id a form may leave empty ('' or absent: undefined). */
export const optionalRecordId = (label: string, rule: Pick<NumberRule, 'invalid'> = {}) =>
  emptyable(label, idRule(label, rule), undefined);

/** A number a form may leave empty ('' or absent: undefined), such as a phone's position. */
export const decimalOrUndefined = (label: string, rule: NumberRule = {}) => emptyable(label, rule, undefined);
