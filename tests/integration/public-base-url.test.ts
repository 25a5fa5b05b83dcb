import { afterAll, describe, expect, it } from 'vitest';
import { freshContext } from '../helpers/context.ts';
import { listenWithPages } from '../security/site-server.ts';

// Behind a proxy the Host header says whatever the proxy (or a client) puts there: links and ids
// written into the feed, the sitemap, robots.txt and Open311 discovery follow PUBLIC_BASE_URL only.
const ORIGIN = 'https://jubao.example.gov.cn';
const { ctx } = await freshContext({ PUBLIC_BASE_URL: `${ORIGIN}/` });
const server = await listenWithPages(ctx);
afterAll(() => server.close());

const get = async (path: string) => {
  const res = await fetch(`${server.base}${path}`, { headers: { host: 'evil.example:8080' } });
  expect(res.status, path).toBe(200);
  return { type: res.headers.get('content-type'), text: await res.text() };
};

describe('PUBLIC_BASE_URL, never the Host header', () => {
  it('robots.txt names the sitemap at the public origin and keeps crawlers out of private pages', async () => {
    const { type, text } = await get('/robots.txt');
    expect(type).toBe('text/plain; charset=utf-8');
    expect(text).toBe(
      'User-agent: *\nDisallow: /admin\nDisallow: /track\nDisallow: /report/done\n\n' +
        `Sitemap: ${ORIGIN}/sitemap.xml\n`,
    );
  });

  it('writes the sitemap, the feed and Open311 discovery with the public origin', async () => {
    const sitemap = (await get('/sitemap.xml')).text;
    const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!);
    expect(locs.length).toBeGreaterThan(3);
    for (const loc of locs) expect(loc.startsWith(`${ORIGIN}/`), loc).toBe(true);
    const feed = (await get('/feed.xml')).text;
    expect(feed).toContain(`<id>${ORIGIN}/cases</id>`);
    expect(feed).toContain(`href="${ORIGIN}/feed.xml"`);
    const discovery = JSON.parse((await get('/api/open311/v2/discovery.json')).text);
    expect(discovery.endpoints[0].url).toBe(`${ORIGIN}/api/open311/v2`);
    for (const text of [sitemap, feed]) expect(text).not.toContain('evil.example');
  });
});
