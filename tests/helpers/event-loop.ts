import { monitorEventLoopDelay } from 'node:perf_hooks';

/** The most one request may hold the event loop (DEVELOPERS.md, issue 11). */
export const STALL_LIMIT_MS = 50;

export interface Stall<T> {
  result: T;
  /** The longest the event loop was late, over the whole of `work` (ms). */
  loopMaxMs: number;
  /** The slowest answer of /api/health polled back to back while `work` ran (ms). */
  healthMaxMs: number;
  healthPolls: number;
}

/**
 * Runs `work` (a hostile request to a server in this process) while the event loop's delay is
 * recorded and `/api/health` at `base` is asked again and again, as a resident's page would be.
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
    const result = await work();
    return { result, loopMaxMs: histogram.max / 1e6, healthMaxMs, healthPolls };
  } finally {
    histogram.disable();
    done = true;
    await poll;
  }
}
