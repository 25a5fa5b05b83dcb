import sharp from 'sharp';

/** A drawn stand-in for a resident's photo: a workshop, its chimney and smoke, with GPS in EXIF. */
export async function demoPhoto(opts: {
  hue: number;
  lat?: number;
  lng?: number;
  width?: number;
  height?: number;
}): Promise<Buffer> {
  const { hue, width = 1200, height = 900 } = opts;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 120 90">
    <rect width="120" height="90" fill="hsl(${hue},35%,78%)"/>
    <rect y="62" width="120" height="28" fill="hsl(${hue + 60},25%,45%)"/>
    <rect x="20" y="38" width="56" height="28" fill="#8a8178"/><polygon points="18,38 48,24 78,38" fill="#5d5650"/>
    <rect x="84" y="18" width="7" height="46" fill="#6b625a"/>
    <circle cx="88" cy="13" r="6" fill="#4a4a4a" opacity=".8"/><circle cx="96" cy="7" r="8" fill="#555" opacity=".6"/>
    <circle cx="106" cy="4" r="9" fill="#666" opacity=".45"/><rect x="32" y="50" width="10" height="16" fill="#3f3a35"/>
  </svg>`;
  const dms = (v: number) => {
    const d = Math.floor(v),
      m = Math.floor((v - d) * 60),
      s = Math.round(((v - d) * 60 - m) * 60 * 100);
    return `${d}/1 ${m}/1 ${s}/100`;
  };
  let img = sharp(Buffer.from(svg)).jpeg({ quality: 85 });
  if (opts.lat !== undefined && opts.lng !== undefined) {
    img = img.withExif({
      IFD0: { Make: 'DemoPhone', Model: 'Seed' },
      IFD2: { DateTimeOriginal: '2026:11:18 16:20:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(opts.lat), GPSLongitudeRef: 'E', GPSLongitude: dms(opts.lng) },
    });
  }
  return img.toBuffer();
}
