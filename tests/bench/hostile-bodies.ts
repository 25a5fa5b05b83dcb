// The hostile requests of issue 11, built by the bench itself (nothing downloaded, nothing stored).
import { crc32, deflateRawSync } from 'node:zlib';
import sharp from 'sharp';
import { validFields } from '../helpers/report.ts';

export interface Body {
  body: Buffer;
  headers: Record<string, string>;
}

/** A report form followed by a million empty parts: once ~12 s of parsing on the event loop. */
export function millionEmptyParts(parts = 1_000_000): Body {
  const boundary = 'x7'; // short, so a million parts fit under the body limit
  const fields = Object.entries(validFields()).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
  const empty = `--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(fields), Buffer.from(empty.repeat(parts)), Buffer.from(`--${boundary}--\r\n`)]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A minimal zip writer: each entry deflated; `declaredSize` makes an entry lie about its inflated size. */
export function zip(entries: { name: string; data: Buffer; declaredSize?: number }[]): Buffer {
  const locals: Buffer[] = [], centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const packed = deflateRawSync(e.data, { level: 9 });
    const name = Buffer.from(e.name);
    const crc = crc32(e.data) >>> 0, size = e.declaredSize ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The smallest .xlsx Excel itself opens: one sheet, optionally shared strings. */
export function xlsx(sheetXml: Buffer, sharedStrings?: Buffer, declaredSheetSize?: number): Buffer {
  const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>${sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}</Types>`;
  const rootRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
  const workbook = `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS} xmlns:r="${REL}"><sheets><sheet name="动态管理清单" sheetId="1" r:id="rId1"/></sheets></workbook>`;
  const workbookRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>${sharedStrings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : ''}</Relationships>`;
  return zip([
    { name: '[Content_Types].xml', data: Buffer.from(contentTypes) },
    { name: '_rels/.rels', data: Buffer.from(rootRels) },
    { name: 'xl/workbook.xml', data: Buffer.from(workbook) },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from(workbookRels) },
    { name: 'xl/worksheets/sheet1.xml', data: sheetXml, declaredSize: declaredSheetSize },
    ...(sharedStrings ? [{ name: 'xl/sharedStrings.xml', data: sharedStrings }] : []),
  ]);
}

const sheet = (rows: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`);

/** A sheet of ~190 MB of empty rows that deflates ~1000× (every row read, none counted). */
export function deflateBombXlsx(megabytes = 190): Buffer {
  const row = '<row><c r="A1"/></row>';
  return xlsx(sheet(row.repeat(Math.floor((megabytes * 1024 * 1024) / row.length))));
}

/** Millions of tiny shared strings, each one an array entry in a naive reader; the sheet is one line. */
export function sharedStringsBombXlsx(count = 5_000_000): Buffer {
  const strings = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><sst ${NS} count="${count}" uniqueCount="${count}">${'<si><t>x</t></si>'.repeat(count)}</sst>`);
  return xlsx(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), strings);
}

/** A complaint as JSON padded with a long array of numbers up to `bytes`: the costliest JSON to parse. */
export function jsonAtLimit(bytes: number): Body {
  const head = JSON.stringify({ ...validFields(), anonymous: true, lat: Number(validFields().lat), lng: Number(validFields().lng) }).slice(0, -1) + ',"pad":[';
  const count = Math.floor((bytes - head.length - 2) / 2);
  const body = Buffer.from(`${head}${'0,'.repeat(count - 1)}0]}`);
  return { body, headers: { 'content-type': 'application/json' } };
}

/** A 7000×7000 (49 MP) JPEG with camera-like grain, under the 10 MB photo limit. */
export async function photo49mp(): Promise<Buffer> {
  // A tile of grain repeated: as costly to encode and decode as grain everywhere, 40× quicker to make.
  const tile = await sharp({ create: { width: 700, height: 700, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 12 } } }).png().toBuffer();
  return sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#8a8178' } }).composite([{ input: tile, tile: true }]).jpeg({ quality: 75 }).toBuffer();
}
