// The one normaliser behind both the masking of a case's text and the check at publication
// (issue 11): a name or number is found however it was written. Text is compared as Unicode NFKC,
// without invisible characters, with one kind of space, dash, dot and slash, every digit (any
// script, Chinese and capital numerals, circled forms) as an ASCII digit, and letters in lower case.
// Each unit of the result knows which characters of the original it came from, so what is found
// is masked in the original text, which otherwise stays as it was typed.

export interface Mapped {
  /** The normalised text. */
  text: string;
  /** For each UTF-16 unit of `text`: the original characters [from, to) it came from. */
  from: Int32Array;
  to: Int32Array;
}

// Zero-width spaces and joiners, word joiner, BOM, soft hyphen, bidi controls, variation
// selectors, and any mark left after NFKC composed what it could (a strike-through over a digit).
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{M}]/u;
const SPACE = /[\p{Zs}\t\v\f]/u;
const LINE = /[\n\r\u0085\u2028\u2029]/u;
const DASH = /[\p{Pd}\u2212\u2796\uFE63]/u;
const MARK = /[\p{M}\u200D\uFE0E\uFE0F]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const DOTS = '\u00B7\u0387\u2022\u2024\u2027\u2219\u22C5\u30FB\u16EB\u2E31\u318D\uA78F\u2981\u25CF\u25E6';
const SLASHES = '\u2044\u2215\u29F8';

// These classes are looked up for every character. A Unicode property regex run on one character
// at a time stays in V8's slow interpreter (~40 µs a test: 2,000 characters took ~80 ms), so each
// block of 1,024 BMP characters is classified the first time a character of it is met, by running
// each regex over the whole block (~0.2 ms); only the rare astral character is tested one by one.
const isSurrogate = (c: number) => c >= 0xd800 && c < 0xe000;
const F_INVISIBLE = 1,
  F_SPACE = 2,
  F_LINE = 4,
  F_DASH = 8,
  F_MARK = 16,
  F_LN = 32,
  F_ND = 64;
const CLASSES: [RegExp, number][] = [
  [INVISIBLE, F_INVISIBLE],
  [SPACE, F_SPACE],
  [LINE, F_LINE],
  [DASH, F_DASH],
  [MARK, F_MARK],
  [LETTER_OR_DIGIT, F_LN],
  [/\p{Nd}/u, F_ND],
];
const RUNS = CLASSES.map(([re, flag]) => [new RegExp(`${re.source}+`, 'gu'), flag] as const);
const FLAGS = new Uint8Array(0x10000);
const READY = new Uint8Array(0x40);

function classify(block: number) {
  const start = block << 10;
  const codes = new Array<number>(1024);
  // no lone surrogates in the sample
  for (let k = 0; k < 1024; k++) codes[k] = isSurrogate(start + k) ? 0x20 : start + k;
  const sample = String.fromCharCode(...codes);
  for (const [re, flag] of RUNS) {
    for (const run of sample.matchAll(re)) {
      for (let k = run.index; k < run.index + run[0].length; k++)
        if (!isSurrogate(start + k)) FLAGS[start + k]! |= flag;
    }
  }
  READY[block] = 1;
}

/** The classes of one BMP code unit. */
function bmpFlags(c: number): number {
  if (!READY[c >> 10]) classify(c >> 10);
  return FLAGS[c]!;
}

function flagsOf(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x10000) return bmpFlags(cp);
  let f = 0;
  for (const [re, flag] of CLASSES) if (re.test(ch)) f |= flag;
  return f;
}

// Numerals a phone number may be spelt in: 一三九…, 壹叁玖…, 〇/零/○ for zero, 幺 as read aloud, Suzhou numerals.
const NUMERALS: Record<string, string> = {};
const numeral = (chars: string, digit: number) => {
  for (const ch of chars) NUMERALS[ch] = String(digit);
};
numeral('〇零○◯', 0);
numeral('一壹幺弌〡', 1);
numeral('二贰貳两兩弍〢', 2);
numeral('三叁參叄弎〣', 3);
numeral('四肆〤', 4);
numeral('五伍〥', 5);
numeral('六陆陸〦', 6);
numeral('七柒〧', 7);
numeral('八捌〨', 8);
numeral('九玖〩', 9);

const DINGBAT_RUNS = [0x2776, 0x2780, 0x278a];
/** Dingbat circled digits, which NFKC leaves alone (❶ ➀ ➊ ⓵ ⓫ ⓿ 🄋). */
function dingbat(cp: number): string | null {
  for (const base of DINGBAT_RUNS) if (cp >= base && cp < base + 10) return String(cp - base + 1);
  if (cp >= 0x24f5 && cp <= 0x24fe) return String(cp - 0x24f5 + 1);
  if (cp >= 0x24eb && cp <= 0x24f4) return String(cp - 0x24eb + 11);
  if (cp === 0x24ff || cp === 0x1f10b || cp === 0x1f10c) return '0';
  return null;
}

function foldChar(ch: string): string {
  const f = flagsOf(ch);
  if (f & F_INVISIBLE) return '';
  if (f & F_SPACE) return ' ';
  if (f & F_LINE) return '\n';
  if (f & F_DASH) return '-';
  if (DOTS.includes(ch)) return '·';
  if (SLASHES.includes(ch)) return '/';
  const n = NUMERALS[ch] ?? dingbat(ch.codePointAt(0)!);
  if (n !== null) return n;
  if (f & F_ND && ch > '\u007f') {
    // Unicode lays out each script's decimal digits as a run 0–9 (Arabic-Indic ٣, Devanagari ३…).
    const cp = ch.codePointAt(0)!;
    let start = cp;
    while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    return String((cp - start) % 10);
  }
  return ch.toLowerCase();
}

