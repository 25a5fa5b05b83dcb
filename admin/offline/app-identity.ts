/**
 * The installed work app's name and colours, read by its manifest, the back-office's <head> and the icon
 * script; the colours are --brand and --bg of site/styles/global.css, which the back-office pages use
 * (tests/unit/offline-app.test.ts holds them equal).
 */
export const APP_NAME = '散乱污整治 · 工作台';
export const APP_SHORT_NAME = '整治工作台';
export const THEME_COLOR = '#0f5e4a';
export const BACKGROUND_COLOR = '#f6f8f7';

export const MANIFEST_PATH = '/admin/manifest.webmanifest';
export const SERVICE_WORKER_PATH = '/admin/sw.js';
export const SERVICE_WORKER_SCOPE = '/admin/';
/** The page the service worker shows for a page not kept on the phone. */
export const OFFLINE_PAGE_PATH = '/admin/offline';

export const ICONS = {
  any192: '/admin/icons/icon-192.png',
  any512: '/admin/icons/icon-512.png',
  maskable512: '/admin/icons/maskable-512.png',
  appleTouch: '/admin/icons/apple-touch-icon.png',
} as const;
