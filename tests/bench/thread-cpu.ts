// CPU time per request by thread, read from /proc: where a report's cost goes, beside a bare
// Hono request's. On two shared cores, a rate is bounded by the sum of these.
import { readdirSync, readFileSync } from 'node:fs';
import type { LoadResult } from './load.ts';

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** Node's own names: the HTTP thread is `MainThread`, worker_threads are `WorkerThread`. */
const GROUPS: [RegExp, string][] = [
  [/^MainThread$/, 'HTTP thread'],
  [/^WorkerThread$/, 'write thread'],
  [/^V8Worker$/, 'V8 helpers (GC)'],
];

function ticksByGroup(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended while we read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = GROUPS.find(([re]) => re.test(name))?.[1] ?? 'other';
    out.set(group, (out.get(group) ?? 0) + Number(fields[11]) + Number(fields[12]));
  }
  return out;
}

export interface CpuTally {
  requests: number;
  us: Map<string, number>;
}

/**
 * Runs a load against the process `pid` and adds its CPU time, and this process's (the load generator's), to `tally`.
 */
export async function tallied(pid: number, tally: CpuTally, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const before = ticksByGroup(pid);
  const self = process.cpuUsage();
  const r = await run();
  const spent = process.cpuUsage(self);
  for (const [group, ticks] of ticksByGroup(pid))
    tally.us.set(group, (tally.us.get(group) ?? 0) + (ticks - (before.get(group) ?? 0)) * TICK_US);
  tally.us.set('load generator', (tally.us.get('load generator') ?? 0) + spent.user + spent.system);
  tally.requests += r.ok;
  return r;
}

export const newTally = (): CpuTally => ({ requests: 0, us: new Map() });

/** µs per request: the total and each part, e.g. "412 (HTTP thread 190, write thread 160, …)". */
export function perRequest(t: CpuTally): { total: number; text: string } {
  const parts = [...t.us].map(([k, v]) => [k, v / Math.max(1, t.requests)] as const).filter(([, v]) => v >= 1);
  const total = parts.reduce((n, [, v]) => n + v, 0);
  return { total, text: `${total.toFixed(0)} (${parts.map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})` };
}
