import { xlsxDate } from '../shared/table-rows.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../shared/time.ts';

/**
 * The columns of the power company's readings and how each cell is read. Utilities and their
 * exports name the columns differently (户号/用户编号/客户编号, 有功电量/正向有功总电量/用电量): a header is
 * matched after dropping spaces, brackets and their content (units), and the first match wins.
 */
export type ReadingColumn = 'account' | 'date' | 'time' | 'kwh';

const HEADERS: [ReadingColumn, RegExp][] = [
  ['account', /^(电表|用电|电力)?(户号|用户编号|用户号|客户编号|客户号|户编号)$/],
  ['time', /^(数据|采集|抄表|冻结)?(时间|时刻|时间点)$/],
  ['date', /^(数据|采集|抄表|冻结|统计|用电)?日期$/],
  ['kwh', /^(正向)?(有功)?(总)?(电量|用电量|日电量|电能)$/],
];
const normalise = (h: string) => h.replace(/[\s（(【[].*?[）)】\]]|\s/g, '');

export function columnOfHeader(text: string): ReadingColumn | undefined {
  const h = normalise(text);
  return HEADERS.find(([, re]) => re.test(h))?.[0];
}

export interface ReadingHeader {
  /** 0-based index of the header among the rows looked at. */
  index: number;
  account: number;
  /** The 日期 column of daily totals, or the 时间 column of a curve. */
  when: number;
  curve: boolean;
  kwh: number;
}

/** The header: the first of the first rows naming 户号, 日期 or 时间, and 有功电量. */
export function findReadingHeader(rows: { cells: string[] }[]): ReadingHeader | null {
  for (const [index, row] of rows.entries()) {
    const at = new Map<ReadingColumn, number>();
    row.cells.forEach((cell, col) => {
      const key = columnOfHeader(cell);
      if (key && !at.has(key)) at.set(key, col);
    });
    const account = at.get('account');
    const kwh = at.get('kwh');
    const when = at.get('time') ?? at.get('date');
    if (account !== undefined && kwh !== undefined && when !== undefined)
      return { index, account, when, curve: at.has('time'), kwh };
  }
  return null;
}

export const HEADER_MISSING =
  '没有找到表头：前 10 行中应有“户号”“日期”（日电量）或“时间”（负荷曲线）和“有功电量(kWh)”三列';

/** The most a meter may use in a day or an interval, kWh: larger is a unit or column mistake. */
export const MAX_DAY_KWH = 10_000_000;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const DATE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})/;
const TIME = /^[T\s]*(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}(?:\.\d+)?)秒?)?(?:Z|\+08:?00)?$/;

/**
 * A cell's Beijing wall-clock time as milliseconds of a UTC date (so 2025-01-02 08:15 is 08:15 UTC here), from
 * 2025-01-02, 2025/1/2, 2025年1月2日, 20250102, each with an optional time, or an .xlsx date serial.
 */
function wallClock(text: string, xlsx: { date1904: boolean } | null): Parsed<{ ms: number; hasTime: boolean }> {
  if (xlsx) {
    const ms = xlsxDate(text, xlsx.date1904);
    if (ms !== null) return { ok: true, value: { ms, hasTime: ms % DAY_MS !== 0 } };
    // An .xlsx date typed in as text, or a Date cell (ISO, UTC): both read below; ISO is converted back.
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isNaN(iso)) return { ok: true, value: { ms: iso, hasTime: iso % DAY_MS !== 0 } };
  }
  const m = DATE.exec(text) ?? COMPACT.exec(text);
  if (!m) return { ok: false, message: `“${text.slice(0, 30)}”不是有效的日期（应如 2025-01-02）` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d);
  const back = new Date(day);
  if (y < 2000 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return { ok: false, message: `“${text.slice(0, 30)}”不是有效的日期` };
  const rest = text.slice(m[0].length);
  if (rest.trim() === '') return { ok: true, value: { ms: day, hasTime: false } };
  const t = TIME.exec(rest);
  const [h, mi, s] = t ? [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)] : [NaN, NaN, NaN];
  if (!t || h > 23 || mi > 59 || s >= 60)
    return { ok: false, message: `“${text.slice(0, 30)}”的时刻无效（应如 08:15）` };
  return { ok: true, value: { ms: day + (h * 60 + mi) * 60_000 + Math.round(s * 1000), hasTime: true } };
}

/** A daily total's Beijing day number (days since 1970-01-01), not after `today`. */
export function parseDay(text: string, xlsx: { date1904: boolean } | null, today: number): Parsed<number> {
  if (text === '') return { ok: false, message: '日期为空' };
  const w = wallClock(text, xlsx);
  if (!w.ok) return w;
  if (w.value.hasTime) return { ok: false, message: '日期带有时刻：日电量每天一行；负荷曲线请把该列命名为“时间”' };
  const day = w.value.ms / DAY_MS;
  if (day > today) return { ok: false, message: `日期 ${text} 晚于今天` };
  return { ok: true, value: day };
}

/** An interval's start in minutes since the epoch (UTC), from its Beijing time on a quarter hour. */
export function parseMinute(text: string, xlsx: { date1904: boolean } | null, nowMinute: number): Parsed<number> {
  if (text === '') return { ok: false, message: '时间为空' };
  const w = wallClock(text, xlsx);
  if (!w.ok) return w;
  const minute = Math.round((w.value.ms - BEIJING_OFFSET_MS) / 60_000);
  if (Math.abs(w.value.ms - BEIJING_OFFSET_MS - minute * 60_000) > 1000 || minute % 15 !== 0)
    return { ok: false, message: `时间 ${text} 不在整 15 分钟上（负荷曲线每 15 分钟或每小时一个点）` };
  if (minute > nowMinute) return { ok: false, message: `时间 ${text} 晚于现在` };
  return { ok: true, value: minute };
}

// x X b B o O: the second character of 0x10, 0b1, 0o7.
const RADIX = [120, 88, 98, 66, 111, 79];
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** 有功电量 in kWh: a number, not negative, thousands separators allowed. */
export function parseKwh(text: string): Parsed<number> {
  // The common case without a regular expression: a plain decimal (0x10, 0b1 and 0o7 are numbers to JS).
  const fast = +text;
  if (fast >= 0 && fast <= MAX_DAY_KWH && text !== '' && !RADIX.includes(text.charCodeAt(1)))
    return { ok: true, value: fast };
  if (text === '') return { ok: false, message: '有功电量为空' };
  const plain = text.replace(/,/g, '');
  if (!NUMBER.test(plain)) return { ok: false, message: `有功电量“${text.slice(0, 30)}”不是数字` };
  const kwh = Number(plain);
  if (kwh < 0) return { ok: false, message: `有功电量 ${text} 为负数` };
  if (kwh > MAX_DAY_KWH) return { ok: false, message: `有功电量 ${text} 过大（单位应为 kWh）` };
  return { ok: true, value: kwh };
}
