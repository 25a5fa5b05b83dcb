// A photo's width and height as its header declares them, read from its first bytes while the
// rest is still arriving (photo-pipeline.ts, reportPixelCheck). Sharp reads the same fields once
// the file is whole and stays the judge of everything else.

export interface Dimensions {
  width: number;
  height: number;
}

/** A JPEG's segments before its frame header are skipped by their lengths; one this far in is left to sharp. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * Width and height from a JPEG, PNG or WebP file's first bytes: undefined while more bytes are
 * needed, null when these bytes do not say (not one of the three, or malformed: left to sharp).
 */
export function declaredDimensions(head: Buffer): Dimensions | null | undefined {
  if (head.length < 3) return undefined;
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return jpeg(head);
  if (head[0] === 0x89 && head[1] === 0x50) return png(head);
  if (head[0] === 0x52 && head[1] === 0x49) return webp(head);
  return null;
}

const sized = (width: number, height: number): Dimensions | null =>
  width > 0 && height > 0 ? { width, height } : null;

// Start of frame: C0–CF but DHT (C4), JPG (C8) and DAC (CC).
const isFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(head: Buffer): Dimensions | null | undefined {
  let at = 2;
  for (;;) {
    if (at > MAX_HEADER_BYTES) return null;
    if (at + 4 > head.length) return undefined;
    if (head[at] !== 0xff) return null;
    const marker = head[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image or scan before any frame
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2; // markers without a length
      continue;
    }
    const length = head.readUInt16BE(at + 2);
    if (length < 2) return null;
    if (isFrame(marker)) {
      if (at + 9 > head.length) return undefined;
      return sized(head.readUInt16BE(at + 7), head.readUInt16BE(at + 5));
    }
    at += 2 + length;
  }
}

function png(head: Buffer): Dimensions | null | undefined {
  if (head.length < 24) return undefined;
  if (head.toString('latin1', 1, 8) !== 'PNG\r\n\x1a\n' || head.toString('latin1', 12, 16) !== 'IHDR') return null;
  return sized(head.readUInt32BE(16), head.readUInt32BE(20));
}

function webp(head: Buffer): Dimensions | null | undefined {
  if (head.length < 30) return undefined;
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP') return null;
  switch (head.toString('latin1', 12, 16)) {
    case 'VP8 ': // lossy: a key frame's start code, then 14 bits each (the top two are scaling)
      if (head[23] !== 0x9d || head[24] !== 0x01 || head[25] !== 0x2a) return null;
      return sized(head.readUInt16LE(26) & 0x3fff, head.readUInt16LE(28) & 0x3fff);
    case 'VP8L': {
      // lossless: a signature byte, then width − 1 and height − 1 in 14 bits each
      if (head[20] !== 0x2f) return null;
      const bits = head.readUInt32LE(21);
      return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
    }
    case 'VP8X': // extended: the canvas, width − 1 and height − 1 in 24 bits each
      return sized(head.readUIntLE(24, 3) + 1, head.readUIntLE(27, 3) + 1);
    default:
      return null;
  }
}
