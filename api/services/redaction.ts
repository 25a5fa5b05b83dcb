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

export function removePhones(text: string): string {
  return text.replace(MOBILE, PHONE_PLACEHOLDER).replace(LANDLINE, PHONE_PLACEHOLDER).replace(SERVICE, PHONE_PLACEHOLDER);
}

export function hasPhone(text: string): boolean {
  return [MOBILE, LANDLINE, SERVICE].some((re) => {
    re.lastIndex = 0;
    const hit = re.test(text);
    re.lastIndex = 0;
    return hit;
  });
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
}

const WORKSHOP = /(作坊|个体户)$/;
const isPersonName = (s: string) => s.length >= 2 && s.length <= 6 && /^[\u4e00-\u9fa5·]+$/.test(s);

/**
 * Names come from the file's person in charge and landlord; the naming rule of seed 002
 * ("person + business + 作坊") puts the person in an unlicensed workshop's name, so that name is
 * masked with him. A workshop whose person is not on file loses everything but its surname and kind.
 */
export function redactionRules(e: EnterpriseNames | null): RedactionRules {
  if (!e) return { names: [], keep: [], workshop: null };
  const names = [e.personInCharge, e.landlord].map((s) => s.trim()).filter(isPersonName);
  const name = e.name.trim();
  let workshop: RedactionRules['workshop'] = null;
  if (!e.businessLicence && WORKSHOP.test(name) && !names.some((p) => name.startsWith(p))) {
    workshop = { from: name, to: `${maskName(name.slice(0, 3))}${WORKSHOP.exec(name)![1]}` };
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
