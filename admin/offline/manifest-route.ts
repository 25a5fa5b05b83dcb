import type { APIRoute } from 'astro';
import {
  APP_NAME,
  APP_SHORT_NAME,
  BACKGROUND_COLOR,
  ICONS,
  SERVICE_WORKER_SCOPE,
  THEME_COLOR,
} from './app-identity.ts';

const manifest = JSON.stringify({
  id: SERVICE_WORKER_SCOPE,
  name: APP_NAME,
  short_name: APP_SHORT_NAME,
  description: '村（社区）、部门和整治办的待办、整治任务、回头看和夜查，没有信号时也能查看。',
  lang: 'zh-CN',
  dir: 'ltr',
  start_url: '/admin/todo',
  scope: SERVICE_WORKER_SCOPE,
  display: 'standalone',
  orientation: 'portrait',
  theme_color: THEME_COLOR,
  background_color: BACKGROUND_COLOR,
  icons: [
    { src: ICONS.any192, sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: ICONS.any512, sizes: '512x512', type: 'image/png', purpose: 'any' },
    { src: ICONS.maskable512, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
});

/** GET /admin/manifest.webmanifest: the back-office as an app on the phone's home screen. Public: it names no one. */
export const GET: APIRoute = () =>
  new Response(manifest, { headers: { 'Content-Type': 'application/manifest+json; charset=utf-8' } });
