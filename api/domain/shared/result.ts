import type { Db, Tx } from '../../../db/client.ts';

/** What a domain function answers: its value, or a refusal with the HTTP status it maps to. */
export type Result<T> = ({ ok: true } & T) | { ok: false; status: 400 | 403 | 404 | 409; message: string };
export const fail = (status: 400 | 403 | 404 | 409, message: string) => ({ ok: false as const, status, message });

class Refused extends Error {
  readonly status: 400 | 403 | 404 | 409;
  constructor(status: 400 | 403 | 404 | 409, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Runs `fn` in a transaction (a savepoint when nested). A refusal returned from anywhere inside
 * rolls back every write made before it, instead of committing half the work, and comes back as
 * the Result.
 */
export function atomically<T extends object>(db: Db | Tx, fn: (tx: Tx) => Result<T>): Result<T> {
  try {
    return db.transaction((tx) => {
      const r = fn(tx);
      if (!r.ok) throw new Refused(r.status, r.message);
      return r;
    });
  } catch (e) {
    if (e instanceof Refused) return fail(e.status, e.message);
    throw e;
  }
}
