// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import { adminEndpoints, adminPages } from './admin/page-routes.ts';

// The back-office lives in admin/, outside the public site's srcDir, and joins the same build;
// its routes follow the files under admin/pages (admin/page-routes.ts).
/** @type {import('astro').AstroIntegration} */
const backOffice = {
  name: 'back-office',
  hooks: {
    'astro:config:setup': ({ injectRoute }) => {
      for (const { pattern, file } of [...adminPages(), ...adminEndpoints()])
        injectRoute({ pattern, entrypoint: file, prerender: false });
    },
  },
};

export default defineConfig({
  srcDir: './site',
  publicDir: './site/public',
  output: 'server',
  // Middleware mode: api/server.ts owns the port and hands pages to Astro.
  adapter: node({ mode: 'middleware', bodySizeLimit: 64 * 1024 * 1024 }),
  integrations: [backOffice],
  // The portal's own same-origin check (api/http/same-origin.ts) guards page forms as it guards
  // the API, and knows the public origin behind a TLS proxy, which Astro's check does not.
  security: { checkOrigin: false },
  // A strict CSP header (script-src 'self') needs every script and style in a file.
  build: { inlineStylesheets: 'never' },
  vite: { build: { assetsInlineLimit: 0 } },
  devToolbar: { enabled: false },
  // Staff sessions live in our own table (hashed tokens); Astro's store is not used.
  session: false,
  server: { port: 4321 },
});
