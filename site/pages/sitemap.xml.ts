import type { APIRoute } from 'astro';
import { getContext } from '../../api/context.ts';
import { siteOrigin } from '../../api/env.ts';
import { sitemapXml } from '../../api/domain/public/feeds.ts';

export const GET: APIRoute = async () => {
  const ctx = await getContext();
  const body = sitemapXml(ctx.db, siteOrigin(ctx.env), ctx.clock());
  return new Response(body, {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', 'Cache-Control': 'public, max-age=600' },
  });
};
