// Polls each URL on its own keep-alive connection, one request at a time with a short gap, from a
// worker thread: the bench's main thread builds and sends multi-megabyte hostile bodies, and its
// own busy moments must not count as the server's slowness.
import { Agent, get } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { urls, gapMs } = workerData as { urls: Record<string, string>; gapMs: number };
let stopping = false;
const latencies: Record<string, number[]> = {};
const failures: Record<string, string[]> = {};

function once(url: string, agent: Agent): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t0)
          : reject(new Error(`${url} answered ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}

async function poll(name: string, url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = (latencies[name] = []);
  const failed: string[] = (failures[name] = []);
  while (!stopping) {
    await once(url, agent).then(
      (ms) => times.push(ms),
      (err: Error) => failed.push(err.message),
    );
    await new Promise((r) => setTimeout(r, gapMs));
  }
  agent.destroy();
}

const polls = Object.entries(urls).map(([name, url]) => poll(name, url));
parentPort!.once('message', async () => {
  stopping = true;
  await Promise.all(polls);
  parentPort!.postMessage({ latencies, failures });
});
