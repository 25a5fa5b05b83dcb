import sharp from 'sharp';
import { z } from 'zod';
import type { BlurRegion } from '../../../../db/schema-public.ts';
import { THUMB_MAX } from './pipeline.ts';
import type { PhotoStore } from './store.ts';

// A public copy of a staff photo (a typical case's, the closing evidence on /track): the chosen regions blurred
// into the pixels, re-encoded without any metadata, stored under new names. The original is never changed.

const fraction = z
  .number({ error: '模糊区域须为 0–1 的比例' })
  .min(0, { error: '模糊区域须为 0–1 的比例' })
  .max(1, { error: '模糊区域须为 0–1 的比例' });
export const blurRegions = z
  .array(
    z
      .object({
        x: fraction,
        y: fraction,
        w: fraction.positive({ error: '模糊区域不能为空' }),
        h: fraction.positive({ error: '模糊区域不能为空' }),
      })
      .refine((r) => r.x + r.w <= 1.0001 && r.y + r.h <= 1.0001, { error: '模糊区域超出了照片' }),
  )
  .max(20, { error: '每张照片最多 20 个模糊区域' })
  .default([]);

const MIN_SIGMA = 25;

/**
 * Burns the blur into the pixels: each region is cut out, blurred and pasted back, and the whole
 * re-encoded as WebP. sharp writes no metadata unless asked, so no EXIF survives.
 */
export async function burnBlur(
  src: Buffer,
  regions: BlurRegion[],
): Promise<{ display: Buffer; thumb: Buffer; width: number; height: number }> {
  const meta = await sharp(src).metadata();
  const W = meta.width!,
    H = meta.height!;
  const patches = await Promise.all(
    regions.map(async (r) => {
      const left = Math.min(W - 1, Math.floor(r.x * W)),
        top = Math.min(H - 1, Math.floor(r.y * H));
      const width = Math.max(1, Math.min(W - left, Math.ceil(r.w * W))),
        height = Math.max(1, Math.min(H - top, Math.ceil(r.h * H)));
      // A large region needs a wider blur than a face-sized one to hide what is in it.
      const sigma = Math.min(100, Math.max(MIN_SIGMA, Math.min(width, height) / 10));
      const { data, info } = await sharp(src)
        .extract({ left, top, width, height })
        .blur(sigma)
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { input: data, raw: { width: info.width, height: info.height, channels: info.channels }, left, top };
    }),
  );
  const display = await sharp(src).composite(patches).webp({ quality: 80 }).toBuffer({ resolveWithObject: true });
  const thumb = await sharp(display.data)
    .resize(THUMB_MAX, THUMB_MAX, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 70 })
    .toBuffer();
  return { display: display.data, thumb, width: display.info.width, height: display.info.height };
}

/** Renders the public copy and stores it under new names; the caller's transaction records it or the files go. */
export async function renderPublicCopy(store: PhotoStore, sourceFile: string, blur: BlurRegion[]) {
  const out = await burnBlur(await store.read(sourceFile), blur);
  const name = store.newName('webp'),
    thumbName = store.newName('webp');
  await store.writeAll([
    { name, data: out.display },
    { name: thumbName, data: out.thumb },
  ]);
  return { ...out, name, thumbName, id: name.replace(/\.webp$/, '') };
}
