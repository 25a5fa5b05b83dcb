import { Worker } from 'node:worker_threads';
import { BusyError } from './busy.ts';

/**
 * Heavy reads and builds (an .xlsx, a county's scorecards) run on one long-lived thread with connections of its own,
 * so the HTTP thread only posts the job and receives the answer. A thread per job paid its start (loading the code,
 * exceljs, a connection) every time: ~0.5 s idle, 2.5–3 s on a busy machine.
 *
 * A job names a module by URL and one of its exports, `(db, input) => result`: the caller's own domain file, so the
 * layers keep pointing one way. The thread holds the process only while it has work.
 */
export interface ThreadTask {
  module: string;
  name: string;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

const WORKER = new URL('./read-thread-worker.ts', import.meta.url);
let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function failAll(err: Error) {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER);
  w.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) w.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(m.error));
  });
  w.on('error', (e: Error) => {
    worker = null;
    failAll(e);
  });
  w.on('exit', (code) => {
    if (worker === w) worker = null;
    failAll(new BusyError(`后台线程意外退出（${code}），请稍后再试`));
  });
  worker = w;
  return w;
}

/** Runs `task(db, input)` on the read thread against the database file `file`; bytes come back transferred. */
export function onReadThread<T>(file: string, task: ThreadTask, input: unknown): Promise<T> {
  const w = thread();
  const id = nextId++;
  w.ref();
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    w.postMessage({ id, file, module: task.module, name: task.name, input });
  });
}
