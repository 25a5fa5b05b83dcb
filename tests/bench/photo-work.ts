import sharp from 'sharp';
import { DISPLAY_MAX, THUMB_MAX } from '../../api/domain/shared/photos/pipeline.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { reportForm } from '../helpers/report.ts';

/** A 4000×3000 JPEG with camera-like grain, so it weighs what a phone photo weighs. */
export async function bigPhoto(): Promise<Buffer> {
  const drawing = await demoPhoto({ hue: 30, width: 4000, height: 3000, lat: 30.95, lng: 119.86 });
  const grain = await sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 18 },
    },
  })
    .png()
    .toBuffer();
  return sharp(drawing)
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 88 })
    .withExif({ IFD0: { Make: 'Bench' } })
    .toBuffer();
}

/** The same image work the portal does, by sharp alone: decode, orient, resize, encode twice. */
export async function bareSharp(photo: Buffer, runs: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) {
    await sharp(photo).metadata();
    const display = await sharp(photo)
      .rotate()
      .resize(DISPLAY_MAX, DISPLAY_MAX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    await sharp(display).resize(THUMB_MAX, THUMB_MAX, { fit: 'inside' }).webp({ quality: 70 }).toBuffer();
  }
  return (performance.now() - t0) / runs;
}

export async function multipart(form: FormData): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const req = new Request('http://x/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

export async function postPhotoReport(base: string, photo: Buffer): Promise<void> {
  const res = await fetch(`${base}/api/complaints`, { method: 'POST', body: reportForm({}, [photo]) });
  if (res.status !== 201) throw new Error(`photo report answered ${res.status}: ${await res.text()}`);
}
