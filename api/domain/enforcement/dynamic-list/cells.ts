import {
  INSPECTION_AREAS,
  type EnterpriseStatus,
  type InspectionArea,
  type RemediationType,
} from '../../../../db/schema-enforcement.ts';
import { serialDate } from '../../shared/xlsx/read.ts';
import { AREA_LABELS, REVISIT_TYPE_LABELS } from '../labels.ts';

/** How each cell of the dynamic list is read back, accepting the ways people fill the paper form. */
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string): Parsed<never> => ({ ok: false, message });

/** The text of a cell, whatever the spreadsheet stored (rich text, formula results, links). */
export function cellText(v: unknown): string {
  if (v == null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (o.richText)
      return o.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
  }
  return String(v).trim();
}

// Mainland China: latitudes 3–54, longitudes 73–136, so the order of the pair is never ambiguous.
const isLat = (n: number) => n >= 3 && n <= 54;
const isLng = (n: number) => n >= 73 && n <= 136;

export function parseCoordinates(v: unknown): Parsed<{ lat: number | null; lng: number | null }> {
  const t = cellText(v);
  if (!t) return ok({ lat: null, lng: null });
  const parts = t.split(/[\s,，;；、]+/).filter(Boolean);
  const nums = parts.map(Number);
  if (parts.length === 2 && nums.every(Number.isFinite)) {
    const [a, b] = nums as [number, number];
    if (isLng(a) && isLat(b)) return ok({ lng: a, lat: b });
    if (isLat(a) && isLng(b)) return ok({ lat: a, lng: b });
  }
  return bad(`“${t}”不是中国境内的经纬度，请写成“经度, 纬度”，如 119.860000, 30.920000`);
}

const REVISIT_NUMBERS: Record<string, 1 | 2 | 3 | 4> = { 一: 1, 二: 2, 三: 3, 四: 4, '1': 1, '2': 2, '3': 3, '4': 4 };

export function parseRevisitType(v: unknown): Parsed<number | null> {
  const t = cellText(v);
  if (!t || t === '无' || t === '/') return ok(null);
  const m = /^第?\s*([一二三四1-4])\s*(类|种)?(?:$|[：:\s（(、])/.exec(t);
  if (m) return ok(REVISIT_NUMBERS[m[1]!]!);
  const plain = (s: string) => s.replace(/["“”\s]/g, '');
  const byText = Object.entries(REVISIT_TYPE_LABELS).find(
    ([, label]) => plain(label.slice(label.indexOf('：') + 1)) === plain(t),
  );
  if (byText) return ok(Number(byText[0]));
  return bad(`“${t}”不是“回头看”排查类型，请填第一类至第四类`);
}

const LICENCE_WORDS: Record<string, boolean> = {
  已办理: true,
  已办: true,
  有: true,
  是: true,
  有证: true,
  有照: true,
  已办证: true,
  未办理: false,
  未办: false,
  无: false,
  否: false,
  无证: false,
  无照: false,
  未办证: false,
};

export function parseLicence(v: unknown): Parsed<boolean> {
  const t = cellText(v).replace(/\s/g, '');
  if (!t) return ok(false);
  const yes = LICENCE_WORDS[t];
  return yes === undefined ? bad(`“${t}”看不懂，请填“已办理”或“未办理”`) : ok(yes);
}

const REMEDIATION_WORDS: Record<string, RemediationType> = {
  关停取缔: 'shutdown',
  关停: 'shutdown',
  取缔: 'shutdown',
  关停淘汰: 'shutdown',
  关一批: 'shutdown',
  整改提升: 'rectify',
  治理改造: 'rectify',
  整改: 'rectify',
  提升改造: 'rectify',
  升级改造: 'rectify',
  改一批: 'rectify',
  搬迁入园: 'relocate',
  搬迁改造: 'relocate',
  整合搬迁: 'relocate',
  整合搬迁入园: 'relocate',
  搬迁: 'relocate',
};

export function parseRemediation(v: unknown): Parsed<RemediationType | null> {
  const t = cellText(v).replace(/\s/g, '').replace(/类$/, '');
  if (!t) return ok(null);
  const type = REMEDIATION_WORDS[t];
  return type ? ok(type) : bad(`“${t}”不是整治类型，请填关停取缔、整改提升或搬迁入园`);
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
const ymd = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/**
 * A date cell, a spreadsheet serial number (counted from 1900, or from 1904 when the workbook says
 * so), or text such as 2026-06-30, 2026/6/30, 2026年6月30日.
 */
export function parseDate(v: unknown, date1904 = false): Parsed<string | null> {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? bad('不是有效日期') : ok(ymd(v));
  if (typeof v === 'number') {
    const d = serialDate(v, date1904);
    return d ? ok(ymd(d)) : bad(`${v} 不是有效日期`);
  }
  const t = cellText(v);
  if (!t) return ok(null);
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) return ok(ymd(date));
  }
  return bad(`“${t}”不是有效日期，请写成 2026-06-30`);
}

const STATUS_WORDS: [RegExp, EnterpriseStatus][] = [
  [/^(已完成整治|已完成|已整治|整治完成|完成)/, 'done'],
  [/^(整治中|正在整治)/, 'in_progress'],
  [/^(待整治|未整治|未开始)/, 'listed'],
];

/** 整治进度 is the status word, then optionally "：" and a note. */
export function parseProgress(v: unknown): Parsed<{ status: EnterpriseStatus; progressNote: string }> {
  const t = cellText(v);
  for (const [re, status] of STATUS_WORDS) {
    const m = re.exec(t);
    if (m) return ok({ status, progressNote: t.slice(m[0].length).replace(/^[\s：:，,；;。]+/, '') });
  }
  // A note without a known status word: still on the list, the whole text kept as the note.
  return ok({ status: 'listed', progressNote: t });
}

const AREA_BY_LABEL = new Map(INSPECTION_AREAS.map((a) => [AREA_LABELS[a], a]));
const AREA_PREFIX = new RegExp(
  `(?:^|[；;\\n])\\s*(${INSPECTION_AREAS.map((a) => AREA_LABELS[a]).join('|')})\\s*[：:]`,
  'g',
);

/** "生产安全：…；消防安全：…" back into areas; text before any label belongs to `fallback`. */
export function splitProblems(text: string, fallback: InspectionArea): [InspectionArea, string][] {
  const out: [InspectionArea, string][] = [];
  if (!text.includes('：') && !text.includes(':')) {
    const clean = text.trim();
    return clean && clean !== '无' ? [[fallback, clean]] : out;
  }
  const push = (area: InspectionArea, t: string) => {
    const clean = t.replace(/^[\s；;]+|[\s；;]+$/g, '');
    if (clean && clean !== '无') out.push([area, clean]);
  };
  let area = fallback,
    from = 0;
  for (const m of text.matchAll(AREA_PREFIX)) {
    push(area, text.slice(from, m.index));
    area = AREA_BY_LABEL.get(m[1]!)!;
    from = m.index + m[0].length;
  }
  push(area, text.slice(from));
  return out;
}
