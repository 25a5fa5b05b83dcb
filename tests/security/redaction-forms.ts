// Generators for the ways a reporter's name, a phone, an ID number or an e-mail may be written
// (issue 11), shared by the redaction properties and the privacy canary.
import fc from 'fast-check';
import { compactKey } from '../../api/domain/public/redaction-normalise.ts';

export const ZERO_WIDTH = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD'];
/** Spaces other than U+0020 that people and input methods produce. */
export const SPACES = [' ', '\u3000', '\u00A0', '\u2002', '\u2003', '\u2009', '\u202F', '\u205F', '\t'];
export const DOTS = ['·', '・', '•', '‧', '･'];
/** Between groups of a phone: space - / _ . and their full-width forms, alone or with spaces around. */
export const PHONE_SEPARATORS = [
  '',
  ' ',
  '-',
  '/',
  '_',
  '.',
  '\u3000',
  '－',
  '／',
  '＿',
  '．',
  ' - ',
  ' / ',
  ' _ ',
  '–',
  '—',
  '−',
];

const FULL = '０１２３４５６７８９';
const LOWER = ['〇一二三四五六七八九', '零一二三四五六七八九'];
const CAPITAL = '零壹贰叁肆伍陆柒捌玖';
const CIRCLED = '⓪①②③④⑤⑥⑦⑧⑨';
export const DIGIT_FORMS = ['ascii', 'full', 'chinese', 'chinese-ling', 'capital', 'circled'] as const;
export type DigitForm = (typeof DIGIT_FORMS)[number];

export function renderDigit(d: string, form: DigitForm): string {
  const n = Number(d);
  switch (form) {
    case 'ascii':
      return d;
    case 'full':
      return FULL[n]!;
    case 'chinese':
      return LOWER[0]![n]!;
    case 'chinese-ling':
      return LOWER[1]![n]!;
    case 'capital':
      return CAPITAL[n]!;
    case 'circled':
      return CIRCLED[n]!;
  }
}

/** Inserts invisible characters between the code points of `s` where `where` says so. */
export function sprinkle(s: string, where: boolean[], chars: string[]): string {
  return Array.from(s)
    .map((ch, i) => (i > 0 && where[i % where.length] ? chars[i % chars.length]! : '') + ch)
    .join('');
}

export const mobile = fc
  .tuple(
    fc.constantFrom(...'3456789'),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 9, maxLength: 9 }),
  )
  .map(([b, rest]) => `1${b}${rest}`);

/** A phone as someone might type it: +86 or not, any grouping and separators, each digit in any form. */
export const phoneWritten = (digits: string) =>
  fc
    .record({
      prefix: fc.constantFrom('', '+86', '+86 ', '+86-', '0086 ', '(+86)', '＋８６ '),
      groups: fc.constantFrom([3, 4, 4], [3, 3, 5], [11], [3, 8], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
      separators: fc.array(fc.constantFrom(...PHONE_SEPARATORS), { minLength: 10, maxLength: 10 }),
      forms: fc.array(fc.constantFrom(...DIGIT_FORMS), { minLength: 11, maxLength: 11 }),
      mixed: fc.boolean(),
    })
    .map(({ prefix, groups, separators, forms, mixed }) => {
      let at = 0;
      const parts = groups.map((n) => {
        const g = digits
          .slice(at, at + n)
          .split('')
          .map((d, i) => renderDigit(d, mixed ? forms[at + i]! : forms[0]!))
          .join('');
        at += n;
        return g;
      });
      return prefix + parts.map((p, i) => (i === 0 ? p : separators[i - 1]! + p)).join('');
    });

/** An 18-digit ID number: area, birth date, sequence, and a check character that may be X. */
export const idNumber = fc
  .record({
    area: fc.integer({ min: 110000, max: 659999 }),
    born: fc.date({ min: new Date('1940-01-01'), max: new Date('2010-12-31'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
    check: fc.constantFrom(...'0123456789X'),
  })
  .map(
    ({ area, born, seq, check }) =>
      `${area}${born.toISOString().slice(0, 10).replace(/-/g, '')}${String(seq).padStart(3, '0')}${check}`,
  );

export const idWritten = (id: string) =>
  fc
    .record({
      form: fc.constantFrom<DigitForm>('ascii', 'full'),
      spaced: fc.constantFrom('', ' ', '\u3000'),
      lowerX: fc.boolean(),
    })
    .map(({ form, spaced, lowerX }) => {
      const body = id
        .slice(0, 17)
        .split('')
        .map((d) => renderDigit(d, form))
        .join('');
      const last = id[17] === 'X' ? (lowerX ? 'x' : form === 'full' ? 'Ｘ' : 'X') : renderDigit(id[17]!, form);
      return spaced ? `${body.slice(0, 6)}${spaced}${body.slice(6, 14)}${spaced}${body.slice(14)}${last}` : body + last;
    });

const latinWord = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 4, maxLength: 9 });
export const email = fc
  .tuple(
    latinWord,
    fc.constantFrom('', '.', '_'),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 4 }),
    latinWord,
    fc.constantFrom('com', 'cn', 'org', 'net'),
  )
  .map(([a, sep, b, host, tld]) => ({ local: `${a}${sep}${b}`, host, tld }));
