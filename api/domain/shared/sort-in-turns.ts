import { setImmediate as nextTurn } from 'node:timers/promises';

const RUN = 2048;

/**
 * Array.prototype.sort's result (stable, the same order) for lists long enough that one sort would hold the event
 * loop (20,000 rows with a comparator: 10-25 ms, more on a loaded machine): runs of 2,048 sorted one per turn, then
 * merged pairwise, a pass per turn.
 */
export async function sortInTurns<T>(list: readonly T[], compare: (a: T, b: T) => number): Promise<T[]> {
  let runs: T[][] = [];
  for (let i = 0; i < list.length; i += RUN) {
    runs.push(list.slice(i, i + RUN).sort(compare));
    await nextTurn();
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let i = 0; i < runs.length; i += 2)
      next.push(i + 1 < runs.length ? merge(runs[i]!, runs[i + 1]!, compare) : runs[i]!);
    runs = next;
    await nextTurn();
  }
  return runs[0] ?? [];
}

// Ties keep the left run's element first: the merge is as stable as the sort.
function merge<T>(a: T[], b: T[], compare: (a: T, b: T) => number): T[] {
  const out = new Array<T>(a.length + b.length);
  let i = 0,
    j = 0,
    k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
