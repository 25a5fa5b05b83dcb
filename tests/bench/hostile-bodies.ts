// The hostile requests of issue 11, built by the bench itself (nothing downloaded, nothing stored).
import sharp from 'sharp';
import { validFields } from '../helpers/report.ts';
import { deflateBomb, SHEET_HEAD, SHEET_TAIL, SST_HEAD, workbook } from '../security/xlsx-bombs.ts';

export interface Body {
  body: Buffer;
  headers: Record<string, string>;
}

/** A report form followed by a million empty parts: once ~12 s of parsing on the event loop. */
export function millionEmptyParts(parts = 1_000_000): Body {
  const boundary = 'x7'; // short, so a million parts fit under the body limit
  const fields = Object.entries(validFields())
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join('');
  const empty = `--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\n\r\n`;
  const body = Buffer.concat([
    Buffer.from(fields),
    Buffer.from(empty.repeat(parts)),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A sheet of ~190 MB of empty rows that deflates ~1000× (every row read, none counted). */
export const deflateBombXlsx = (megabytes = 190): Buffer =>
  workbook({
    sheet: {
      name: '',
      deflated: deflateBomb(SHEET_HEAD, '<row><c r="A1"/></row>', megabytes * 1024 * 1024, SHEET_TAIL),
    },
  });

/** Millions of tiny shared strings, each one an array entry in a naive reader; the sheet is one line. */
export const sharedStringsBombXlsx = (count = 5_000_000): Buffer =>
  workbook({
    sheet: Buffer.from(`${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row>${SHEET_TAIL}`),
    strings: Buffer.from(`${SST_HEAD}${'<si><t>x</t></si>'.repeat(count)}</sst>`),
  });

/** A complaint as JSON padded with a long array of numbers up to `bytes`: the costliest JSON to parse. */
export function jsonAtLimit(bytes: number): Body {
  const fields = { ...validFields(), anonymous: true, lat: Number(validFields().lat), lng: Number(validFields().lng) };
  const head = `${JSON.stringify(fields).slice(0, -1)},"pad":[`;
  const count = Math.floor((bytes - head.length - 2) / 2);
  const body = Buffer.from(`${head}${'0,'.repeat(count - 1)}0]}`);
  return { body, headers: { 'content-type': 'application/json' } };
}

/** A 7000×7000 (49 MP) JPEG with camera-like grain, under the 10 MB photo limit. */
export async function photo49mp(): Promise<Buffer> {
  // A tile of grain repeated: as costly to encode and decode as grain everywhere, 40× quicker to make.
  const tile = await sharp({
    create: {
      width: 700,
      height: 700,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 12 },
    },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#8a8178' } })
    .composite([{ input: tile, tile: true }])
    .jpeg({ quality: 75 })
    .toBuffer();
}
