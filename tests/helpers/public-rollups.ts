import type Database from 'better-sqlite3';
import { monthOf } from '../../api/domain/shared/months.ts';

const H = 3_600_000;
type Keyed = Map<string, number>;

/**
 * What the trigger-kept public tables (migrations 0004, 0018) must hold, recomputed from the complaints and their
 * events with plain code: each complaint under the township holding it now, with its past decisions; the
 * histograms also under township 0, the county.
 */
export function recomputeRollups(c: Database.Database): { counts: Keyed; durations: Keyed; actions: Keyed } {
  const counts: Keyed = new Map(),
    durations: Keyed = new Map(),
    actions: Keyed = new Map();
  const add = (m: Keyed, k: (string | number)[]) => m.set(k.join('|'), (m.get(k.join('|')) ?? 0) + 1);
  const all = c
    .prepare('SELECT id, township_id, village_id, category_id, status, created_at, accepted_at FROM complaints')
    .all() as {
    id: number;
    township_id: number;
    village_id: number | null;
    category_id: number;
    status: string;
    created_at: number;
    accepted_at: number | null;
  }[];
  const byId = new Map(all.map((r) => [r.id, r]));
  for (const r of all) {
    const month = monthOf(new Date(r.created_at));
    add(counts, [month, r.township_id, r.village_id ?? 0, r.category_id, r.status]);
    if (r.accepted_at !== null)
      for (const t of [r.township_id, 0])
        add(durations, ['accept', t, month, Math.floor(Math.max(0, r.accepted_at - r.created_at) / H)]);
  }
  const events = c
    .prepare('SELECT id, complaint_id, from_status, to_status, action, at FROM complaint_events ORDER BY id')
    .all() as {
    id: number;
    complaint_id: number;
    from_status: string | null;
    to_status: string;
    action: string;
    at: number;
  }[];
  const latestResolve = new Map<number, { id: number; at: number }>();
  for (const e of events) {
    const r = byId.get(e.complaint_id)!;
    if (e.from_status && e.from_status !== e.to_status)
      add(actions, [r.township_id, monthOf(new Date(e.at)), e.action]);
    const prev = latestResolve.get(e.complaint_id);
    if (e.action === 'resolve' && (!prev || prev.at < e.at || (prev.at === e.at && prev.id < e.id)))
      latestResolve.set(e.complaint_id, { id: e.id, at: e.at });
  }
  for (const [id, e] of latestResolve) {
    const r = byId.get(id)!;
    const hours = Math.floor(Math.max(0, e.at - r.created_at) / H);
    for (const t of [r.township_id, 0]) add(durations, ['resolve', t, monthOf(new Date(r.created_at)), hours]);
  }
  return { counts, durations, actions };
}

/** The trigger-kept tables as stored, in recomputeRollups's keys (rows counting nothing left out). */
export function storedRollups(c: Database.Database): { counts: Keyed; durations: Keyed; actions: Keyed } {
  const read = (sql: string) => new Map((c.prepare(sql).all() as { k: string; n: number }[]).map((r) => [r.k, r.n]));
  return {
    counts: read(
      "SELECT month || '|' || township_id || '|' || village_id || '|' || category_id || '|' || status k, n " +
        'FROM public_complaint_counts WHERE n <> 0',
    ),
    durations: read(
      "SELECT kind || '|' || township_id || '|' || month || '|' || hours k, n " +
        'FROM public_complaint_durations WHERE n <> 0',
    ),
    actions: read(
      "SELECT township_id || '|' || month || '|' || action k, n FROM public_complaint_actions WHERE n <> 0",
    ),
  };
}

/** A map's entries in key order, to compare two maps with toEqual. */
export const sortedEntries = (m: Keyed) => [...m].sort(([a], [b]) => a.localeCompare(b));
