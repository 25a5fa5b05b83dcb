// Server-only: the rules hold reporters' names and phones, which never reach a browser (issue 11).
// Masking and the check at publication find the same things the same way, on one normaliser.
import { compactKey, compactOf, normalise, normaliseMapped } from './redaction-normalise.ts';

/** Two-character surnames common enough that "欧阳明" must become 欧阳某某, not 欧某某. */
const COMPOUND_SURNAMES = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '端木',
  '南宫',
  '西门',
  '独孤',
  '万俟',
  '闻人',
  '澹台',
  '申屠',
  '太史',
  '钟离',
  '呼延',
  '赫连',
  '东郭',
];

const HAN_NAME = /^[\p{Script=Han}·・•‧]+$/u;

/** 王五 → 王某某, 欧阳明 → 欧阳某某: the surname stays, the rest goes. A name in another script goes whole. */
export function maskName(name: string): string {
  const n = name.trim();
  if (n.includes('某')) return n;
  if (!HAN_NAME.test(n)) return '某某';
  const surname = COMPOUND_SURNAMES.find((s) => n.startsWith(s) && n.length > s.length) ?? n.slice(0, 1);
  return `${surname}某某`;
}

export const PHONE_PLACEHOLDER = '（电话已隐去）';
export const ID_PLACEHOLDER = '（证件号码已隐去）';
export const EMAIL_PLACEHOLDER = '（邮箱已隐去）';
/** Reporters are never mentioned, not even by surname. */
export const REPORTER_PLACEHOLDER = '某某';

/** What the check at publication names: the kind of thing, never the value. */
export const LEAK = {
  reporterName: '举报人姓名',
  reporterPhone: '举报人电话',
  reporterContact: '举报人联系方式',
  phone: '电话号码',
  id: '身份证号码',
  email: '电子邮箱',
  workshop: '作坊名称',
} as const;

/** Where two finds overlap, the replacement of the lower rank wins (an e-mail's placeholder over a name inside it). */
const RANK = { generic: 0, reporter: 1, workshop: 2, person: 3 } as const;
type Rank = (typeof RANK)[keyof typeof RANK];

/** One thing to look for in the compact text (letters and digits only), and what replaces it. */
interface Needle {
  key: string;
  kind: string;
  replacement: string;
  rank: Rank;
  /** Left alone inside a licensed enterprise's registered name. */
  keepable: boolean;
  /** A short Latin key counts only as a word of its own ("li" is not masked inside "eligible"). */
  bounded: boolean;
}

export interface RedactionRules {
  needles: Needle[];
  /** Licensed enterprises' registered names, as compact keys: public even with a person's name inside. */
  keep: string[];
}

export interface EnterpriseNames {
  name: string;
  personInCharge: string;
  landlord: string;
  businessLicence: boolean;
  /**
   * Every string the reporters of the enterprise's complaints gave (names, phones, contacts): masked wherever they
   * appear.
   */
  reporters?: string[];
}

const LATIN = /^[a-z]+$/;
const shortLatin = (key: string) => LATIN.test(key) && key.length < 4;

/** "张三（法人）", "李四、赵六", "王五/钱七", "Zqx Wolfe" → the bare names. */
const namesIn = (field: string) =>
  field
    .replace(/[（(][^）)]*[）)]/g, ' ')
    .split(/[、，,/;；\s和及]+/)
    .map((s) => s.trim())
    .filter(isPersonName);
