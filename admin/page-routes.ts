import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';

const PAGES = fileURLToPath(new URL('./pages', import.meta.url));

/** Every back-office page: its URL pattern follows its path under admin/pages, as the public site's do. */
export function adminPages(): { pattern: string; file: string }[] {
  const files = readdirSync(PAGES, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.astro'));
  return files
    .map((f) => {
      const parts = f.slice(0, -'.astro'.length).split(sep);
      if (parts.at(-1) === 'index') parts.pop();
      return { pattern: ['/admin', ...parts].join('/'), file: join(PAGES, f) };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** The pattern as a URL a test can open, each [id] as the demo's first row. */
export const samplePath = (pattern: string) => pattern.replaceAll(/\[[a-z]+\]/g, '1');
