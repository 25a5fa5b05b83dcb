/** Adds a stylesheet to the page and resolves once it has loaded (or failed: the map still works unstyled). */
export function loadStylesheet(href: string): Promise<void> {
  const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href });
  return new Promise((done) => {
    link.onload = link.onerror = () => done();
    document.head.append(link);
  });
}
