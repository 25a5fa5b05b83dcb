import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
};

/** Astro's middleware mode serves no files: the built client assets, listed once at start-up. */
export function staticFiles(root: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const files = new Map<string, { path: string; size: number; type: string }>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (TYPES[extname(name)])
        files.set(`/${relative(root, path).split(sep).join('/')}`, {
          path,
          size: st.size,
          type: TYPES[extname(name)]!,
        });
    }
  };
  if (existsSync(root)) walk(root);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let url: string;
    try {
      url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    } catch {
      return false; // a malformed escape: not one of our files
    }
    const file = files.get(url);
    if (!file) return false;
    if (!existsSync(file.path)) {
      // Gone since start-up (a rebuild under a running server): answer as for any unknown path.
      files.delete(url);
      return false;
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.size,
      // Hashed build assets never change under the same name.
      'Cache-Control': req.url!.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') res.end();
    // A read error after the headers went out can only cut the answer short, never the process.
    else
      createReadStream(file.path)
        .on('error', () => res.destroy())
        .pipe(res);
    return true;
  };
}
