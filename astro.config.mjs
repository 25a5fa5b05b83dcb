// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// The back-office lives in admin/, outside the public site's srcDir, and joins the same build.
const ADMIN_PAGES = {
  '/admin': 'index',
  '/admin/login': 'login',
  '/admin/password': 'password',
  '/admin/complaints': 'complaints',
  '/admin/complaints/[id]': 'complaint',
  '/admin/audit': 'audit',
  '/admin/users': 'users',
  '/admin/templates': 'templates',
  // enterprises, tasks, revisits
  '/admin/enterprises': 'enterprises',
  '/admin/enterprises/new': 'enterprise-new',
  '/admin/enterprises/[id]': 'enterprise',
  '/admin/tasks': 'tasks',
  '/admin/tasks/[id]': 'task',
  '/admin/revisits': 'revisits',
  // xlsx import/export and the survey print view
  '/admin/enterprises/import': 'enterprise-import',
  '/admin/enterprises/[id]/survey': 'enterprise-survey',
  // random inspections and night patrols
  '/admin/draws': 'draws',
  '/admin/draws/[id]': 'draw',
  '/admin/patrols': 'patrols',
  // exposures (典型案例) and Open311 keys
  '/admin/api-keys': 'api-keys',
  '/admin/exposures': 'exposures',
  '/admin/exposures/[id]': 'exposure',
  // reports
  '/admin/reports': 'reports',
};
/** @type {import('astro').AstroIntegration} */
const backOffice = {
  name: 'back-office',
  hooks: {
    'astro:config:setup': ({ injectRoute }) => {
      for (const [pattern, file] of Object.entries(ADMIN_PAGES)) {
        injectRoute({ pattern, entrypoint: new URL(`./admin/pages/${file}.astro`, import.meta.url), prerender: false });
      }
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
