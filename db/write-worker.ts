import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from './connection.ts';
import type { Reply, ThreadWork } from './write-thread.ts';

interface Job {
  id: number;
  input: unknown;
}

/** SQLite could not take the write lock within busy_timeout: a second try would wait as long again. */
const isBusy = (err: unknown) => (err as { code?: string }).code?.startsWith('SQLITE_BUSY') ?? false;

const refusal = (id: number, err: unknown): Reply => {
  const e = err as { message?: string; code?: string };
  return { id, ok: false, message: e.message ?? String(err), code: e.code };
};

/**
 * The thread side of WriteThread, the entry of its thread: every job that arrived while the last
 * commit ran shares one transaction and so one fsync. One refused write undoes none of the others,
 * and no reply leaves before the commit.
 */
const { file, work } = workerData as { file: string; work: string };
const { write, upkeep } = ((await import(work)) as { threadWork: ThreadWork<unknown> }).threadWork;
const port = parentPort!;
const conn = openConnection(file);
// better-sqlite3's own transactions: BEGIN, COMMIT and SAVEPOINT are prepared once, where
// drizzle's wrapper builds them per call (measured 282 → 152 µs a report).
const together = conn.transaction((jobs: Job[]) =>
  jobs.map((job): Reply => ({ id: job.id, ok: true, value: write(conn, job.input) })),
);
const savepoint = conn.transaction((input: unknown) => write(conn, input));
const apart = conn.transaction((jobs: Job[]) =>
  jobs.map((job): Reply => {
    try {
      // Inside the outer transaction better-sqlite3 makes this a savepoint.
      return { id: job.id, ok: true, value: savepoint(job.input) };
    } catch (err) {
      return refusal(job.id, err);
    }
  }),
);
let batch: Job[] = [];
const flush = () => {
  const jobs = batch;
  batch = [];
  let replies: Reply[];
  try {
    // Writes are almost never refused, so a batch first runs without a savepoint each (~15 µs
    // a report); when one is, the batch is undone and done again, each write on its own.
    replies = together.immediate(jobs);
  } catch (err) {
    // Nothing to redo when the refusal was a lone write's, or the transaction never began.
    try {
      replies = jobs.length > 1 && !isBusy(err) ? apart.immediate(jobs) : jobs.map((job) => refusal(job.id, err));
    } catch (again) {
      replies = jobs.map((job) => refusal(job.id, again));
    }
  }
  port.postMessage(replies);
  if (upkeep) afterWrites(jobs.length);
};

// Owed upkeep: writes since it last ran; it starts at one so that a new thread catches up.
let owed = 1;
let timer: NodeJS.Timeout | undefined;
let urgent = false;
const arm = (now: boolean) => {
  clearTimeout(timer);
  urgent = now;
  timer = setTimeout(runUpkeep, now ? 0 : upkeep!.idleMs);
};
const upkeepStep = conn.transaction(() => upkeep!.run(conn));
function runUpkeep() {
  owed = 0;
  let done = 0;
  try {
    done = upkeepStep.immediate();
  } catch (err) {
    // Nothing a person waits on depends on it: try again later.
    console.error('write thread upkeep failed:', (err as Error).message);
    owed = 1;
  }
  if (done === upkeep!.batch) arm(true);
  else if (owed) arm(false);
  else urgent = false;
}
const afterWrites = (n: number) => {
  owed += n;
  // Once due, it is not put off by later writes; until then, each write restarts the idle wait.
  if (!urgent) arm(owed >= upkeep!.afterWrites);
};
if (upkeep) arm(true);

port.on('message', (job: Job) => {
  if (batch.push(job) === 1) setImmediate(flush);
});