export const emailWritten = (e: { local: string; host: string; tld: string }) =>
  fc
    .tuple(
      fc.constantFrom('@', '＠', ' @ ', ' at ', ' (at) ', '[at]'),
      fc.constantFrom('.', '．', ' dot ', '.'),
      fc.boolean(),
    )
    .map(([at, dot, upper]) => {
      const s = `${e.local}${at}${e.host}${at === '@' || at === '＠' || at === ' @ ' ? '.' : dot}${e.tld}`;
      return upper ? s.toUpperCase().replace(/ AT | DOT |\(AT\)|\[AT\]/g, (m) => m.toLowerCase()) : s;
    });

// Name characters chosen to share nothing with the filler text and the placeholders of the tests.
const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
  '罗',
  '郑',
  '梁',
  '谢',
  '宋',
  '唐',
  '韩',
  '冯',
  '邓',
  '曹',
  '彭',
  '曾',
  '欧阳',
  '司马',
  '上官',
  '诸葛',
];
const GIVEN =
  '伟芳娜敏静丽强磊洋艳勇军杰娟涛超秀霞刚桂英华萍鹏辉玲燕飞鑫波斌宇浩凯健俊帆帅旭宁龙琳晶欣瑶婷雪慧颖佳嘉琪';
const UYGHUR = [
  '阿依古丽',
  '买买提',
  '艾力',
  '热依拉',
  '吐尔逊',
  '努尔',
  '帕提古丽',
  '阿不都',
  '艾合买提',
  '古再丽',
  '依明',
  '热合曼',
];

export type NameKind = 'han' | 'latin' | 'dotted' | 'long' | 'spaced';
export interface Reporter {
  kind: NameKind;
  given: string;
  written: string;
}

const spaceArb = fc.constantFrom(...SPACES);

/** A reporter's name as he gave it, and as staff later typed it into a case. */
export const reporterName: fc.Arbitrary<Reporter> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...SURNAMES), fc.string({ unit: fc.constantFrom(...GIVEN), minLength: 1, maxLength: 2 }))
    .map(([s, g]) => ({ kind: 'han' as const, given: s + g, written: s + g })),
  fc
    .tuple(
      latinWord,
      latinWord,
      fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
      fc.constantFrom('', ' ', '  ', '\u3000', '\u00A0', '.'),
      fc.boolean(),
    )
    .map(([a, b, caps, space, full]) => {
      const given = `${a[0]!.toUpperCase()}${a.slice(1)} ${b[0]!.toUpperCase()}${b.slice(1)}`;
      let written = Array.from(`${a}${space}${b}`)
        .map((ch, i) => (caps[i % caps.length] ? ch.toUpperCase() : ch))
        .join('');
      if (full) written = written.replace(/[A-Za-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
      return { kind: 'latin' as const, given, written };
    }),
  fc
    .tuple(
      fc.constantFrom(...UYGHUR),
      fc.constantFrom(...UYGHUR),
      fc.constantFrom(...DOTS),
      fc.constantFrom(...DOTS),
      fc.constantFrom('', ' '),
    )
    .filter(([a, b]) => a !== b)
    .map(([a, b, dot1, dot2, pad]) => ({
      kind: 'dotted' as const,
      given: `${a}${dot1}${b}`,
      written: `${a}${pad}${dot2}${pad}${b}`,
    })),
  fc
    .string({ unit: fc.constantFrom(...GIVEN), minLength: 4, maxLength: 8 })
    .map((s) => ({ kind: 'long' as const, given: `上官${s}`, written: `上官${s}` })),
  fc
    .tuple(
      fc.constantFrom(...SURNAMES),
      fc.string({ unit: fc.constantFrom(...GIVEN), minLength: 1, maxLength: 3 }),
      fc.array(spaceArb, { minLength: 4, maxLength: 4 }),
      fc.boolean(),
    )
    .map(([s, g, spaces, givenSpaced]) => {
      const spaced = Array.from(s + g)
        .map((ch, i) => (i ? spaces[i % spaces.length]! : '') + ch)
        .join('');
      return { kind: 'spaced' as const, given: givenSpaced ? spaced : s + g, written: givenSpaced ? s + g : spaced };
    }),
);

/** Reads `text` as the normaliser does, letters and digits only: what must not be found there. */
export const readable = (text: string) => compactKey(text);
