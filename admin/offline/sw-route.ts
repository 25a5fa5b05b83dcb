import { stripTypeScriptTypes } from 'node:module';
import type { APIRoute } from 'astro';
import source from './service-worker.ts?raw';

// Served from its TypeScript source with Node's own type stripping, once per process (when this route first loads),
// rather than compiled by a build step: it is one file with type-only imports, checked by tsc and Biome like the rest,
// and what the phone runs is that file line for line, with no bundler of its own to configure for a worker that must
// keep a fixed URL (/admin/sw.js, whose directory is its scope). Node 24 prints one ExperimentalWarning for it.
const script = stripTypeScriptTypes(source, { mode: 'strip' });

/** GET /admin/sw.js: revalidated on every check (no-cache), so that a new version reaches the phones at once. */
export const GET: APIRoute = () =>
  new Response(script, {
    headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' },
  });