const NOT_NAMES = new Set(['不详', '未知', '暂无', '本人', '同上', '没有']);
const isPersonName = (s: string) =>
  !NOT_NAMES.has(s) && (HAN_NAME.test(s) ? s.length >= 2 && s.length <= 8 : /^[\p{L}·.'-]{2,30}$/u.test(s));

/**
 * What one reporter string is looked for as: a phone by its digits, an e-mail, or a name and, for a Latin or dotted
 * name, its parts.
 */
function reporterNeedles(given: string): Needle[] {
  const key = compactKey(given);
  const needle = (k: string, kind: string, replacement: string): Needle => ({
    key: k,
    kind,
    replacement,
    rank: RANK.reporter,
    keepable: false,
    bounded: shortLatin(k),
  });
  if (/^\d{7,}$/.test(key)) {
    const core = key.replace(/^(?:0086|86)(?=1[3-9]\d{9}$)/, '');
    // The last eight digits alone still say who called (a landline without its area code).
    return [...new Set([core, core.slice(-8)])].map((k) => needle(k, LEAK.reporterPhone, PHONE_PLACEHOLDER));
  }
  const n = normalise(given);
  if (n.includes('@')) {
    const local = compactKey(n.slice(0, n.indexOf('@')));
    return [key, ...(local.length >= 4 ? [local] : [])].map((k) => needle(k, LEAK.reporterContact, EMAIL_PLACEHOLDER));
  }
  if (key.length < 2) return [];
  const out = [needle(key, LEAK.reporterName, REPORTER_PLACEHOLDER)];
  const parts = n
    .split(/[\s·\-_.,'/]+/)
    .map((p) => compactOf(p).text)
    .filter(Boolean);
  if (parts.length > 1) {
    for (const p of parts) {
      // "Wolfe" alone names Zqx Wolfe, "买买提" alone names 阿依古丽·买买提; the single characters of "欧 阳 明" do not.
      if (LATIN.test(p) ? p.length >= 3 : n.includes('·') && p.length >= 2)
        out.push(needle(p, LEAK.reporterName, REPORTER_PLACEHOLDER));
    }
  }
  return out;
}

// The needles of each reporter string, kept once made: the same reporters are met again on every
// render of their cases, and an enterprise with thousands of them took tens of ms to read each time.
// A pure function of the string, so one memo serves every database; bounded, emptied when full.
const NEEDLES_OF = new Map<string, Needle[]>();
const NEEDLES_MEMO_MAX = 50_000;
function reporterNeedlesOf(given: string): Needle[] {
  let out = NEEDLES_OF.get(given);
  if (!out) {
    out = reporterNeedles(given);
    if (NEEDLES_OF.size >= NEEDLES_MEMO_MAX) NEEDLES_OF.clear();
    NEEDLES_OF.set(given, out);
  }
  return out;
}

/**
 * Names come from the file's person in charge and landlord; the naming rule of seed 002
 * ("person + business + 作坊") puts the person in an unlicensed workshop's name, so that name is
 * masked with him. A workshop whose person is not on file loses everything but its surname and kind.
 */
export function redactionRules(e: EnterpriseNames | null): RedactionRules {
  if (!e) return { needles: [], keep: [] };
  const names = [...new Set([...namesIn(e.personInCharge), ...namesIn(e.landlord)])];
  const needles: Needle[] = [...new Set(e.reporters ?? [])].flatMap(reporterNeedlesOf);
  for (const n of names) {
    const key = compactKey(n);
    if (key.length >= 2)
      needles.push({
        key,
        kind: `姓名“${maskName(n)}”`,
        replacement: maskName(n),
        rank: RANK.person,
        keepable: true,
        bounded: shortLatin(key),
      });
  }
  const name = e.name.trim();
  // Any unlicensed business may be named after a person, whatever its name ends with.
  if (!e.businessLicence && name && !names.some((p) => name.startsWith(p)) && compactKey(name).length >= 2) {
    const to = `${maskName(name.slice(0, 3))}${/(作坊|个体户)$/.exec(name)?.[1] ?? '经营户'}`;
    needles.push({
      key: compactKey(name),
      kind: LEAK.workshop,
      replacement: to,
      rank: RANK.workshop,
      keepable: false,
      bounded: false,
    });
  }
  const keep = e.businessLicence && name ? [compactKey(name)].filter(Boolean) : [];
  return { needles: dedupe(needles), keep };
}

const dedupe = (needles: Needle[]) => {
  const seen = new Map<string, Needle>();
  for (const n of needles) if (!seen.has(n.key) || seen.get(n.key)!.rank > n.rank) seen.set(n.key, n);
  return [...seen.values()];
};

/** Only the reporters' strings: for staff-facing text other than the case itself (an enterprise's name, a reason). */
export const reporterRules = (rules: RedactionRules): RedactionRules => ({
  needles: rules.needles.filter((n) => n.rank === RANK.reporter),
  keep: [],
});

// Dates and clock times are digits a case needs ("2026-10-08 21:30"); they are set aside before
// numbers are looked for. Lookarounds keep a phone from passing as a date followed by digits.
const DATE_OR_TIME = new RegExp(
  [
    /(?<!\d)(?:19|20)\d{2} ?[-./年] ?(?:0?[1-9]|1[0-2]) ?[-./月] ?(?:0?[1-9]|[12]\d|3[01])(?!\d)日?/.source,
    /(?<!\d)(?:0?[1-9]|[12]\d|3[01])[./](?:0?[1-9]|1[0-2])[./](?:19|20)\d{2}(?!\d)/.source,
    /(?<!\d)(?:[01]?\d|2[0-4]):[0-5]\d(?!\d)/.source,
    /(?<!\d)(?:19|20)\d{2}年/.source,
    /(?<!\d)(?:0?[1-9]|1[0-2])月(?:0?[1-9]|[12]\d|3[01])日/.source,
  ].join('|'),
  'g',
);

// Seven or more digits (after normalising: any numerals) joined by at most three spaces, dashes,
// slashes, underscores, dots or brackets read as one number: a phone (any format, +86 or not, an
// area code in brackets) or an ID number (its last character may be X). Public cases carry none.
const NUMBER = /(?:\+ ?)?(?:\((?=\d{2,4}\)))?(?<!\d)\d(?:[ \n\-/_.·()]{0,3}\d){6,}(?:[ -]?x(?![a-z]))?(?!\d)/g;
// name@host.cn, also with the @ spelt out (" at ", (at), [at], 艾特) and the dots too.
// Each starts only where a run of such characters starts, so a long run is tried once, not once per character.
const EMAIL = /(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*\s?@\s?[a-z0-9-]+(?:\s?\.\s?[a-z0-9-]+)*/g;
const TLD = '(?:com|cn|net|org|edu|gov|io|me|info|biz|co|hk|tw|mo|top|xyz|vip|uk|us|de|jp)(?![a-z])';
const DOT = '\\s*(?:\\.|\\(dot\\)|\\[dot\\]|\\sdot\\s|点)\\s*';
const AT = '\\s*(?:\\(at\\)|\\[at\\]|\\{at\\}|<at>|\\sat\\s|艾特)\\s*';
const SPELT_EMAIL = new RegExp(
  `(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*${AT}[a-z0-9-]+(?:${DOT}[a-z0-9-]+)*${DOT}${TLD}`,
  'g',
);

function numberKind(match: string): { kind: string; replacement: string } {
  const digits = match.replace(/\D/g, '');
  if (/^(?:0086|86)?1[3-9]\d{9}$/.test(digits)) return { kind: LEAK.phone, replacement: PHONE_PLACEHOLDER };
  if (digits.length === 18 || digits.length === 15 || (digits.length === 17 && /x$/.test(match)))
    return { kind: LEAK.id, replacement: ID_PLACEHOLDER };
  return { kind: LEAK.phone, replacement: PHONE_PLACEHOLDER };
}

interface Span {
  from: number;
  to: number;
  kinds: string[];
  replacement: string;
  rank: Rank;
}

function occurrences(text: string, key: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(key); i !== -1; i = text.indexOf(key, i + 1)) at.push(i);
  return at;
}

/** Everything in `raw` to mask, in the original's coordinates, overlaps merged. */
function findSpans(raw: string, rules: RedactionRules, generic: boolean): Span[] {
  const m = normaliseMapped(raw);
  const c = compactOf(m.text);
  const spans: Span[] = [];
  const add = (nFrom: number, nTo: number, kind: string, replacement: string, rank: Rank) =>
    spans.push({ from: m.from[nFrom]!, to: m.to[nTo - 1]!, kinds: [kind], replacement, rank });

  const kept = rules.keep.flatMap((k) => occurrences(c.text, k).map((s) => [s, s + k.length] as const));
  const isWord = (i: number) => i >= 0 && i < m.text.length && /[a-z0-9]/.test(m.text[i]!);
  for (const n of rules.needles) {
    for (const s of occurrences(c.text, n.key)) {
      const e = s + n.key.length;
      if (n.keepable && kept.some(([a, b]) => s >= a && e <= b)) continue;
      const nFrom = c.at[s]!,
        nTo = c.at[e - 1]! + 1;
      if (n.bounded && (isWord(nFrom - 1) || isWord(nTo))) continue;
      add(nFrom, nTo, n.kind, n.replacement, n.rank);
    }
  }
  if (generic) {
    const text = m.text.replace(DATE_OR_TIME, (d) => '\u0001'.repeat(d.length));
    for (const re of [EMAIL, SPELT_EMAIL])
      for (const x of text.matchAll(re))
        add(x.index, x.index + x[0].length, LEAK.email, EMAIL_PLACEHOLDER, RANK.generic);
    for (const x of text.matchAll(NUMBER)) {
      const { kind, replacement } = numberKind(x[0]);
      add(x.index, x.index + x[0].length, kind, replacement, RANK.generic);
    }
  }
  spans.sort((a, b) => a.from - b.from || b.to - a.to);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged.at(-1);
    if (!last || s.from >= last.to) {
      merged.push(s);
      continue;
    }
    last.to = Math.max(last.to, s.to);
    last.kinds.push(...s.kinds);
    if (s.rank < last.rank) Object.assign(last, { rank: s.rank, replacement: s.replacement });
  }
  return merged;
}

// Left out of what is published: invisible characters and control characters other than line breaks and tabs.
const STRIP = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u200B-\u200D\u2060\uFEFF]/g;

function apply(raw: string, spans: Span[]): string {
  let out = '';
  let pos = 0;
  for (const s of spans) {
    out += raw.slice(pos, s.from) + s.replacement;
    pos = s.to;
  }
  return (out + raw.slice(pos)).replace(STRIP, '');
}

const kindsOf = (spans: Span[]) => [...new Set(spans.flatMap((s) => s.kinds))];

/** One text as the public may read it: reporters gone, names masked, phone, ID numbers and e-mails removed. */
export function redactText(text: string, rules: RedactionRules): string {
  return apply(text, findSpans(text, rules, true));
}

/** redactText and leaks of the same text in one pass: the redacted text and the kinds of thing it hid. */
export function redactAndName(text: string, rules: RedactionRules): { text: string; hidden: string[] } {
  const spans = findSpans(text, rules, true);
  return { text: apply(text, spans), hidden: kindsOf(spans) };
}

/** Only the reporters' strings masked, nothing else touched: for staff-facing text that is not the case. */
export function maskReporters(text: string, rules: RedactionRules): string {
  return apply(text, findSpans(text, reporterRules(rules), false));
}

/** What a text still holds that may not be published, by kind (never the value); empty when clean. */
export function leaks(text: string, rules: RedactionRules): string[] {
  return kindsOf(findSpans(text, rules, true));
}

/** No names to mask: phones, ID numbers and e-mails only. */
export const NO_RULES: RedactionRules = { needles: [], keep: [] };

/** Phones, ID numbers and e-mails removed, for text that has no enterprise behind it. */
export const removePhones = (text: string): string => redactText(text, NO_RULES);

/** Whether a text holds anything that reads as a phone or ID number. */
export const hasPhone = (text: string): boolean => leaks(text, NO_RULES).some((k) => k === LEAK.phone || k === LEAK.id);
