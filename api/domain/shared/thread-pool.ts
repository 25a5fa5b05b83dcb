import { parentPort, Worker } from 'node:worker_threads';

/**
 * Threads that work off the HTTP thread: reading uploaded files (decision 011), the assessment's reads, .xlsx
 * builds (read-thread.ts). A job has two phases: reading, which may take at most `readMs` before its thread is
 * terminated, and then work that must not be cut short (a database commit). A gate word shared with the thread
 * decides, without a race, which of the two happened first: the thread closes it when it leaves
 * the read, the timer when it fires; whoever closes it second yields.
 */
export type ThreadAnswer<T> =
  | { kind: 'done'; value: T }
  /** The read took longer than allowed; its thread was terminated. */
  | { kind: 'timeout' }
  /** The thread ran out of the heap it is given; it is gone. */
  | { kind: 'memory' }
  /** Every thread busy and the queue full. */
  | { kind: 'busy' };

export interface ThreadOptions {
  /** Threads at most (each reads one file at a time). */
  max: number;
  /** Jobs that may wait for a thread; more are refused as busy. */
  queue: number;
  /** An idle thread ends after this long. */
  idleMs: number;
  /** V8 heap of each thread, MB: a file that needs more kills its thread, not the process. */
  heapMb: number;
}

const OPEN = 0,
  READ_DONE = 1,
  TIMED_OUT = 2;

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  dead: boolean;
  idle?: NodeJS.Timeout;
}
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };

export class ImportThreads<Job, Out> {
  private readonly script: URL;
  private readonly opts: ThreadOptions;
  private readonly idle: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private count = 0;
  private nextId = 1;

  constructor(script: URL, opts: ThreadOptions) {
    this.script = script;
    this.opts = opts;
  }

  async run(job: Job, transfer: ArrayBuffer[], readMs: number): Promise<ThreadAnswer<Out>> {
    const slot = await this.acquire();
    if (!slot) return { kind: 'busy' };
    try {
      await slot.ready;
      return await this.dispatch(slot, job, transfer, readMs);
    } finally {
      this.release(slot);
    }
  }

  /** Ends every thread (tests, shutdown). */
  async close(): Promise<void> {
    const slots = this.idle.splice(0);
    await Promise.all(slots.map((s) => this.kill(s)));
  }

  private acquire(): Promise<Slot | null> {
    const slot = this.idle.pop(); // the most recently used: it may still hold the file a preview read
    if (slot) {
      clearTimeout(slot.idle);
      return Promise.resolve(slot);
    }
    if (this.count < this.opts.max) return Promise.resolve(this.start());
    if (this.waiting.length >= this.opts.queue) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot) {
    if (slot.dead) {
      // Its place is free: a waiting job gets a fresh thread.
      const next = this.waiting.shift();
      if (next) next(this.start());
      return;
    }
    const next = this.waiting.shift();
    if (next) return next(slot);
    slot.worker.unref();
    slot.idle = setTimeout(() => {
      const at = this.idle.indexOf(slot);
      if (at >= 0) this.idle.splice(at, 1);
      void this.kill(slot);
    }, this.opts.idleMs);
    slot.idle.unref();
    this.idle.push(slot);
  }

  private start(): Slot {
    const worker = new Worker(this.script, { resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb } });
    this.count++;
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('import thread exited while starting')));
    });
    const slot: Slot = { worker, ready, dead: false };
    // Dead before the job that awaited it releases it ('error' can come before 'exit'), so that
    // release() never hands a thread that failed to start to the next job.
    ready.catch(() => this.markDead(slot));
    worker.once('exit', () => {
      this.markDead(slot);
      const at = this.idle.indexOf(slot);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return slot;
  }

  private markDead(slot: Slot) {
    if (slot.dead) return;
    slot.dead = true;
    this.count--;
  }

  private async kill(slot: Slot) {
    this.markDead(slot);
    await slot.worker.terminate();
  }

  private dispatch(slot: Slot, job: Job, transfer: ArrayBuffer[], readMs: number): Promise<ThreadAnswer<Out>> {
    const { worker } = slot;
    const id = this.nextId++;
    const gate = new Int32Array(new SharedArrayBuffer(4));
    return new Promise((resolve, reject) => {
      const finish = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (r: Reply) => {
        if (r.id !== id) return;
        finish();
        if (r.ok) resolve({ kind: 'done', value: r.value as Out });
        else reject(new Error(`import thread: ${r.message}`));
      };
      const onError = (err: Error & { code?: string }) => {
        finish();
        void this.kill(slot);
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve({ kind: 'memory' });
        else reject(err);
      };
      const onExit = (code: number) => {
        finish();
        reject(new Error(`import thread exited (${code})`));
      };
      const timer = setTimeout(() => {
        // Past the read, the thread may be committing: it must then finish, however long it takes.
        if (Atomics.compareExchange(gate, 0, OPEN, TIMED_OUT) !== OPEN) return;
        finish();
        void this.kill(slot);
        resolve({ kind: 'timeout' });
      }, readMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref(); // a script awaiting an import must not end while it runs
      worker.postMessage({ id, job, gate }, transfer);
    });
  }
}

/**
 * The thread's side: `handle` gets each job and `leaveRead`, which it calls when the read is
 * done; if that returns false the job's time ran out (the thread is being terminated) and it
 * must stop, having written nothing. `transfer` names buffers of the answer to hand over
 * rather than copy.
 */
export function serveImports<Job, Out>(
  handle: (job: Job, leaveRead: () => boolean) => Out | Promise<Out>,
  transfer: (out: Out) => ArrayBuffer[] = () => [],
): void {
  const port = parentPort!;
  port.on('message', async ({ id, job, gate }: { id: number; job: Job; gate: Int32Array }) => {
    const leaveRead = () => Atomics.compareExchange(gate, 0, OPEN, READ_DONE) === OPEN;
    let reply: Reply;
    let buffers: ArrayBuffer[] = [];
    try {
      const value = await handle(job, leaveRead);
      reply = { id, ok: true, value };
      buffers = transfer(value);
    } catch (e) {
      reply = { id, ok: false, message: (e as Error).stack ?? String(e) };
    }
    port.postMessage(reply, buffers);
  });
  port.postMessage('ready');
}
