import type { APIRoute } from 'astro';
import { getContext } from '../../api/context.ts';
import { publicOrigin } from '../../api/http/same-origin.ts';
import { sitemapXml } from '../../api/domain/public/feeds.ts';

export const GET: APIRoute = async ({ request }) => {
  const ctx = await getContext();
  const body = sitemapXml(ctx.db, publicOrigin(ctx.env.PUBLIC_BASE_URL, request.headers, request.url), ctx.clock());
  return new Response(body, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=600' },
  });
};
