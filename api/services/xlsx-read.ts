import { inflateRawSync } from 'node:zlib';

/**
 * Reads the cell values of the first worksheet of an .xlsx, and nothing else (no styles, no
 * formulas). exceljs builds a full object model and took more than the whole rest of an import;
 * a list of 20,000 lines needs only the strings and numbers.
 */
export type CellValue = string | number | boolean | Date | null;
export interface SheetLine {
  /** The spreadsheet's own row number, 1-based, as the person sees it. */
  row: number;
  cells: CellValue[];
}

export class XlsxError extends Error {}
const NOT_XLSX = '文件不是有效的 .xlsx';
const MAX_ENTRY_BYTES = 200 * 1024 * 1024; // a zip bomb stops here, not in memory

function unzip(buf: Buffer): Map<string, () => Buffer> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XlsxError(NOT_XLSX);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, () => Buffer>();
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new XlsxError(NOT_XLSX);
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20), fullSize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28), local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    entries.set(name, () => {
      if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50 || fullSize > MAX_ENTRY_BYTES) throw new XlsxError(NOT_XLSX);
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      if (method === 0) return data;
      if (method !== 8) throw new XlsxError(NOT_XLSX);
      try {
        return inflateRawSync(data, { maxOutputLength: MAX_ENTRY_BYTES });
      } catch {
        throw new XlsxError(NOT_XLSX);
      }
    });
  }
  return entries;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decode(s: string): string {
  if (s.includes('&')) {
    s = s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? m),
    );
  }
  // OOXML writes control characters as _xHHHH_.
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}

/** The text of an <si> or <is>: every <t>, leaving out phonetic guides. */
function runText(xml: string): string {
  let out = '';
  for (const m of xml.replace(/<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g, '').matchAll(/<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)<\/(?:\w+:)?t>/g)) out += m[1];
  return decode(out);
}

