// `npm run bench -- hostile`: each hostile request of issue 11, one class at a time, against the
// portal as `npm start` runs it, while /api/health and the home page are polled; beside a
// baseline of the same polling with no hostile request, in the same run. Each class gets a
// freshly started server on the same data, so its peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { createContext } from '../../api/context.ts';
import { maxReportBodyBytes, parseEnv } from '../../api/env.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { startServerProcess, type PortalProcess } from '../helpers/portal-process.ts';
import { reportForm } from '../helpers/report.ts';
import { signIn } from '../helpers/staff.ts';
import {
  deflateBombXlsx,
  jsonAtLimit,
  millionEmptyParts,
  photo49mp,
  sharedStringsBombXlsx,
  type Body,
} from './hostile-bodies.ts';
import { multipart } from './photo-work.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
// `npm start`'s own command line, with the delay monitor loaded first.
const START = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' ')
  .slice(1);
const PRELOAD = ['--import', './tests/bench/loop-delay-preload.ts'];
const ENV = {
  NODE_ENV: 'production',
  CAPTCHA_DISABLED: 'true',
  REPORT_RATE_LIMIT: '100000000',
  PUBLIC_BASE_URL: 'http://localhost',
};
const BASELINE_MS = 3000;
const POLL_GAP_MS = 5;

type Row = (...cells: (string | number)[]) => void;
interface Figures {
  answers: string;
  seconds: number;
  loopMaxMs: number;
  /** The main thread's longest stretch on a core between two 5 ms ticks: the loop's delay minus the machine's noise. */
  maxRunMs: number;
  healthP99: number;
  healthMax: number;
  homeP99: number;
  polls: number;
  startRssMb: number;
  peakRssMb: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const status = (pid: number, field: 'VmHWM' | 'VmRSS') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const p99 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;

/** The server's longest event-loop delay since it was last asked (tests/bench/loop-delay-preload.ts). */
async function loopDelay(portal: PortalProcess): Promise<{ maxMs: number; maxRunMs: number }> {
  const from = portal.output().length;
  portal.child.kill('SIGUSR2');
  for (let waited = 0; waited < 120_000; waited += 20) {
    const m = /loop-delay (\{.*\})\n/.exec(portal.output().slice(from));
    if (m) return JSON.parse(m[1]!) as { maxMs: number; maxRunMs: number };
    await sleep(20);
  }
  throw new Error('the portal did not report its event-loop delay');
}

/**
 * The answer's status; 0 when the connection closed without one. node:http rather than fetch: a
 * server may answer and close before the whole body is sent, and fetch then reports only EPIPE.
 */
function post(url: string, b: Body, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    let status = 0;
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...b.headers, ...headers, 'content-length': String(b.body.length) },
        agent: false,
        timeout: 180_000,
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => {
          resolve(status);
          req.destroy();
        });
      },
    );
    req.on('error', () => undefined); // EPIPE or a reset: the answer, if any, still arrives
    req.on('close', () => resolve(status));
    req.on('timeout', () => req.destroy());
    req.end(b.body);
  });
}

