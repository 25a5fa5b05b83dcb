import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatewayRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The exact bytes received, as the signature covers them. */
  raw: string;
  body: { phone: string; templateCode: string; params: Record<string, string>; outId: string };
}

/**
 * A local SMS gateway (node:http) that records each request and answers as `reply` says: by default
 * {"code":"OK","bizId":"biz-N"}, the shape of China's commercial SMS services when a send is accepted.
 */
export async function startSmsGateway() {
  const requests: GatewayRequest[] = [];
  let reply: (n: number) => { status: number; body: unknown } = (n) => ({
    status: 200,
    body: { code: 'OK', bizId: `biz-${n}` },
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body: JSON.parse(raw) });
      const r = reply(requests.length);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sms/send`,
    requests,
    answer(fn: typeof reply) {
      reply = fn;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
