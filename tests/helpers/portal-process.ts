import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** `npm start` as a child process on a free port with its own data directory. */
export function startPortal(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'sanluanwu-portal-')),
): Promise<PortalProcess> {
  return startServerProcess(START, env, dataDir);
}

/** Any of our server scripts that prints "listening on http://…" once it serves. */
export async function startServerProcess(
  args: string | string[],
  env: Record<string, string>,
  dataDir: string,
): Promise<PortalProcess> {
  const child = spawn(process.execPath, typeof args === 'string' ? [args] : args, {
    env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TILE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace('localhost', '127.0.0.1'));
      }
    });
    child.on('exit', (code) => reject(new Error(`portal exited with ${code}:\n${out}`)));
  });
  return {
    base,
    dataDir,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
