import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../api/context.ts';
import { createApp } from '../../api/app.ts';
import { createPortalServer } from '../../api/server.ts';

/** The real node:http front (API only) on a free loopback port. */
export async function listen(ctx: AppContext) {
  const server = createPortalServer({ env: ctx.env, api: createApp(ctx) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A raw request, so a test controls framing (chunked or not) and every header. */
export function rawPost(
  port: number,
  path: string,
  headers: Record<string, string>,
  chunks: Buffer[],
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, headers: res.headers, body });
        req.destroy(); // the server may have answered before reading all we sent
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    // After 'end' this does nothing; a connection closed before the whole answer fails at once, not at the time limit.
    req.on('close', () => reject(new Error(`${path}: the connection closed before the whole answer`)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}
