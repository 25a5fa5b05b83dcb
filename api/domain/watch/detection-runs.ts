import type { Db } from '../../../db/client.ts';
import { dayOf, startOfDay } from './days.ts';

/** One detection pass as the runs list shows it (recorded in the audit log by detection.ts). */
export interface DetectionRun {
  at: Date;
  by: string;
  townshipId: number;
  ms: number;
  found: number;
  inserted: number;
  updated: number;
  meters: number;
  rows: number;
}

interface Row {
  at: number;
  by: string;
  townshipId: string;
  details: string | null;
}

/**
 * The township's latest passes (null: every township's, for a county account), newest first: when, who or what
 * started them, how long they took and what they found.
 */
export function lastRuns(db: Db, townshipId: number | null, limit = 10): DetectionRun[] {
  const rows = db.$client
    .prepare(
      `select at, actor_label by, object_id townshipId, details from audit_log
      where object_type = 'watch_run' and (? is null or object_id = ?) and action = 'watch.run' order by id desc
      limit ?`,
    )
    .all(
      townshipId === null ? null : String(townshipId),
      townshipId === null ? null : String(townshipId),
      limit,
    ) as Row[];
  return rows.map((r) => {
    const d = (r.details ? JSON.parse(r.details) : {}) as Partial<Record<keyof DetectionRun, number>>;
    return {
      at: new Date(r.at),
      by: r.by,
      townshipId: Number(r.townshipId),
      ms: d.ms ?? 0,
      found: d.found ?? 0,
      inserted: d.inserted ?? 0,
      updated: d.updated ?? 0,
      meters: d.meters ?? 0,
      rows: d.rows ?? 0,
    };
  });
}

/** The nightly pass starts from this Beijing hour, when the utility's day is read and the office is away. */
export const NIGHTLY_HOUR = 2;

/**
 * Whether the nightly pass is due: past NIGHTLY_HOUR on the Beijing clock and no pass (nightly, after an import
 * or by hand) since then today. Read from the runs themselves, so a restart neither repeats nor skips it.
 */
export function nightlyDue(db: Db, now: Date): boolean {
  const since = startOfDay(dayOf(now)).getTime() + NIGHTLY_HOUR * 3_600_000;
  if (now.getTime() < since) return false;
  return !db.$client
    .prepare(`select 1 from audit_log where object_type = 'watch_run' and action = 'watch.run' and at >= ? limit 1`)
    .get(since);
}
