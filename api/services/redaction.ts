// Pure functions, no Node imports: the exposure editor's script bundles this file for its live preview.

/** Two-character surnames common enough that "欧阳明" must become 欧阳某某, not 欧某某. */
const COMPOUND_SURNAMES = [
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕',
  '令狐', '端木', '南宫', '西门', '独孤', '万俟', '闻人', '澹台', '申屠', '太史', '钟离', '呼延', '赫连', '东郭',
];

/** 王五 → 王某某, 欧阳明 → 欧阳某某: the surname stays, the rest goes. */
export function maskName(name: string): string {
  const n = name.trim();
  if (n.includes('某')) return n;
  const surname = COMPOUND_SURNAMES.find((s) => n.startsWith(s) && n.length > s.length) ?? n.slice(0, 1);
  return `${surname}某某`;
}

export const PHONE_PLACEHOLDER = '（电话已隐去）';

// Mainland mobiles (+86 optional), with spaces or dashes between the groups.
const MOBILE = /(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)/g;
// Landlines with an area code: 0571-88886666, (0571) 8888 6666, 010 8888 6666, an extension after.
const LANDLINE = /(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?:[\s-]*(?:转|ext\.?)\s*\d{1,5})?(?!\d)/gi;
// Hotlines such as 400-123-4567 and 800 numbers.
const SERVICE = /(?<!\d)[48]00[\s-]?\d{3}[\s-]?\d{4}(?!\d)/g;

// What the patterns above miss: 18-digit ID numbers, and any run of seven or more digits however
// it is spaced or dotted (138.1234.5678, 1 3 8…, a local 5862 1234). Public cases carry no such number.
const ID_NUMBER = /(?<!\d)\d{17}[\dXx](?!\d)/g;
const DIGIT_RUN = /(?<!\d)\d(?:[\s.\-·]{0,2}\d){6,}(?!\d)/g;
// Seven or more Chinese numerals in a row (一三八一二三四…) are a number spelt out, not words.
const CN_RUN = /[〇零一二三四五六七八九]{7,}/g;

/** Full-width digits and dashes as ASCII, so that １３８－… is caught like 138-… (other punctuation stays). */
const normalise = (text: string) => text.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/[－—–]/g, '-');

// Dates and clock times are digits a case needs ("2026-10-08 21:30"); they are set aside first.
const DATE_OR_TIME = /\d{4}\s?[-./年]\s?\d{1,2}\s?[-./月]\s?\d{1,2}日?|\d{1,2}[:：]\d{2}|\d{4}年|\d{1,2}月\d{1,2}日/g;
function sparingDates(text: string, fn: (rest: string) => string): string {
  const held: string[] = [];
  const out = fn(text.replace(DATE_OR_TIME, (m) => `\u0001${held.push(m) - 1}\u0001`));
  return out.replace(/\u0001(\d+)\u0001/g, (_, i: string) => held[Number(i)]!);
}

export function removePhones(text: string): string {
  return sparingDates(normalise(text), (t) => t
    .replace(ID_NUMBER, PHONE_PLACEHOLDER)
    .replace(MOBILE, PHONE_PLACEHOLDER).replace(LANDLINE, PHONE_PLACEHOLDER).replace(SERVICE, PHONE_PLACEHOLDER)
    .replace(DIGIT_RUN, PHONE_PLACEHOLDER)
    .replace(CN_RUN, PHONE_PLACEHOLDER));
}

/** Checked at publication, independently of removePhones: any run of seven digits is refused. */
export function hasPhone(text: string): boolean {
  const t = normalise(text).replace(DATE_OR_TIME, '|');
  // Digits joined by at most two spaces, dots or dashes count as one number.
  const runs = t.replace(/[^\d〇零一二三四五六七八九]+/g, (sep) => (sep.length <= 2 && /^[\s.\-·]+$/.test(sep) ? '' : '|')).split('|');
  return runs.some((run) => run.length >= 7);
}

/** What one enterprise's file says must not reach the public. */
export interface RedactionRules {
  /** Private persons' names (负责人, 出租房业主), longest first. */
  names: string[];
  /** A licensed enterprise's registered name: public, left as it is even if it contains a name. */
  keep: string[];
  /** An unlicensed workshop named after a person the file does not name: its whole name, and what replaces it. */
  workshop: { from: string; to: string } | null;
}

export interface EnterpriseNames {
  name: string;
  personInCharge: string;
  landlord: string;
  businessLicence: boolean;
  /** Reporters of complaints filed under this enterprise: never in a case, masked if staff typed them. */
  reporters?: string[];
}

/** "张三（法人）", "李四、赵六", "王五/钱七" → the bare names. */
const namesIn = (field: string) => field.replace(/[（(][^）)]*[）)]/g, ' ').split(/[、，,/;；\s和及]+/).map((s) => s.trim()).filter(isPersonName);

const WORKSHOP = /(作坊|个体户)$/;
const isPersonName = (s: string) => s.length >= 2 && s.length <= 6 && /^[\u4e00-\u9fa5·]+$/.test(s);

/**
 * Names come from the file's person in charge and landlord; the naming rule of seed 002
 * ("person + business + 作坊") puts the person in an unlicensed workshop's name, so that name is
 * masked with him. A workshop whose person is not on file loses everything but its surname and kind.
 */
export function redactionRules(e: EnterpriseNames | null): RedactionRules {
  if (!e) return { names: [], keep: [], workshop: null };
  const names = [...namesIn(e.personInCharge), ...namesIn(e.landlord), ...(e.reporters ?? []).flatMap(namesIn)];
  const name = e.name.trim();
  let workshop: RedactionRules['workshop'] = null;
  // Any unlicensed business may be named after a person, whatever its name ends with.
  if (!e.businessLicence && name && !names.some((p) => name.startsWith(p))) {
    workshop = { from: name, to: `${maskName(name.slice(0, 3))}${WORKSHOP.exec(name)?.[1] ?? '经营户'}` };
  }
  return { names: [...new Set(names)].sort((a, b) => b.length - a.length), keep: e.businessLicence && name ? [name] : [], workshop };
}

/** One text as the public may read it: names masked, phone numbers removed. */
export function redactText(text: string, rules: RedactionRules): string {
  let out = removePhones(text.replace(/\u0000/g, ''));
  const kept: string[] = [];
  // A licensed enterprise's name is held aside so that a person's name inside it survives.
  for (const k of rules.keep) out = out.split(k).join(`\u0000${kept.push(k) - 1}\u0000`);
  if (rules.workshop) out = out.split(rules.workshop.from).join(rules.workshop.to);
  for (const n of rules.names) out = out.split(n).join(maskName(n));
  return out.replace(/\u0000(\d+)\u0000/g, (_, i: string) => kept[Number(i)]!);
}

/** What a redacted text still leaks, for the check at publication; empty when clean. */
export function leaks(text: string, rules: RedactionRules): string[] {
  const found: string[] = [];
  if (hasPhone(text)) found.push('电话号码');
  let rest = text;
  for (const k of rules.keep) rest = rest.split(k).join('');
  for (const n of rules.names) if (rest.includes(n)) found.push(`姓名“${maskName(n)}”`);
  if (rules.workshop && rest.includes(rules.workshop.from)) found.push('作坊名称');
  return found;
}