const ATTR_RE = new Map<string, RegExp>();
/** An attribute's value; the usual ` name="…"` found with indexOf, any other spacing or quoting by a RegExp. */
function attr(attrs: string, name: string): string | undefined {
  const at = attrs.indexOf(` ${name}="`);
  if (at >= 0) {
    const from = at + name.length + 3;
    return attrs.slice(from, attrs.indexOf('"', from));
  }
  if (!attrs.includes(`${name}=`)) return undefined;
  let re = ATTR_RE.get(name);
  if (!re) ATTR_RE.set(name, (re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(["'])(.*?)\\1`)));
  return re.exec(attrs)?.[2];
}

function firstSheetPath(files: Map<string, () => Buffer>): string {
  const workbook = files.get('xl/workbook.xml')?.().toString('utf8');
  const rels = files.get('xl/_rels/workbook.xml.rels')?.().toString('utf8');
  if (!workbook || !rels) throw new XlsxError(NOT_XLSX);
  const sheets = [...workbook.matchAll(/<(?:\w+:)?sheet\b([^>]*)\/?>/g)].map((m) => m[1]!);
  const sheet = sheets.find((a) => !/state="(hidden|veryHidden)"/.test(a)) ?? sheets[0];
  const relId = sheet && /\br:id="([^"]*)"|\bid="([^"]*)"/.exec(sheet);
  const id = relId?.[1] ?? relId?.[2];
  const rel = [...rels.matchAll(/<(?:\w+:)?Relationship\b([^>]*)\/?>/g)].find((m) => attr(m[1]!, 'Id') === id);
  const target = rel && attr(rel[1]!, 'Target');
  if (!target) throw new XlsxError(NOT_XLSX);
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

const MAX_COLUMNS = 16_384; // XFD, Excel's last column
const MAX_ROW = 1_048_576;

function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
    // "ZZZZZZ1" would make a sparse array of 300 million cells and stall the server.
    if (n > MAX_COLUMNS) throw new XlsxError(NOT_XLSX);
  }
  return n - 1;
}

function cellValue(type: string | undefined, body: string, tags: Tags, shared: string[]): CellValue {
  if (type === 'inlineStr') return runText(body);
  const open = body.indexOf(tags.v);
  if (open < 0) return null;
  const v = body.slice(open + tags.v.length, body.indexOf('<', open + tags.v.length));
  switch (type) {
    case 's': return shared[Number(v)] ?? null;
    case 'str': return decode(v);
    case 'b': return v === '1';
    case 'd': {
      const d = new Date(v);
      return Number.isNaN(d.getTime()) ? decode(v) : d; // not a date after all: the text, for the row's error
    }
    case 'e': return null;
    default: return v === '' ? null : Number(v);
  }
}

type Tags = ReturnType<typeof tagsOf>;
/** The sheet's element names, with the namespace prefix some writers use (x:row, x:c). */
function tagsOf(xml: string) {
  const prefix = /<(\w+:)?sheetData\b/.exec(xml)?.[1] ?? '';
  return { row: `<${prefix}row`, rowEnd: `</${prefix}row>`, c: `<${prefix}c`, cEnd: `</${prefix}c>`, v: `<${prefix}v>` };
}

// After "<c" or "<row": a space, ">" or "/" ends the name (not <col>, <rowBreaks>).
const endsName = (xml: string, at: number) => {
  const ch = xml.charCodeAt(at);
  return ch === 32 || ch === 62 || ch === 47 || ch === 9 || ch === 10 || ch === 13;
};

/**
 * The lines of the first visible sheet; more than `maxRows` non-empty lines throws TooManyRows.
 * A scan with indexOf rather than regular expressions: 3× faster on a 10,000-line list.
 */
export function readFirstSheet(bytes: Buffer, maxRows: number): SheetLine[] {
  try {
    return readLines(bytes, maxRows);
  } catch (e) {
    // A damaged file fails anywhere (an offset past the end, a bad character code): it is the file's fault.
    if (e instanceof XlsxError) throw e;
    if (e instanceof RangeError || e instanceof TypeError) throw new XlsxError(NOT_XLSX);
    throw e;
  }
}

function readLines(bytes: Buffer, maxRows: number): SheetLine[] {
  const files = unzip(bytes);
  const xml = files.get(firstSheetPath(files))?.().toString('utf8');
  if (xml == null) throw new XlsxError(NOT_XLSX);
  const sst = files.get('xl/sharedStrings.xml')?.().toString('utf8') ?? '';
  const shared = [...sst.matchAll(/<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g)].map((m) => (m[1] ? runText(m[1]) : ''));
  const tags = tagsOf(xml);
  const lines: SheetLine[] = [];
  let rowNo = 0;
  for (let p = xml.indexOf(tags.row); p >= 0; p = xml.indexOf(tags.row, p + 1)) {
    if (!endsName(xml, p + tags.row.length)) continue;
    const gt = xml.indexOf('>', p);
    rowNo = Number(attr(xml.slice(p + tags.row.length, gt), 'r') ?? rowNo + 1);
    if (!(rowNo >= 1 && rowNo <= MAX_ROW)) throw new XlsxError(NOT_XLSX);
    if (xml.charCodeAt(gt - 1) === 47) continue; // <row/>
    const end = xml.indexOf(tags.rowEnd, gt);
    if (end < 0) throw new XlsxError(NOT_XLSX);
    const cells: CellValue[] = [];
    let col = -1;
    for (let q = xml.indexOf(tags.c, gt); q >= 0 && q < end; q = xml.indexOf(tags.c, q + 1)) {
      if (!endsName(xml, q + tags.c.length)) continue;
      const cgt = xml.indexOf('>', q);
      const attrs = xml.slice(q + tags.c.length, cgt);
      const ref = attr(attrs, 'r');
      col = ref ? columnIndex(ref) : col + 1;
      if (xml.charCodeAt(cgt - 1) === 47) continue; // <c/>: an empty, styled cell
      const cend = xml.indexOf(tags.cEnd, cgt);
      if (cend < 0) throw new XlsxError(NOT_XLSX);
      const value = cellValue(attr(attrs, 't'), xml.slice(cgt + 1, cend), tags, shared);
      if (value !== null && value !== '') cells[col] = value;
      q = cend;
    }
    p = end;
    if (cells.length === 0) continue;
    if (lines.length >= maxRows) throw new TooManyRows(`表格超过 ${maxRows} 行`);
    lines.push({ row: rowNo, cells });
  }
  return lines;
}

export class TooManyRows extends XlsxError {}
