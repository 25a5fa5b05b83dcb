// Hostile .xlsx files, built byte by byte: a zip writer that can lie, deflate bombs of any
// ratio made without inflating them here, and the OOXML parts an import reads. Used by
// tests/security/xlsx-import.test.ts and by the bench (tests/bench/xlsx.ts).
import { constants, crc32, deflateRawSync } from 'node:zlib';

export interface ZipPart {
  name: string;
  /** The part's bytes, deflated here (or stored, with method 0). */
  data?: Buffer;
  /** Already raw-deflated bytes (a bomb), written as they are. */
  deflated?: Buffer;
  method?: 0 | 8;
  /** What the central directory claims the part inflates to (default: the truth, when known). */
  declaredSize?: number;
  /** What it claims the compressed bytes are (default: the truth). */
  declaredCompressed?: number;
  flags?: number;
}

/** A zip of `parts`, each header saying what the part asks it to, true or not. */
export function zip(parts: ZipPart[], opts: { eocdCount?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const method = p.method ?? 8;
    const body = p.deflated ?? (method === 8 ? deflateRawSync(p.data ?? Buffer.alloc(0)) : (p.data ?? Buffer.alloc(0)));
    const size = p.declaredSize ?? p.data?.length ?? 0;
    const compressed = p.declaredCompressed ?? body.length;
    const crc = p.data ? crc32(p.data) : 0;
    const name = Buffer.from(p.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(p.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed >>> 0, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(p.flags ?? 0, 8);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(compressed >>> 0, 20);
    dir.writeUInt32LE(size >>> 0, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    offset += 30 + name.length + body.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.eocdCount ?? parts.length, 8);
  end.writeUInt16LE(opts.eocdCount ?? parts.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBytes, end]);
}

/**
 * Raw deflate of `head`, then `unit` repeated until `bytes` of output, then `tail`, made from one
 * compressed megabyte repeated: each piece ends on a full flush (byte-aligned, no reference back
 * into the piece before), so copies of it chain into one valid stream. Nothing big is built here.
 */
export function deflateBomb(head: string, unit: string, bytes: number, tail: string, level = 9): Buffer {
  const flush = (s: string | Buffer) => deflateRawSync(s, { finishFlush: constants.Z_FULL_FLUSH, level });
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor((1 << 20) / unit.length))));
  const copies = Math.max(1, Math.ceil(bytes / block.length));
  const one = flush(block);
  // 03 00: an empty final block
  const pieces = [flush(head), ...Array.from({ length: copies }, () => one), flush(tail), Buffer.from([0x03, 0x00])];
  return Buffer.concat(pieces);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
export const WORKBOOK =
  `${DECLARATION}<workbook xmlns="${MAIN}" xmlns:r="${RELS}">` +
  '<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>';
export const WORKBOOK_RELS =
  `${DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
  `<Relationship Id="rId1" Type="${RELS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/></Types>';
export const SHEET_HEAD = `${DECLARATION}<worksheet xmlns="${MAIN}"><sheetData>`;
export const SHEET_TAIL = '</sheetData></worksheet>';
export const SST_HEAD = `${DECLARATION}<sst xmlns="${MAIN}">`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const column = (i: number): string =>
  (i >= 26 ? column(Math.floor(i / 26) - 1) : '') + String.fromCharCode(65 + (i % 26));
const cellXml = (ref: string, v: string) => `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;

/** A sheet's XML: each line's cells as inline strings. */
export const sheetXml = (lines: string[][]) =>
  SHEET_HEAD +
  lines
    .map((cells, r) => `<row r="${r + 1}">${cells.map((v, c) => cellXml(`${column(c)}${r + 1}`, v)).join('')}</row>`)
    .join('') +
  SHEET_TAIL;

/**
 * A workbook with the given parts replaced (a Buffer is deflated, a ZipPart written as it says); null leaves a part
 * out.
 */
export function workbook(
  over: {
    sheet?: Buffer | ZipPart | null;
    strings?: Buffer | ZipPart | null;
    workbook?: Buffer | null;
    rels?: Buffer | null;
    extra?: ZipPart[];
  } = {},
): Buffer {
  const part = (name: string, v: Buffer | ZipPart | null | undefined, fallback: Buffer | null): ZipPart[] => {
    if (v === null) return [];
    if (v === undefined) return fallback ? [{ name, data: fallback }] : [];
    return Buffer.isBuffer(v) ? [{ name, data: v }] : [{ ...v, name }];
  };
  return zip([
    { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
    ...part('xl/workbook.xml', over.workbook, Buffer.from(WORKBOOK)),
    ...part('xl/_rels/workbook.xml.rels', over.rels, Buffer.from(WORKBOOK_RELS)),
    ...part('xl/sharedStrings.xml', over.strings, null),
    ...part('xl/worksheets/sheet1.xml', over.sheet, Buffer.from(sheetXml([['企业名称'], ['某某塑料作坊']]))),
    ...(over.extra ?? []),
  ]);
}

/** A dynamic list of `n` lines, written by hand (no exceljs): for timing and size tests. */
export function plainList(n: number): Buffer {
  const lines = [['企业名称', '企业法人或负责人', '详细地址']];
  for (let i = 0; i < n; i++) lines.push([`某${i}塑料作坊`, `某${i}`, `青溪镇竹林村${i}号`]);
  return workbook({ sheet: Buffer.from(sheetXml(lines)) });
}
