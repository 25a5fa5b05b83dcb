import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A real PNG whose header claims width×height: decoding it would need gigabytes (a pixel flood). */
export async function pixelFloodPng(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#777' } })
    .png()
    .toBuffer();
  const out = Buffer.from(png);
  // IHDR data starts at byte 16: width, height, then the chunk CRC over type+data at byte 29.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)) >>> 0, 29);
  return out;
}

export async function truncatedJpeg(): Promise<Buffer> {
  const jpeg = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#a55' } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">' +
            '<circle cx="400" cy="300" r="250" fill="#225"/></svg>',
        ),
      },
    ])
    .jpeg()
    .toBuffer();
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

export const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
    '<script>alert(1)</script><rect width="10" height="10"/></svg>',
);

/**
 * A small JPEG as a phone's camera writes it: with its capture time (in Beijing time, with its offset tag) and GPS
 * in EXIF when given, else with no EXIF at all. `hue` makes each photo's bytes differ.
 */
export async function cameraJpeg(opts: { hue?: number; takenAt?: Date; lat?: number; lng?: number } = {}) {
  const { hue = 30, takenAt, lat, lng } = opts;
  let img = sharp({ create: { width: 64, height: 48, channels: 3, background: `hsl(${hue}, 40%, 60%)` } }).jpeg();
  if (takenAt || lat !== undefined) {
    const dms = (v: number) => {
      const d = Math.floor(v),
        m = Math.floor((v - d) * 60),
        s = Math.round(((v - d) * 60 - m) * 60 * 1000);
      return `${d}/1 ${m}/1 ${s}/1000`;
    };
    // EXIF keeps the wall clock; the portal reads it with OffsetTimeOriginal.
    const local = takenAt && new Date(takenAt.getTime() + 8 * 3_600_000).toISOString();
    img = img.withExif({
      IFD0: { Make: 'TestPhone' },
      ...(local && {
        IFD2: {
          DateTimeOriginal: `${local.slice(0, 10).replaceAll('-', ':')} ${local.slice(11, 19)}`,
          OffsetTimeOriginal: '+08:00',
        },
      }),
      ...(lat !== undefined &&
        lng !== undefined && {
          IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(lat), GPSLongitudeRef: 'E', GPSLongitude: dms(lng) },
        }),
    });
  }
  return img.toBuffer();
}