/** "4×400" or "3×201, 1×503": how the hostile requests were answered. */
const tally = (statuses: number[]) => {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return (
    [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${n}×${s || 'no answer'}`)
      .join(', ') || '—'
  );
};

async function measure(dataDir: string, work: (base: string) => Promise<number[]>): Promise<Figures> {
  const portal = await startServerProcess([...PRELOAD, ...START], ENV, dataDir);
  try {
    const pid = portal.child.pid!;
    for (let i = 0; i < 20; i++)
      await Promise.all(
        [fetch(`${portal.base}/`), fetch(`${portal.base}/api/health`)].map(async (r) => (await r).arrayBuffer()),
      );
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // the peak RSS (VmHWM) starts again from now
    const startRssMb = status(pid, 'VmRSS');
    await loopDelay(portal);
    const poller = new Worker(new URL('./poll-worker.ts', import.meta.url), {
      workerData: { urls: { health: `${portal.base}/api/health`, home: `${portal.base}/` }, gapMs: POLL_GAP_MS },
    });
    const polled = new Promise<{ latencies: Record<string, number[]>; failures: Record<string, string[]> }>(
      (resolve, reject) => poller.once('message', resolve).once('error', reject),
    );
    polled.catch(() => undefined); // awaited below, after the work
    await sleep(300);
    const t0 = performance.now();
    const statuses = await work(portal.base);
    const seconds = (performance.now() - t0) / 1000;
    await sleep(300);
    poller.postMessage('stop');
    const {
      latencies: { health = [], home = [] },
      failures,
    } = await polled;
    const failed = Object.entries(failures)
      .filter(([, f]) => f.length)
      .map(([name, f]) => `${name} ${f.length}× ${f[0]}`);
    await poller.terminate();
    const { maxMs, maxRunMs } = await loopDelay(portal);
    return {
      answers: tally(statuses) + (failed.length ? ` (polls failed: ${failed.join('; ')})` : ''),
      seconds,
      loopMaxMs: maxMs,
      maxRunMs,
      healthP99: p99(health),
      healthMax: Math.max(...health),
      homeP99: p99(home),
      polls: health.length + home.length,
      startRssMb,
      peakRssMb: status(pid, 'VmHWM'),
    };
  } finally {
    await portal.stop();
  }
}

const f0 = (n: number) => n.toFixed(0);
const describe = (f: Figures) =>
  `answers ${f.answers} in ${f.seconds.toFixed(1)} s; ` +
  `loop max ${f0(f.loopMaxMs)} ms (main thread ran ≤ ${f0(f.maxRunMs)} ms at a stretch); ` +
  `health p99/max ${f0(f.healthP99)}/${f0(f.healthMax)} ms; home p99 ${f0(f.homeP99)} ms; ` +
  `peak RSS ${f0(f.peakRssMb)} MB (from ${f0(f.startRssMb)})`;

export async function benchHostile(row: Row) {
  try {
    execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
  } catch (err) {
    // Others edit the same checkout; the last good build still serves a home page to time.
    if (!existsSync('dist/server/entry.mjs')) throw err;
    console.warn('hostile: the site did not build; timing the previous build of the pages');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sanluanwu-hostile-'));
  const ctx = await createContext(parseEnv({ DATA_DIR: dataDir, NODE_ENV: 'test' }));
  await seedDemo(ctx, { samples: true });
  const cookie = signIn(ctx, 'shouli'); // triage, for the .xlsx import
  const jsonLimit = maxReportBodyBytes(ctx.env);
  ctx.db.$client.close();

  console.log('hostile: building the requests…');
  const photo = await photo49mp();
  const reportOf = (n: number) =>
    multipart(
      reportForm(
        {},
        Array.from({ length: n }, () => photo),
      ),
    );
  const [six, three] = [await reportOf(6), await reportOf(3)];
  const parts = millionEmptyParts();
  const deflateBomb = deflateBombXlsx();
  const stringsBomb = sharedStringsBombXlsx();
  const json = jsonAtLimit(jsonLimit);
  const mb = (b: Buffer) => (b.length / 1e6).toFixed(b.length < 1e6 ? 2 : 0);
  console.log(
    `hostile: 49 MP photo ${mb(photo)} MB; multipart ${mb(parts.body)} MB; deflate bomb ${mb(deflateBomb)} MB; ` +
      `shared strings bomb ${mb(stringsBomb)} MB; JSON ${mb(json.body)} MB`,
  );

  const xlsxPreview = (base: string, file: Buffer) =>
    post(`${base}/api/admin/imports/dynamic-list/preview`, { body: file, headers: { 'content-type': XLSX, cookie } });
  const classes: [string, (base: string) => Promise<number[]>][] = [
    ['multipart report with 1,000,000 empty parts', async (base) => [await post(`${base}/api/complaints`, parts)]],
    [
      `.xlsx import (triage): deflate bomb, ${mb(deflateBomb)} MB → 190 MB sheet`,
      async (base) => [await xlsxPreview(base, deflateBomb)],
    ],
    [
      `.xlsx import (triage): 5,000,000 shared strings in ${mb(stringsBomb)} MB`,
      async (base) => [await xlsxPreview(base, stringsBomb)],
    ],
    [
      '24 × 49 MP photos in 4 reports of 6, at once',
      (base) => Promise.all(Array.from({ length: 4 }, () => post(`${base}/api/complaints`, six))),
    ],
    [
      '24 × 49 MP photos in 8 reports of 3, at once',
      (base) => Promise.all(Array.from({ length: 8 }, () => post(`${base}/api/complaints`, three))),
    ],
    [
      '48 × 49 MP photos in 16 reports of 3, at once',
      (base) => Promise.all(Array.from({ length: 16 }, () => post(`${base}/api/complaints`, three))),
    ],
    [
      '72 × 49 MP photos in 12 reports of 6, at once',
      (base) => Promise.all(Array.from({ length: 12 }, () => post(`${base}/api/complaints`, six))),
    ],
    [
      `JSON report at the body limit (${mb(json.body)} MB)`,
      async (base) => [await post(`${base}/api/complaints`, json)],
    ],
  ];
  const only = process.argv[3]; // e.g. `npm run bench -- hostile photos`
  const base = await measure(dataDir, () => sleep(BASELINE_MS).then(() => []));
  console.log(`hostile: baseline: ${describe(base)}`);
  const baseline =
    `no hostile request: loop max ${f0(base.loopMaxMs)} ms (ran ≤ ${f0(base.maxRunMs)} ms); ` +
    `health p99/max ${f0(base.healthP99)}/${f0(base.healthMax)} ms; home p99 ${f0(base.homeP99)} ms; ` +
    `peak RSS ${f0(base.peakRssMb)} MB`;
  for (const [name, work] of classes) {
    if (only && !name.toLowerCase().includes(only.toLowerCase())) continue;
    const f = await measure(dataDir, work);
    row(
      `hostile: ${name}`,
      describe(f),
      baseline,
      (f.loopMaxMs / Math.max(1, base.loopMaxMs)).toFixed(1),
      'a 4xx; loop max < 50 ms; home p99 < 100 ms; RSS < 600 MB',
    );
  }
}
