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

/** The pattern as a URL a test can open, each [id] as the demo's first row (a [level] of 考核 as the townships). */
export const samplePath = (pattern: string) => pattern.replace('[level]', 'township').replaceAll(/\[[a-z]+\]/g, '1');

/** The work app's files that are not pages (admin/offline): routed like pages, never rendered as one. */
export function adminEndpoints(): { pattern: string; file: string }[] {
  const file = (name: string) => fileURLToPath(new URL(`./offline/${name}`, import.meta.url));
  return [
    { pattern: '/admin/manifest.webmanifest', file: file('manifest-route.ts') },
    { pattern: '/admin/sw.js', file: file('sw-route.ts') },
  ];
}
