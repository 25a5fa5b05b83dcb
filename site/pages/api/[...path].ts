import type { APIRoute } from 'astro';
import { createApp, type App } from '../../../api/app.ts';
import { getContext } from '../../../api/context.ts';

// Only `astro dev` reaches this: in production api/server.ts sends /api to Hono before Astro.
let app: App | undefined;
export const ALL: APIRoute = async ({ request }) => {
  app ??= createApp(await getContext());
  return app.fetch(request);
};
