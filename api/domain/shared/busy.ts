/**
 * The server cannot do this now (its threads all busy, or a read out of time), though the request was right: the
 * API answers 503 with this Chinese message and Retry-After, never a 500 that reads as a fault.
 */
export class BusyError extends Error {
  override readonly name = 'BusyError';
  readonly retryAfterS: number;
  constructor(message: string, retryAfterS = 5) {
    super(message);
    this.retryAfterS = retryAfterS;
  }
}

/** By name, not class: the Astro pages are bundled with a copy of this module of their own. */
export const isBusy = (err: unknown): err is BusyError => err instanceof Error && err.name === 'BusyError';
