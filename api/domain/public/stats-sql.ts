import type Database from 'better-sqlite3';
import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';

/**
 * The public numbers read the trigger-kept tables of migrations 0004 and 0018 (a few thousand rows however
 * many complaints there are; the county's counts sum its townships' rows, its medians read the histograms' own
 * county rows, township 0), and the (village, status, due) index for what is overdue.
 */
function prepare(c: Database.Database) {
  return {
    byVillageStatus: c.prepare<[], { id: number; status: ComplaintStatus; n: number }>(
      'SELECT village_id id, status, sum(n) n FROM public_complaint_counts GROUP BY village_id, status',
    ),
    byCategoryStatus: c.prepare<[], { id: number; status: ComplaintStatus; n: number }>(
      'SELECT category_id id, status, sum(n) n FROM public_complaint_counts GROUP BY category_id, status',
    ),
    byMonthStatus: c.prepare<[string, string], { month: string; status: ComplaintStatus; n: number }>(
      `SELECT month, status, sum(n) n FROM public_complaint_counts WHERE month >= ? AND month <= ?
        GROUP BY month, status`,
    ),
    receivedByMonth: c.prepare<[], { month: string; n: number }>(
      'SELECT month, sum(n) n FROM public_complaint_counts GROUP BY month',
    ),
    durations: c.prepare<[string, string, string], { hours: number; n: number }>(
      `SELECT hours, sum(n) n FROM public_complaint_durations
        WHERE kind = ? AND township_id = 0 AND month >= ? AND month <= ?
        GROUP BY hours HAVING sum(n) > 0 ORDER BY hours`,
    ),
    actionsInMonth: c.prepare<[string], { action: string; n: number }>(
      'SELECT action, sum(n) n FROM public_complaint_actions WHERE month = ? GROUP BY action',
    ),
    decisionsByMonth: c.prepare<[], { month: string; n: number }>(
      "SELECT month, sum(n) n FROM public_complaint_actions WHERE action IN ('accept', 'reject') GROUP BY month",
    ),
    overdueInVillage: c.prepare<[number, string, number], { n: number }>(
      'SELECT count(*) n FROM complaints WHERE village_id = ? AND status = ? AND due_at < ?',
    ),
    overdueAtTownship: c.prepare<[string, number], { n: number }>(
      'SELECT count(*) n FROM complaints WHERE village_id IS NULL AND status = ? AND due_at < ?',
    ),
    villages: c.prepare<[], { id: number; name: string }>('SELECT id, name FROM villages ORDER BY id'),
    categories: c.prepare<[], { id: number; name: string }>(
      'SELECT id, name FROM complaint_categories ORDER BY sort, id',
    ),
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

export function statsStatements(db: Db): ReturnType<typeof prepare> {
  let s = cache.get(db.$client);
  if (!s) cache.set(db.$client, (s = prepare(db.$client)));
  return s;
}

export interface Median {
  /** Days, from whole hours; null when nothing has been measured yet. */
  days: number | null;
  /** How many complaints it is the median of. */
  n: number;
}

/** The median of a histogram of whole hours, ascending: the middle value, or the mean of the two middle ones. */
export function medianOfHours(buckets: { hours: number; n: number }[]): Median {
  const n = buckets.reduce((s, b) => s + b.n, 0);
  if (n === 0) return { days: null, n: 0 };
  const at = (index: number) => {
    let seen = 0;
    for (const b of buckets) if ((seen += b.n) > index) return b.hours;
    return buckets[buckets.length - 1]!.hours;
  };
  const hours = (at(Math.floor((n - 1) / 2)) + at(Math.floor(n / 2))) / 2;
  return { days: hours / 24, n };
}
