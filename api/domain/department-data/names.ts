import { fold, normaliseCreditCode } from '../shared/fold.ts';

export { fold, normaliseCreditCode };

/**
 * How a register's name, credit code or phone is compared with a file's (issue 15). The same workshop is written
 * 张三五金加工厂 in the file and 张三五金加工厂（个体工商户） in 市场监管's list, or 某某塑料有限公司 beside
 * 某某塑料有限责任公司: names are compared after NFKC (full-width brackets and letters fold to ASCII), without
 * spaces or punctuation, without a bracketed form of business at the end, and without the form of company.
 * A bracketed place or former name (（义乌）, （原某某厂）) is kept: it tells two firms apart.
 */
const FORMS_IN_BRACKETS = ['个体工商户', '个体', '个人独资', '个人独资企业', '普通合伙', '有限合伙', '特殊普通合伙'];
/** Longest first: 股份有限公司 before 有限公司. */
const COMPANY_FORMS = ['股份有限公司', '有限责任公司', '有限公司', '个人独资企业', '合伙企业', '个体工商户'];
const PUNCTUATION = /[\s\u3000·•.,，、。:：;；'"‘’“”\-—_/\\]/g;
const TRAILING_BRACKET = /\(([^()]*)\)$/;

export function normaliseName(raw: string): string {
  let s = fold(raw)
    .replace(/[【[]/g, '(')
    .replace(/[】\]]/g, ')')
    .replace(PUNCTUATION, '');
  for (let m = TRAILING_BRACKET.exec(s); m && FORMS_IN_BRACKETS.includes(m[1]!); m = TRAILING_BRACKET.exec(s)) {
    s = s.slice(0, m.index);
  }
  for (const form of COMPANY_FORMS) {
    if (s.endsWith(form) && s.length > form.length) {
      s = s.slice(0, -form.length);
      break;
    }
  }
  return s.toUpperCase();
}

/** 统一社会信用代码: 18 characters of digits and capitals without I, O, S, V, Z (GB 32100-2015). */
export const CREDIT_CODE = /^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/;

/** GB 32100-2015's check character, the last of the 18. */
export function creditCodeChecks(code: string): boolean {
  if (!CREDIT_CODE.test(code)) return false;
  const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(code[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31] === code[17];
}

/** A phone as digits only, without +86 / 0086: 138-0000-1111 and +86 13800001111 are one number. */
export function normalisePhone(raw: string): string {
  const digits = fold(raw).replace(/\D/g, '');
  return digits.replace(/^(0086|86)(?=1\d{10}$)/, '');
}

/** A person's name (a landlord's) as compared: NFKC, without spaces. */
export const normalisePerson = (raw: string) => fold(raw).replace(/\s/g, '');
