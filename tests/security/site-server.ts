import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp } from '../../api/app.ts';
import { setContext, type AppContext } from '../../api/context.ts';
import { createPortalServer, type SiteHandler } from '../../api/server.ts';

/**
 * The real front with the built pages, in this process and on this test's database: what a
 * browser gets from /report/done or /admin/…, HTML included. Builds the site first if stale, and has served the
 * report form once.
 */
export async function listenWithPages(ctx: AppContext) {
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'ignore' });
  setContext(ctx); // the pages' getContext() reads it from globalThis
  const { handler } = (await import(
    /* @vite-ignore */ pathToFileURL(`${process.cwd()}/dist/server/entry.mjs`).href
  )) as { handler: SiteHandler };
  const server = createPortalServer({ env: ctx.env, api: createApp(ctx), site: handler });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  // The report form's first answer in a process loads its page's modules (53 ms here, more on a busy machine): a
  // start's cost, not a request's, and it fell inside a stall measurement of the busy refusal (67 ms in a full run).
  await (await fetch(`${base}/report`)).arrayBuffer();
  return { base, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
