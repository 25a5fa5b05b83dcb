import type Database from 'better-sqlite3';
import type { Db } from '../../../db/client.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';

type Count = { id: number; status: ComplaintStatus; n: number };

/**
 * The rows /stats counts, for one township: the trigger-kept counts of its villages, and the few it holds outside
 * every village read from the complaints themselves (public_complaint_counts keys those by village 0 only).
 */
function prepare(c: Database.Database) {
  const IN_VILLAGES = 'village_id IN (SELECT id FROM villages WHERE township_id = @t)';
  const HELD = 'FROM complaints WHERE village_id IS NULL AND township_id = @t';
  const MONTH = "strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch')";
  return {
    counts: c.prepare<
      { t: number },
      { month: string; village: number; category: number; status: ComplaintStatus; n: number }
    >(
      `SELECT month, village_id village, category_id category, status, sum(n) n FROM public_complaint_counts
        WHERE ${IN_VILLAGES} GROUP BY month, village_id, category_id, status
       UNION ALL SELECT ${MONTH}, 0, category_id, status, count(*) ${HELD} GROUP BY 1, 3, 4`,
    ),
    overdueHeld: c.prepare<{ t: number; status: string; cutoff: number }, { n: number }>(
      `SELECT count(*) n ${HELD} AND status = @status AND due_at < @cutoff`,
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
  const rows = s.counts.all({ t });
  const sum = (key: (r: (typeof rows)[number]) => string | number, keep = (_: (typeof rows)[number]) => true) => {
    const out = new Map<string, { key: string | number; status: ComplaintStatus; n: number }>();
    for (const r of rows.filter(keep)) {
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
    overdueAtTownship: (status: string, cutoff: number) => s.overdueHeld.get({ t, status, cutoff })!,
    villages: () => s.villages.all({ t }),
  };
}
