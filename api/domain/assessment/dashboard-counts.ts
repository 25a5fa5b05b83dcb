import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { monthBounds } from '../shared/months.ts';

/**
 * The leader's dashboard's counts, read for a county of millions of complaints: received and finished from the
 * trigger-kept public_complaint_counts (by filing month and village) and complaint_counts (by village and status),
 * what is overdue from the (township, status, due) and (status, due) indexes, which hold the few open ones.
 * Complaints held at township level (no village) are read from the complaints by their village index (null).
 */

const OPEN_STATUSES: readonly ComplaintStatus[] = ['submitted', 'accepted', 'assigned'];
const OPEN = `(${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const DONE: readonly ComplaintStatus[] = ['resolved', 'closed'];
const MONTH = "strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch')";

export interface Counts {
  received: number;
  done: number;
  open: number;
  overdue: number;
}
export const noCounts = (): Counts => ({ received: 0, done: 0, open: 0, overdue: 0 });

/** Where a count lands: the month it was filed in, and the township and village (0: none) that hold it. */
export interface Cell {
  month: string;
  townshipId: number;
  villageId: number;
}

type Add = (cell: Cell, key: keyof Counts, n: number) => void;

/** Filed in [first, last] (months), by month, township and village: received, and of those now finished. */
export function filedByMonth(db: Db, first: string, last: string, townshipId: number | null, add: Add) {
  const within = townshipId === null ? '' : 'AND v.township_id = @t';
  const villages = prepared(
    db.$client,
    `SELECT p.month month, v.township_id townshipId, p.village_id villageId, p.status status, sum(p.n) n
       FROM public_complaint_counts p JOIN villages v ON v.id = p.village_id
      WHERE p.month >= @first AND p.month <= @last ${within}
      GROUP BY p.month, p.village_id, p.status`,
  );
  const held = prepared(
    db.$client,
    `SELECT ${MONTH} month, township_id townshipId, 0 villageId, status, count(*) n
       FROM complaints INDEXED BY complaints_village -- the few with no village, not the township's all
      WHERE village_id IS NULL AND created_at >= @from AND created_at < @to
        ${townshipId === null ? '' : 'AND township_id = @t'} GROUP BY 1, 2, 4`,
  );
  const bounds = { from: monthBounds(first).start.getTime(), to: monthBounds(last).end.getTime() };
  const t = townshipId === null ? {} : { t: townshipId };
  for (const r of [...villages.all({ first, last, ...t }), ...held.all({ ...bounds, ...t })] as (Cell & {
    status: ComplaintStatus;
    n: number;
  })[]) {
    add(r, 'received', r.n);
    if (DONE.includes(r.status)) add(r, 'done', r.n);
  }
}

/** Open now, by township and village (month ''): the trigger-kept counts, and the township-held ones. */
export function openNow(db: Db, townshipId: number | null, add: Add) {
  const within = townshipId === null ? '' : 'AND v.township_id = @t';
  const rows = prepared(
    db.$client,
    `SELECT v.township_id townshipId, c.village_id villageId, sum(c.n) n FROM complaint_counts c
       JOIN villages v ON v.id = c.village_id WHERE c.status IN ${OPEN} ${within} GROUP BY c.village_id
     UNION ALL
     SELECT township_id, 0, count(*) FROM complaints WHERE village_id IS NULL AND status IN ${OPEN}
       ${townshipId === null ? '' : 'AND township_id = @t'} GROUP BY township_id`,
  ).all(townshipId === null ? {} : { t: townshipId }) as (Omit<Cell, 'month'> & { n: number })[];
  for (const r of rows) add({ month: '', ...r }, 'open', r.n);
}

/** Past its deadline and not finished, now: by filing month, township and village. */
export function overdueNow(db: Db, now: Date, townshipId: number | null, add: Add) {
  const rows = prepared(
    db.$client,
    `SELECT ${MONTH} month, township_id townshipId, coalesce(village_id, 0) villageId, count(*) n FROM complaints
      WHERE status IN ${OPEN} AND due_at < @now ${townshipId === null ? '' : 'AND township_id = @t'}
      GROUP BY 1, 2, 3`,
  ).all({ now: now.getTime(), ...(townshipId !== null && { t: townshipId }) }) as (Cell & { n: number })[];
  for (const r of rows) add(r, 'overdue', r.n);
}

export interface OverdueRow {
  id: number;
  township: string;
  village: string | null;
  category: string;
  dueAt: Date;
  status: ComplaintStatus;
}

/** The longest overdue first: what the leader asks about. One index walk per open status, merged. */
export function overdueList(db: Db, now: Date, townshipId: number | null, limit: number): OverdueRow[] {
  const stmt = prepared(
    db.$client,
    `SELECT c.id id, t.name township, v.name village, k.name category, c.due_at dueAt, c.status status
       FROM complaints c JOIN townships t ON t.id = c.township_id LEFT JOIN villages v ON v.id = c.village_id
       JOIN complaint_categories k ON k.id = c.category_id
      WHERE c.status = @status AND c.due_at < @now ${townshipId === null ? '' : 'AND c.township_id = @t'}
      ORDER BY c.due_at, c.id LIMIT @limit`,
  );
  type Row = Omit<OverdueRow, 'dueAt'> & { dueAt: number };
  const rows = OPEN_STATUSES.flatMap(
    (status) => stmt.all({ status, now: now.getTime(), limit, ...(townshipId !== null && { t: townshipId }) }) as Row[],
  );
  return rows
    .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)
    .slice(0, limit)
    .map((r) => ({ ...r, dueAt: new Date(r.dueAt) }));
}
