import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The most one request may hold the event loop (DEVELOPERS.md, issue 11). */
export const STALL_LIMIT_MS = 50;

export interface Stall<T> {
  result: T;
  /**
   * The longest the main thread itself ran between two 5 ms ticks (its on-CPU time, from the
   * kernel's schedstat): what a request holding the event loop costs, whatever else the machine
   * does. This is what the tests hold under STALL_LIMIT_MS.
   */
  blockedMs: number;
  /** The longest the event loop was late (ms): blockedMs plus any time the process had no core. */
  loopMaxMs: number;
  /** The slowest answer of /api/health polled back to back while `work` ran (ms). */
  healthMaxMs: number;
  healthPolls: number;
}

// On two shared cores an idle process is sometimes 60–90 ms late with no work of its own (it was
// runnable but another process had the core), so a wall-clock delay alone fails at random.
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const onCpuMs = () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;

/**
 * Runs `work` (a hostile request to a server in this process) while the main thread's longest run
 * and the event loop's delay are recorded, and `/api/health` at `base` is asked again and again,
 * as a resident's page would be.
 */
export async function duringWork<T>(base: string, work: () => Promise<T>): Promise<Stall<T>> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  let done = false;
  let healthMaxMs = 0;
  let healthPolls = 0;
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/health`);
      await res.arrayBuffer();
      healthMaxMs = Math.max(healthMaxMs, performance.now() - t0);
      healthPolls++;
    }
  })();
  histogram.enable();
  try {
    const { result, blockedMs } = await ownRuns(work);
    return { result, blockedMs, loopMaxMs: histogram.max / 1e6, healthMaxMs, healthPolls };
  } finally {
    histogram.disable();
    done = true;
    await poll;
  }
}

/** Runs `work` while the main thread's longest own run (on-CPU time between two 5 ms ticks) is recorded. */
export async function ownRuns<T>(work: () => Promise<T>): Promise<{ result: T; blockedMs: number }> {
  let lastCpu = onCpuMs();
  let blockedMs = 0;
  const ticker = setInterval(() => {
    const cpu = onCpuMs();
    blockedMs = Math.max(blockedMs, cpu - lastCpu);
    lastCpu = cpu;
  }, 5);
  try {
    const result = await work();
    return { result, blockedMs: Math.max(blockedMs, onCpuMs() - lastCpu) };
  } finally {
    clearInterval(ticker);
  }
}
