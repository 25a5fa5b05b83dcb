// The read thread (read-thread.ts): one job at a time, each against its database file through a kept connection.
import { parentPort } from 'node:worker_threads';
import { threadConnection } from '../../../db/thread-connections.ts';

type Job = { id: number; file: string; module: string; name: string; input: unknown };

/** Bytes in the answer (an .xlsx) are moved to the HTTP thread rather than copied. */
function transferables(value: unknown): ArrayBuffer[] {
  if (value instanceof Uint8Array) return [value.buffer as ArrayBuffer];
  if (value && typeof value === 'object')
    return Object.values(value).flatMap((v) => (v instanceof Uint8Array ? [v.buffer as ArrayBuffer] : []));
  return [];
}

let queue = Promise.resolve();
parentPort!.on('message', (job: Job) => {
  queue = queue.then(async () => {
    try {
      const mod = (await import(job.module)) as Record<string, (db: unknown, input: unknown) => unknown>;
      const fn = mod[job.name];
      if (typeof fn !== 'function') throw new Error(`no task ${job.name} in ${job.module}`);
      const value = await fn(threadConnection(job.file), job.input);
      parentPort!.postMessage({ id: job.id, ok: true, value }, transferables(value));
    } catch (e) {
      parentPort!.postMessage({ id: job.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
});
