import type { APIRoute } from 'astro';
import { getContext } from '../../api/context.ts';
import { siteOrigin } from '../../api/env.ts';
import { atomFeed } from '../../api/domain/public/feeds.ts';

// Atom ids must never change: they are written with the configured origin, not the request's Host.
export const GET: APIRoute = async () => {
  const ctx = await getContext();
  const body = atomFeed(ctx.db, siteOrigin(ctx.env));
  return new Response(body, {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  });
};
