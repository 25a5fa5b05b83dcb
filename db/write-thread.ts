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
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(script: URL, dbFile: string) {
    this.script = script;
    this.dbFile = dbFile;
  }

  run(input: In): Promise<Out> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // Held open only while a write is in flight, so a script or a test can end when idle.
    if (this.waiting.size === 0) worker.ref();
    return new Promise<Out>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(this.script, { workerData: { file: this.dbFile } });
    worker.unref();
    worker.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const w = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        if (r.ok) w?.resolve(r.value);
        else w?.reject(new WriteError(r.message, r.code));
      }
      if (this.waiting.size === 0) worker.unref();
    });
    const fail = (err: unknown) => {
      // Nothing in flight was acknowledged; the next write starts a fresh thread.
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`write thread exited (${code})`)));
    return worker;
  }
}
