import type { Db } from '../../../db/client.ts';
import { escapeXml as esc } from '../shared/xml-escape.ts';
import { feedEntries, sitemapEntries } from './published-cases.ts';

/** Atom 1.0 feed of the newest published typical cases: the county's, or one township's (`?township=`). */
export function atomFeed(db: Db, origin: string, limit = 50, township?: { id: number; code: string }): string {
  const entries = feedEntries(db, limit, township?.id);
  const self = township ? `${origin}/feed.xml?township=${township.code}` : `${origin}/feed.xml`;
  const list = township ? `${origin}/cases?township=${township.code}` : `${origin}/cases`;
  const updated = (entries[0]?.publishedAt ?? new Date(0)).toISOString();
  const items = entries.map((e) => {
    const url = `${origin}/cases/${e.id}`;
    const summary =
      [e.villageName, e.remediationLabel, e.happenedOn].filter(Boolean).join(' · ') +
      (e.summary ? `。${e.summary}` : '');
    return `  <entry>
    <title>${esc(e.title)}</title>
    <id>${esc(url)}</id>
    <link rel="alternate" type="text/html" href="${esc(url)}"/>
    <published>${e.publishedAt.toISOString()}</published>
    <updated>${e.publishedAt.toISOString()}</updated>
    <summary>${esc(summary)}</summary>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">
  <title>典型案例曝光 · “散乱污”整治</title>
  <subtitle>“散乱污”作坊整治典型案例，当事人个人信息已隐去。</subtitle>
  <id>${esc(list)}</id>
  <link rel="self" type="application/atom+xml" href="${esc(self)}"/>
  <link rel="alternate" type="text/html" href="${esc(list)}"/>
  <updated>${updated}</updated>
  <author><name>“散乱污”整治办公室</name></author>
${items.join('\n')}
</feed>
`;
}

/** sitemaps.org XML of every public page. */
export function sitemapXml(db: Db, origin: string, now: Date): string {
  const urls = sitemapEntries(db, now)
    .map((u) => `  <url><loc>${esc(origin + u.path)}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`)
    .join('\n');
  const urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">';
  return `<?xml version="1.0" encoding="utf-8"?>\n${urlset}\n${urls}\n</urlset>\n`;
}
