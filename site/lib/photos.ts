import exifr from 'exifr/dist/lite.esm.mjs';
import type { DraftPhoto } from './draft-store.ts';

const MAX_SIDE = 2048;
const KEEP_BELOW_BYTES = 1.5 * 1024 * 1024;

/**
 * Reads the photo's GPS position and time, then shrinks it for a slow mobile connection.
 * Shrinking drops the EXIF, so the position travels beside the photo as a claim for staff.
 */
export async function preparePhoto(file: File): Promise<DraftPhoto> {
  const gps = await exifr.gps(file).catch(() => undefined);
  const meta = await exifr.parse(file, ['DateTimeOriginal']).catch(() => undefined);
  const taken: unknown = meta?.DateTimeOriginal;
  const exif =
    gps || taken instanceof Date
      ? {
          lat: gps?.latitude ?? null,
          lng: gps?.longitude ?? null,
          takenAt: taken instanceof Date && !Number.isNaN(taken.getTime()) ? taken.toISOString() : null,
        }
      : null;
  return { blob: await shrink(file), name: file.name, exif };
}

async function shrink(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file); // applies the EXIF orientation
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size <= KEEP_BELOW_BYTES) {
      bitmap.close();
      return file;
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.85));
    return blob && blob.size < file.size ? blob : file;
  } catch {
    return file; // the browser cannot decode it: let the server judge it
  }
}
