// The report form's photo picker checks each file before anything is uploaded, so a resident learns at once which
// one will be refused and why. The server checks everything again (api/domain/shared/photos/pipeline.ts): this only
// spares a wasted upload.

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/** The first bytes decide, as on the server (sniffImageType): a name or a declared type can say anything. */
export async function looksLikeImage(file: Blob): Promise<boolean> {
  const b = new Uint8Array(await file.slice(0, 12).arrayBuffer());
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  const jpeg = b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v);
  const webp = b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP';
  return jpeg || png || webp;
}

const mbText = (bytes: number) => `${+(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Why a chosen file cannot be sent as it is, or null. `n` counts from 1 in the order the files were chosen. */
export async function photoProblem(file: File, n: number): Promise<string | null> {
  const who = `第 ${n} 张照片 ${file.name}`;
  if (file.size === 0) return `${who} 是空文件，请重新选择`;
  if ((file.type && !IMAGE_TYPES.includes(file.type)) || !(await looksLikeImage(file)))
    return `${who} 不是图片（只能上传 JPEG、PNG 或 WebP 照片）`;
  return null;
}

/** After the photo is shrunk for the upload: still over the server's limit (MAX_PHOTO_BYTES). */
export const tooLarge = (file: File, n: number, bytes: number, maxBytes: number) =>
  bytes > maxBytes ? `第 ${n} 张照片 ${file.name} 超过 ${mbText(maxBytes)}，请换一张或先缩小` : null;
