import type { APIRoute } from 'astro';
import { getContext } from '../../api/context.ts';
import { siteOrigin } from '../../api/env.ts';
import { atomFeed } from '../../api/domain/public/feeds.ts';
import { townshipChoice } from '../../api/domain/public/township-filter.ts';

// Atom ids must never change: they are written with the configured origin, not the request's Host.
export const GET: APIRoute = async ({ url }) => {
  const ctx = await getContext();
  // ?township=<code>: one township's cases (decision 024).
  const choice = townshipChoice(ctx.db, url.searchParams.get('township'));
  if (!choice.ok)
    return new Response(choice.message, { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const body = atomFeed(ctx.db, siteOrigin(ctx.env), 50, choice.township ?? undefined);
  return new Response(body, {
    headers: { 'Content-Type': 'application/atom+xml; charset=utf-8', 'Cache-Control': 'public, max-age=300' },
  });
};
