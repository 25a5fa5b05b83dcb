import type { APIRoute } from 'astro';
import { getContext } from '../../api/context.ts';
import { siteOrigin } from '../../api/env.ts';

// The public pages are for everyone, the sitemap names them; the back-office, a tracking page
// (a code in its URL) and a receipt are nobody's to index.
export const GET: APIRoute = async () => {
  const ctx = await getContext();
  const body = [
    'User-agent: *',
    'Disallow: /admin',
    'Disallow: /track',
    'Disallow: /report/done',
    '',
    `Sitemap: ${siteOrigin(ctx.env)}/sitemap.xml`,
    '',
  ].join('\n');
  return new Response(body, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'public, max-age=3600' },
  });
};
