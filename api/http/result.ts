import type { Result } from '../domain/shared/result.ts';
import { ApiError } from './errors.ts';

/** A service's refusal becomes the HTTP answer; thrown inside a transaction, it also rolls it back. */
export function orThrow<T extends object>(r: Result<T>): { ok: true } & T {
  if (!r.ok) throw new ApiError(r.status, r.message);
  return r;
}
