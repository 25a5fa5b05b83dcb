// The read thread (read-thread.ts): each job against its database file through a kept connection.
import { threadConnection } from '../../../db/thread-connections.ts';
import type { ReadThreadJob } from './read-thread.ts';
import { serveImports } from './thread-pool.ts';

/** Bytes in the answer (an .xlsx) are moved to the HTTP thread rather than copied. */
function transferables(value: unknown): ArrayBuffer[] {
  if (value instanceof Uint8Array) return [value.buffer as ArrayBuffer];
  if (value && typeof value === 'object')
    return Object.values(value).flatMap((v) => (v instanceof Uint8Array ? [v.buffer as ArrayBuffer] : []));
  return [];
}

serveImports<ReadThreadJob, unknown>(async (job) => {
  const mod = (await import(job.module)) as Record<string, (db: unknown, input: unknown) => unknown>;
  const fn = mod[job.name];
  if (typeof fn !== 'function') throw new Error(`no task ${job.name} in ${job.module}`);
  return fn(threadConnection(job.file), job.input);
}, transferables);
