import type Database from 'better-sqlite3';
import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';

type Count = { id: number; status: ComplaintStatus; n: number };

/**
 * The rows /stats and /results count, for one township: the trigger-kept tables carry the township that holds each
 * complaint (migration 0018), village 0 being what it holds outside every village.
 */
function prepare(c: Database.Database) {
  return {
    counts: c.prepare<
      { t: number },
      { month: string; village: number; category: number; status: ComplaintStatus; n: number }
    >(
      `SELECT month, village_id village, category_id category, status, n FROM public_complaint_counts
        WHERE township_id = @t AND n <> 0`,
    ),
    durations: c.prepare<{ t: number; kind: string; first: string; last: string }, { hours: number; n: number }>(
      `SELECT hours, sum(n) n FROM public_complaint_durations
        WHERE kind = @kind AND township_id = @t AND month >= @first AND month <= @last
        GROUP BY hours HAVING sum(n) > 0 ORDER BY hours`,
    ),
    actionsInMonth: c.prepare<{ t: number; month: string }, { action: string; n: number }>(
      'SELECT action, n FROM public_complaint_actions WHERE township_id = @t AND month = @month',
    ),
    decisionsByMonth: c.prepare<{ t: number }, { month: string; n: number }>(
      `SELECT month, sum(n) n FROM public_complaint_actions WHERE township_id = @t AND action IN ('accept', 'reject')
        GROUP BY month`,
    ),
    overdueHeld: c.prepare<{ t: number; status: string; cutoff: number }, { n: number }>(
      `SELECT count(*) n FROM complaints
        WHERE village_id IS NULL AND township_id = @t AND status = @status AND due_at < @cutoff`,
    ),
    villages: c.prepare<{ t: number }, { id: number; name: string }>(
      'SELECT id, name FROM villages WHERE township_id = @t ORDER BY id',
    ),
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

/** The same shapes as stats-sql.ts's statements, narrowed to one township. */
export function townshipRows(db: Db, townshipId: number) {
  let s = cache.get(db.$client);
  if (!s) cache.set(db.$client, (s = prepare(db.$client)));
  const t = townshipId;
  let cached: ReturnType<typeof s.counts.all> | undefined;
  const rows = () => (cached ??= s.counts.all({ t }));
  const sum = (
    key: (r: ReturnType<typeof rows>[number]) => string | number,
    keep = (_: ReturnType<typeof rows>[number]) => true,
  ) => {
    const out = new Map<string, { key: string | number; status: ComplaintStatus; n: number }>();
    for (const r of rows().filter(keep)) {
      const k = `${key(r)}\u0000${r.status}`;
      const o = out.get(k);
      if (o) o.n += r.n;
      else out.set(k, { key: key(r), status: r.status, n: r.n });
    }
    return [...out.values()];
  };
  const asCount = (xs: ReturnType<typeof sum>): Count[] =>
    xs.map((x) => ({ id: Number(x.key), status: x.status, n: x.n }));
  return {
    byVillageStatus: () => asCount(sum((r) => r.village)),
    byCategoryStatus: () => asCount(sum((r) => r.category)),
    byMonthStatus: (first: string, last: string) =>
      sum(
        (r) => r.month,
        (r) => r.month >= first && r.month <= last,
      ).map((x) => ({ month: String(x.key), status: x.status, n: x.n })),
    durations: (kind: 'accept' | 'resolve', first: string, last: string) => s.durations.all({ t, kind, first, last }),
    actionsInMonth: (month: string) => s.actionsInMonth.all({ t, month }),
    decisionsByMonth: () => s.decisionsByMonth.all({ t }),
    overdueAtTownship: (status: string, cutoff: number) => s.overdueHeld.get({ t, status, cutoff })!,
    villages: () => s.villages.all({ t }),
  };
}
