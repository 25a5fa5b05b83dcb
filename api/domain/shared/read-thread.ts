import { BusyError } from './busy.ts';
import { ImportThreads } from './thread-pool.ts';

/**
 * Heavy reads and .xlsx builds run on a kept thread (the pool of thread-pool.ts) with connections of its own, so the
 * HTTP thread only posts the job and receives the answer. A thread per job paid its start (loading the code,
 * exceljs, a connection) every time: ~0.5 s idle, 2.5–3 s on a busy machine.
 *
 * A job names a module by URL and one of its exports, `(db, input) => result`: the caller's own domain file, so the
 * layers keep pointing one way.
 */
export interface ThreadTask {
  module: string;
  name: string;
}
export type ReadThreadJob = ThreadTask & { file: string; input: unknown };

const threads = new ImportThreads<ReadThreadJob, unknown>(new URL('./read-thread-worker.ts', import.meta.url), {
  max: 1,
  queue: 32,
  // Starting a thread takes a second on a busy machine: it is kept a while for the next download.
  idleMs: 10 * 60_000,
  heapMb: 512,
});
/** A build that takes this long is stuck: its thread is ended. */
const READ_MS = 60_000;

/** Runs `task(db, input)` on the read thread against the database file `file`; bytes come back transferred. */
export async function onReadThread<T>(file: string, task: ThreadTask, input: unknown): Promise<T> {
  const answer = await threads.run({ ...task, file, input }, [], READ_MS);
  if (answer.kind === 'done') return answer.value as T;
  throw new BusyError(answer.kind === 'busy' ? '导出正忙，请稍后再试' : '导出未能完成，请稍后再试');
}
