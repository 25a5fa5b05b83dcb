import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_TAIL = 8 * 1024 * 1024;

export interface PortalProcess {
  base: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

// `npm start`'s own command line (its Node flags included), so what is tested is what runs.
const START = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' ')
  .slice(1);

/**
 * `npm start` as a child process on a free port with its own data directory. `earlier`: what an earlier start on this
 * data printed (a copied portal's one-time passwords), put before this one's output.
 */
export function startPortal(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'sanluanwu-portal-')),
  earlier = '',
): Promise<PortalProcess> {
  return startServerProcess(START, env, dataDir, earlier);
}

/** Any of our server scripts that prints "listening on http://…" once it serves. */
export async function startServerProcess(
  args: string | string[],
  env: Record<string, string>,
  dataDir: string,
  earlier = '',
): Promise<PortalProcess> {
  const child = spawn(process.execPath, typeof args === 'string' ? [args] : args, {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TILE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Everything up to "listening" (the demo's one-time passwords), then the newest MAX_TAIL bytes, kept as chunks: a
  // benchmark's request log runs to megabytes, and this process is also its load generator.
  let head = '';
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let started = false;
  const take = (d: Buffer) => {
    if (!started) head += d;
    else {
      tail.push(d);
      tailBytes += d.length;
      while (tailBytes > MAX_TAIL && tail.length > 1) tailBytes -= tail.shift()!.length;
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${head}`)), 60_000);
    const listening = () => {
      const m = /listening on (http:\/\/\S+)/.exec(head);
      if (!m) return;
      started = true;
      child.stdout!.off('data', listening);
      clearTimeout(timer);
      resolve(m[1]!.replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', listening);
    child.on('exit', (code) => reject(new Error(`portal exited with ${code}:\n${head}${Buffer.concat(tail)}`)));
  });
  return {
    base,
    dataDir,
    child,
    output: () => earlier + head + Buffer.concat(tail).toString(),
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
