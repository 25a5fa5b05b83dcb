import type { Db } from './client.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
interface Pending {
  work: (tx: Tx) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: writes that arrive while the event loop is busy share one transaction and so
 * one fsync. Each write runs in its own savepoint, so one failing write does not undo the
 * others, and no caller hears "done" before the batch is durably committed.
 */
export class CommitQueue {
  private readonly db: Db;
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(db: Db) {
    this.db = db;
  }

  run<T>(work: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db.transaction(
        (tx) => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: tx.transaction((sp) => item.work(sp)) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        },
        { behavior: 'immediate' },
      );
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
