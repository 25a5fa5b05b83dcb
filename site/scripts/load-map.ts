// The village map module and Leaflet's stylesheet, fetched once the page has painted: a static
// stylesheet import would make Astro put it in the page's head as a render-blocking <link>.

function loadStylesheet(href: string): Promise<void> {
  const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href });
  return new Promise((done) => {
    link.onload = link.onerror = () => done(); // unstyled, the map still draws
    document.head.append(link);
  });
}

/** `report-map.ts`, resolved once Leaflet's stylesheet is in the page. */
export async function loadMapModule() {
  const [maps] = await Promise.all([
    import('./report-map.ts'),
    import('leaflet/dist/leaflet.css?url').then(({ default: href }) => loadStylesheet(href)),
  ]);
  return maps;
}
