import { Worker } from 'node:worker_threads';
import type { Connection } from './connection.ts';

/** The thread's answer to one write, sent after the commit that holds it. */
export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string; code?: string };

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A write refused inside the thread; `code` is SQLite's (e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class WriteError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

/**
 * Work the thread does after the writes a person waits on, in its own transactions: after
 * `afterWrites` of them, or once it has been idle for `idleMs`. `run` does one transaction's
 * worth and says how much it did; it is called again while that is a full `batch`.
 */
export interface Upkeep {
  run: (conn: Connection) => number;
  batch: number;
  afterWrites: number;
  idleMs: number;
}

/** What a write thread does: the module a WriteThread is given exports it as `threadWork`. */
export interface ThreadWork<In> {
  /** One write, inside the transaction of the batch it arrived in; what it returns is the caller's answer. */
  write: (conn: Connection, input: In) => unknown;
  upkeep?: Upkeep;
}

// The thread's entry: it loads the work module and serves it (write-worker.ts).
const ENTRY = new URL('./write-worker.ts', import.meta.url);

/**
 * Writes a person waits on, done on a thread with its own connection (decision 009). The thread
 * commits whatever arrived while it was busy in one transaction (group commit), so the fsync a
 * durable commit needs never stalls this thread's HTTP work. A promise resolves only after the
 * commit that holds its write.
 */
export class WriteThread<In, Out> {
  private readonly work: URL;
  private readonly dbFile: string;
  private thread: { worker: Worker; waiting: Map<number, Waiting> } | undefined;
  private nextId = 1;

  /** `work`: a module exporting `threadWork` (ThreadWork<In>), loaded in the thread only. */
  constructor(work: URL, dbFile: string) {
    this.work = work;
    this.dbFile = dbFile;
  }

  run(input: In): Promise<Out> {
    const { worker, waiting } = (this.thread ??= this.start());
    const id = this.nextId++;
    // Held open only while a write is in flight, so a script or a test can end when idle.
    if (waiting.size === 0) worker.ref();
    return new Promise<Out>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, input });
    });
  }

  /** Writes sent and not yet answered: the queue's depth, for the metrics. */
  get pending(): number {
    return this.thread?.waiting.size ?? 0;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }

  private start() {
    const worker = new Worker(ENTRY, { workerData: { file: this.dbFile, work: this.work.href } });
    // Each thread answers only for its own writes: a dying one must not refuse its successor's.
    const waiting = new Map<number, Waiting>();
    const thread = { worker, waiting };
    worker.unref();
    worker.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const w = waiting.get(r.id);
        waiting.delete(r.id);
        if (r.ok) w?.resolve(r.value);
        else w?.reject(new WriteError(r.message, r.code));
      }
      if (waiting.size === 0) worker.unref();
    });
    const fail = (err: unknown) => {
      // Nothing in flight was acknowledged; the next write starts a fresh thread.
      if (this.thread === thread) this.thread = undefined;
      for (const w of waiting.values()) w.reject(err);
      waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`write thread exited (${code})`)));
    return thread;
  }
}
