import { and, asc, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { recordId } from '../shared/text-input.ts';
import { contains } from '../shared/sql-text.ts';
import { WATERMARK } from './search-index.ts';
import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import { complaintsFts } from '../../../db/fts.ts';
import { COMPLAINT_STATUSES, complaintCategories, complaints, townships, villages } from '../../../db/schema.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { complaintScope, visibleComplaint } from './scope.ts';
import { townshipFilter, walkingTownship } from './queue-township.ts';
import { normalizeTrackingCode } from './tracking-code.ts';
import { OPEN_STATUSES } from './workflow.ts';
import type { ReporterAlert } from './followup-kinds.ts';

const PAGE = 50;
const optionalId = recordId('编号').optional().catch(undefined);
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

/** The queue's filters as they arrive in a URL; anything malformed is simply ignored. */
export const queueQuery = z.object({
  sort: z.enum(['newest', 'overdue']).catch('newest').default('newest'),
  status: z.enum(COMPLAINT_STATUSES).optional().catch(undefined),
  category: optionalId,
  village: z
    .union([z.literal('none'), recordId('村（社区）')])
    .optional()
    .catch(undefined),
  from: day,
  to: day,
  photos: z.enum(['yes', 'no']).optional().catch(undefined),
  duplicate: z.enum(['yes']).optional().catch(undefined),
  overdue: z.enum(['yes']).optional().catch(undefined),
  /** 镇街交界 only: reports within BORDER_METRES of another township's boundary (decision 024). */
  border: z.enum(['yes']).optional().catch(undefined),
  q: z.string().trim().max(50).optional().catch(undefined),
  /** A county account's choice of one township (its code): what that township's office would see. */
  township: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .optional()
    .catch(undefined),
  after: z
    .string()
    .regex(/^\d+(_\d+)?$/)
    .optional()
    .catch(undefined),
});
export type QueueQuery = z.infer<typeof queueQuery>;

/** A queue row: never the tracking code, which is the reporter's key to the report. */
export interface QueueRow {
  id: number;
  status: (typeof COMPLAINT_STATUSES)[number];
  category: string;
  villageName: string | null;
  /** The township holding it (a county account's queue shows it). */
  townshipName: string;
  description: string;
  createdAt: Date;
  dueAt: Date;
  hasPhotos: boolean;
  possibleDuplicate: boolean;
  /** Filed with an address and no point: the office places it on the map first (decision 016). */
  needsLocation: boolean;
  /** The reporter came back (followups.ts): shown first until a staff member acts on it. */
  reporterAlert: ReporterAlert | null;
  reporterAlertAt: Date | null;
  /** 镇街交界: the other township near the point, which sees it too (decision 024); townshipId holds it. */
  townshipId: number;
  borderTownshipId: number | null;
  version: number;
}

/**
 * What the search box holds: a complaint number ("123", "#123"), a tracking code read out by a
 * reporter on the phone (matched exactly, never echoed), or words to find in the text.
 */
export type QueueSearch =
  | { kind: 'number'; id: number; text: string }
  | { kind: 'code'; code: string }
  | { kind: 'text' };

export function queueSearch(q: QueueQuery): QueueSearch {
  const typed = q.q?.normalize('NFKC').trim() ?? '';
  const number = /^(?:#|№|no\.?)?\s*(\d{1,9})$/i.exec(typed);
  if (number) return { kind: 'number', id: Number(number[1]), text: number[1]! };
  // Codes have ten characters, numbers at most nine digits: the two never meet.
  const code = normalizeTrackingCode(typed);
  if (code) return { kind: 'code', code };
  return { kind: 'text' };
}

const beijingDay = (d: string, endOfDay = false) => new Date(`${d}T${endOfDay ? '23:59:59.999' : '00:00:00'}+08:00`);

function filters(user: StaffUser, q: QueueQuery, now: Date, walk?: number): SQL[] {
  const where: SQL[] = [];
  const scope = complaintScope(user);
  // The same rows as the scope (and a county account's township filter), written so that no index is used for them.
  if (walk !== undefined)
    where.push(sql`(+${complaints.townshipId} = ${walk} or +${complaints.borderTownshipId} = ${walk})`);
  else {
    if (scope) where.push(scope);
    if (q.township) where.push(townshipFilter(q.township));
  }
  if (q.status) where.push(eq(complaints.status, q.status));
  if (q.category) where.push(eq(complaints.categoryId, q.category));
  if (q.village === 'none') where.push(sql`${complaints.villageId} is null`);
  else if (q.village) where.push(eq(complaints.villageId, q.village));
  if (q.from) where.push(gte(complaints.createdAt, beijingDay(q.from)));
  if (q.to) where.push(lt(complaints.createdAt, new Date(beijingDay(q.to, true).getTime() + 1)));
  if (q.photos) where.push(eq(complaints.hasPhotos, q.photos === 'yes'));
  if (q.duplicate) where.push(eq(complaints.possibleDuplicate, true));
  if (q.border) where.push(isNotNull(complaints.borderTownshipId));
  if (q.overdue || q.sort === 'overdue') where.push(inArray(complaints.status, [...OPEN_STATUSES]));
  if (q.overdue) where.push(lt(complaints.dueAt, now));
  // The trigram index needs three characters (see listQueue); shorter words fall back to a scan.
  if (q.q && !usesFts(q)) where.push(or(contains(complaints.description, q.q), contains(complaints.address, q.q))!);
  return where;
}

const usesFts = (q: QueueQuery) => !!q.q && [...q.q].length >= 3;

/**
 * One page of the queue, newest first or most overdue first, by keyset (no OFFSET). A search
 * for a number also yields that complaint as `match`, above the text hits and whatever the other
 * filters say; a search for a tracking code yields only its `match` (audited: the code is the
 * reporter's secret). Both stay within the staff member's scope.
 */
export function listQueue(
  db: Db,
  user: StaffUser,
  input: QueueQuery,
  now = new Date(),
): { rows: QueueRow[]; nextCursor: string | null; match: QueueRow | null; alerts: QueueRow[] } {
  const search = queueSearch(input);
  if (search.kind === 'code')
    return { rows: [], nextCursor: null, match: byTrackingCode(db, user, search.code, now), alerts: [] };
  const q = search.kind === 'number' ? { ...input, q: search.text } : input;
  const match = search.kind === 'number' && !q.after ? byNumber(db, user, search.id) : null;
  const walk = walkingTownship(db, user, q);
  const where = filters(user, q, now, walk);
  const overdueFirst = q.sort === 'overdue';
  if (q.after) {
    const [a, b] = q.after.split('_').map(Number) as [number, number | undefined];
    if (overdueFirst && b !== undefined) where.push(sql`(${complaints.dueAt}, ${complaints.id}) > (${a}, ${b})`);
    else if (!overdueFirst) where.push(sql`${complaints.id} < ${a}`);
  }
  const fts = usesFts(q);
  const query = (extra: SQL[], joinFts: boolean): QueueRow[] => {
    // Ids grow with filing time, so "newest first" is id order: one index for every filter, and
    // with a text search FTS5 hands rows over newest first, so the page stops after 50 hits.
    const order = overdueFirst
      ? [asc(complaints.dueAt), asc(complaints.id)]
      : [desc(joinFts ? complaintsFts.rowid : complaints.id)];
    const base = db.select(ROW).from(complaints);
    return (joinFts ? base.innerJoin(complaintsFts, eq(complaintsFts.rowid, complaints.id)) : base)
      .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
      .leftJoin(townships, eq(townships.id, complaints.townshipId))
      .leftJoin(villages, eq(villages.id, complaints.villageId))
      .where(and(...where, ...extra))
      .orderBy(...order)
      .limit(PAGE + 1)
      .all();
  };
  const rows = fts ? textSearch(q.q!, query, overdueFirst) : query([], false);
  const more = rows.length > PAGE;
  const page = rows.slice(0, PAGE);
  const last = page.at(-1);
  const nextCursor = more && last ? (overdueFirst ? `${last.dueAt.getTime()}_${last.id}` : String(last.id)) : null;
  const alerts = q.after ? [] : reporterAlerts(db, filters(user, q, now, walk), usesFts(q) ? q.q : undefined);
  return { rows: match ? page.filter((r) => r.id !== match.id) : page, nextCursor, match, alerts };
}

/** At most this many flagged complaints head the queue's first page (the office clears them as it acts). */
export const ALERTS_SHOWN = 200;
// The flagged few, newest flag first, straight from their partial index: a filter on status or village must not
// lead the planner to scan that index's rows instead (INDEXED BY makes the choice).
const FLAGGED = `SELECT id FROM complaints INDEXED BY complaints_reporter_alert
  WHERE reporter_alert IS NOT NULL ORDER BY reporter_alert_at DESC LIMIT ${ALERTS_SHOWN}`;

/**
 * The complaints the reporter came back to (补充材料, 又开工了, 不满意) within the same filters as the page, newest
 * flag first: shown above the rest on the first page. Looked up by id, so each costs one primary-key read.
 */
function reporterAlerts(db: Db, where: SQL[], text: string | undefined): QueueRow[] {
  const ids = (prepared(db.$client, FLAGGED).all() as { id: number }[]).map((r) => r.id);
  if (!ids.length) return [];
  // A longer search term matches the few directly (filters() leaves it to the text index, which would hand over
  // every hit, flagged or not).
  const words = text ? [or(contains(complaints.description, text), contains(complaints.address, text))!] : [];
  return db
    .select(ROW)
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .leftJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(and(inArray(complaints.id, ids), isNotNull(complaints.reporterAlert), ...where, ...words))
    .orderBy(desc(complaints.reporterAlertAt), desc(complaints.id))
    .all();
}

const ROW = {
  id: complaints.id,
  status: complaints.status,
  category: complaintCategories.name,
  villageName: villages.name,
  // Joined LEFT (every complaint has its township) so the planner cannot read complaints through the township index
  // for each township and sort them all (4.6 s for the county's first page at 2,000,000; 0.6 ms as a left join).
  townshipName: sql<string>`${townships.name}`,
  description: complaints.description,
  createdAt: complaints.createdAt,
  dueAt: complaints.dueAt,
  hasPhotos: complaints.hasPhotos,
  possibleDuplicate: complaints.possibleDuplicate,
  needsLocation: complaints.needsLocation,
  reporterAlert: complaints.reporterAlert,
  reporterAlertAt: complaints.reporterAlertAt,
  townshipId: complaints.townshipId,
  borderTownshipId: complaints.borderTownshipId,
  version: complaints.version,
};

function oneRow(db: Db, where: SQL | undefined): QueueRow | null {
  return (
    db
      .select(ROW)
      .from(complaints)
      .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
      .leftJoin(townships, eq(townships.id, complaints.townshipId))
      .leftJoin(villages, eq(villages.id, complaints.villageId))
      .where(where)
      .get() ?? null
  );
}

const byNumber = (db: Db, user: StaffUser, id: number) => oneRow(db, visibleComplaint(user, id));

/** A complaint found by the code its reporter read out; the look-up is audited, the code is not stored. */
function byTrackingCode(db: Db, user: StaffUser, code: string, now: Date): QueueRow | null {
  const row = oneRow(db, and(eq(complaints.trackingCode, code), complaintScope(user)));
  if (row) {
    audit(
      db,
      { id: user.id, label: user.displayName },
      { action: 'complaint.tracking_code_lookup', objectType: 'complaint', objectId: row.id },
      now,
    );
  }
  return row;
}

/**
 * The text index holds complaints up to its watermark (decision 010); the few newer ones are
 * matched directly. Both halves come in the page's order and are merged.
 */
function textSearch(
  text: string,
  query: (extra: SQL[], joinFts: boolean) => QueueRow[],
  overdueFirst: boolean,
): QueueRow[] {
  const indexed = query([sql`${complaintsFts} match ${`"${text.replace(/"/g, '""')}"`}`], true);
  const newer = query(
    [
      sql`${complaints.id} > ${sql.raw(WATERMARK)}`,
      or(contains(complaints.description, text), contains(complaints.address, text))!,
    ],
    false,
  );
  // A complaint indexed between the two reads comes back from both.
  const seen = new Set(indexed.map((r) => r.id));
  const before = (a: QueueRow, b: QueueRow) =>
    overdueFirst ? a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id : b.id - a.id;
  return [...indexed, ...newer.filter((r) => !seen.has(r.id))].sort(before).slice(0, PAGE + 1);
}

export { queueCounts } from './queue-counts.ts';
