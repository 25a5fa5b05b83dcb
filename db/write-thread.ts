import { Worker } from 'node:worker_threads';

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code?: string };

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
 * Writes a person waits on, done on a thread with its own connection (decision 009). The thread
 * commits whatever arrived while it was busy in one transaction (group commit), so the fsync a
 * durable commit needs never stalls this thread's HTTP work. A promise resolves only after the
 * commit that holds its write.
 */
export class WriteThread<In, Out> {
  private readonly script: URL;
  private readonly dbFile: string;
  private thread: { worker: Worker; waiting: Map<number, Waiting> } | undefined;
  private nextId = 1;

  constructor(script: URL, dbFile: string) {
    this.script = script;
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

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.worker.terminate();
  }

  private start() {
    const worker = new Worker(this.script, { workerData: { file: this.dbFile } });
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