const memo = new Map<string, string>();
/** One character with the marks that follow it, normalised together so NFKC can compose them. */
function foldCluster(cluster: string): string {
  const hit = memo.get(cluster);
  if (hit !== undefined) return hit;
  let out = '';
  for (const ch of cluster.normalize('NFKC')) out += foldChar(ch);
  if (memo.size > 20_000) memo.clear();
  memo.set(cluster, out);
  return out;
}

// ASCII, CJK ideographs (and extension A) and Hangul syllables have no NFKC mapping of their own:
// they skip String.normalize, which costs ~12 µs a call (a text of 2,000 distinct ideographs: ~25 ms).
const nfkcStable = (c: number) =>
  c < 0x80 || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xac00 && c <= 0xd7a3);
/** What a lone BMP character (no marks after it) becomes, filled in as characters are met. */
const SINGLE: (string | undefined)[] = new Array<string | undefined>(0x10000).fill(undefined);

export function normaliseMapped(raw: string): Mapped {
  const n = raw.length;
  const from = new Int32Array(n + 16);
  const to = new Int32Array(n + 16);
  let size = 0;
  const parts: string[] = [];
  // Characters that stay as they are (most of any text) are copied as runs, not one by one.
  let run = 0;
  let i = 0;
  while (i < n) {
    const c = raw.charCodeAt(i);
    let j =
      i +
      (c >= 0xd800 && c < 0xdc00 && i + 1 < n && raw.charCodeAt(i + 1) >= 0xdc00 && raw.charCodeAt(i + 1) < 0xe000
        ? 2
        : 1);
    // The marks (and joiners, variation selectors) that belong to this character.
    while (j < n) {
      const d = raw.charCodeAt(j);
      if (d < 0x300) break;
      if (!isSurrogate(d)) {
        if (!(bmpFlags(d) & F_MARK)) break;
        j++;
        continue;
      }
      const cp = raw.codePointAt(j)!;
      if (!(flagsOf(String.fromCodePoint(cp)) & F_MARK)) break;
      j += cp > 0xffff ? 2 : 1;
    }
    let out: string;
    if (j === i + 1 && !isSurrogate(c)) {
      out = SINGLE[c] ??= nfkcStable(c) ? foldChar(raw[i]!) : foldCluster(raw[i]!);
      if (out.length === 1 && out.charCodeAt(0) === c) {
        if (size === from.length) return grow(raw);
        from[size] = i;
        to[size++] = j;
        i = j;
        continue;
      }
    } else out = foldCluster(raw.slice(i, j));
    if (size + out.length > from.length) return grow(raw);
    if (run < i) parts.push(raw.slice(run, i));
    parts.push(out);
    for (let k = 0; k < out.length; k++) {
      from[size] = i;
      to[size++] = j;
    }
    i = run = j;
  }
  if (run < n) parts.push(raw.slice(run, n));
  return { text: parts.join(''), from: from.subarray(0, size), to: to.subarray(0, size) };
}

/** The rare text that NFKC lengthens by more than the spare room (ligatures, ㍻, ﷺ): done again with room for it. */
function grow(raw: string): Mapped {
  const text: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const width = (at: number) => (raw.codePointAt(at)! > 0xffff ? 2 : 1);
  const isMark = (at: number) =>
    raw.charCodeAt(at) >= 0x300 && flagsOf(String.fromCodePoint(raw.codePointAt(at)!)) & F_MARK;
  for (let i = 0; i < raw.length; ) {
    let j = i + width(i);
    while (j < raw.length && isMark(j)) j += width(j);
    const out = foldCluster(raw.slice(i, j));
    for (let k = 0; k < out.length; k++) {
      from.push(i);
      to.push(j);
    }
    text.push(out);
    i = j;
  }
  return { text: text.join(''), from: Int32Array.from(from), to: Int32Array.from(to) };
}

/** The text as the masking and the check at publication compare it. */
export const normalise = (raw: string): string => normaliseMapped(raw).text;

export interface Compact {
  /** Letters and digits only: "王 五", "王\u200B五" and "王·五" all read 王五; "139-8765-4321" reads 13987654321. */
  text: string;
  /** For each UTF-16 unit of `text`, its index in the normalised text. */
  at: number[];
}

export function compactOf(normalised: string): Compact {
  const at: number[] = [];
  let text = '';
  let run = -1;
  for (let i = 0; i < normalised.length; ) {
    const c = normalised.charCodeAt(i);
    const cp = isSurrogate(c) ? normalised.codePointAt(i)! : c;
    const w = cp > 0xffff ? 2 : 1;
    const keep = cp < 0x10000 ? bmpFlags(cp) & F_LN : flagsOf(String.fromCodePoint(cp)) & F_LN;
    if (keep) {
      for (let k = 0; k < w; k++) at.push(i + k);
      if (run < 0) run = i;
    } else if (run >= 0) {
      text += normalised.slice(run, i);
      run = -1;
    }
    i += w;
  }
  if (run >= 0) text += normalised.slice(run);
  return { text, at };
}

/** What a name, phone or e-mail is looked for as. */
export const compactKey = (raw: string): string => compactOf(normalise(raw)).text;
