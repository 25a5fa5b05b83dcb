import { createHash, randomBytes } from 'node:crypto';
import { sortInTurns } from '../shared/sort-in-turns.ts';

/**
 * The 双随机 draw rule (seed 001), simple enough to re-run by hand with any SHA-256 tool:
 *
 * - every candidate enterprise gets the key SHA-256("<seed>:e<id>") in lowercase hex,
 *   every candidate inspector the key SHA-256("<seed>:u<userId>");
 * - candidates are ranked by key, ascending (ties, which never happen in practice, by id);
 * - the first N enterprises are drawn, and the first k inspectors of each department,
 *   departments taken in ascending id order.
 *
 * The same seed and the same candidate lists always give the same result, whatever the order
 * the lists are given in; a draw stores both, so anyone can check it later.
 */
export interface DrawInputs {
  seed: string;
  enterpriseIds: readonly number[];
  enterpriseCount: number;
  /** Department id → its candidate inspectors' user ids. */
  inspectors: Readonly<Record<string, readonly number[]>>;
  inspectorsPerDepartment: number;
}

export interface DrawResult {
  /** In rank order. */
  enterpriseIds: number[];
  /** Department by department (ascending id), each in rank order. */
  inspectorIds: number[];
  byDepartment: Record<string, number[]>;
}

export const drawKey = (seed: string, kind: 'e' | 'u', id: number) =>
  createHash('sha256').update(`${seed}:${kind}${id}`, 'utf8').digest('hex');

type Keyed = { id: number; key: string };
const byKey = (a: Keyed, b: Keyed) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id - b.id);

export function rank(seed: string, kind: 'e' | 'u', ids: readonly number[]): number[] {
  return [...new Set(ids)]
    .map((id) => ({ id, key: drawKey(seed, kind, id) }))
    .sort(byKey)
    .map((c) => c.id);
}

/**
 * The same ranking for a county's tens of thousands of candidates (a night-patrol plan draws from every file): the
 * keys are hashed a slice at a time with a turn of the event loop between, so no request waits behind them.
 */
export async function rankInTurns(seed: string, kind: 'e' | 'u', ids: readonly number[], sliceMs = 15) {
  const keyed: Keyed[] = [];
  let slice = performance.now();
  for (const id of new Set(ids)) {
    keyed.push({ id, key: drawKey(seed, kind, id) });
    if ((keyed.length & 255) === 0 && performance.now() - slice > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return (await sortInTurns(keyed, byKey)).map((c) => c.id);
}

export function runDraw(input: DrawInputs): DrawResult {
  const enterpriseIds = rank(input.seed, 'e', input.enterpriseIds).slice(0, input.enterpriseCount);
  const byDepartment: Record<string, number[]> = {};
  for (const dept of Object.keys(input.inspectors).sort((a, b) => Number(a) - Number(b))) {
    byDepartment[dept] = rank(input.seed, 'u', input.inspectors[dept] ?? []).slice(0, input.inspectorsPerDepartment);
  }
  return { enterpriseIds, inspectorIds: Object.values(byDepartment).flat(), byDepartment };
}

/** A seed nobody chose: 16 random bytes in hex. */
export const randomSeed = () => randomBytes(16).toString('hex');

export const sortedIds = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);
