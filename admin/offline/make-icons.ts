// Draws the work app's icons once: `node admin/offline/make-icons.ts` writes the PNGs under
// site/public/admin/icons (committed; run again only when the drawing or the colours change).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { THEME_COLOR } from './app-identity.ts';

const OUT = fileURLToPath(new URL('../../site/public/admin/icons/', import.meta.url));

// The site's favicon (site/public/favicon.svg) at 16x, a workshop's roofline under a clean sky, with a check mark
// on it: the work of putting it right.
const drawing = (scale: number) => `
  <g transform="translate(256 256) scale(${scale}) translate(-256 -256)">
    <path d="M112 384V240l96-64v64l96-64v64l96-64v208z" fill="#fff"/>
    <path d="M204 314l36 36 68-68" fill="none" stroke="${THEME_COLOR}" stroke-width="28" stroke-linecap="round"
      stroke-linejoin="round"/>
    <circle cx="384" cy="112" r="48" fill="#c9e7dc"/>
  </g>`;

/** "any": a rounded tile; "full": the whole square filled, the drawing inside the maskable safe circle (r = 40%). */
const svg = (shape: 'any' | 'full', scale: number) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
  <rect width="512" height="512"${shape === 'any' ? ' rx="96"' : ''} fill="${THEME_COLOR}"/>
  ${drawing(scale)}
</svg>`);

const icons = [
  { file: 'icon-192.png', size: 192, shape: 'any', scale: 1 },
  { file: 'icon-512.png', size: 512, shape: 'any', scale: 1 },
  { file: 'maskable-512.png', size: 512, shape: 'full', scale: 0.7 },
  // iOS rounds the corners itself and shows transparency as black: a full square.
  { file: 'apple-touch-icon.png', size: 180, shape: 'full', scale: 0.85 },
] as const;

for (const i of icons) {
  const png = await sharp(svg(i.shape, i.scale))
    .resize(i.size, i.size)
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
  writeFileSync(`${OUT}${i.file}`, png);
  console.log(`${i.file}: ${i.size}x${i.size}, ${png.length} bytes`);
}
