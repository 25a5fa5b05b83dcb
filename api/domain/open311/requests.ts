import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintDepartments,
  complaints,
  departments,
  townships,
  villages,
  type ComplaintStatus,
} from '../../../db/schema.ts';
import { w3cDatetime } from './format.ts';
import { commaList, dateWindow, datetime, positive } from './query.ts';
import { publicTextOf } from './public-text.ts';
import { outcomesOf, specStatus, statusNotes } from './statuses.ts';
import type { VillageArea } from '../shared/village-routing.ts';
import { officeOf } from '../shared/office-name.ts';

/** Moderated complaints only (accepted or later, neither refused nor merged) make the public list. */
export const LISTED_STATUSES: readonly ComplaintStatus[] = ['accepted', 'assigned', 'resolved', 'closed'];
const BY_OPEN311_STATUS = { open: ['accepted', 'assigned'], closed: ['resolved', 'closed'] } as const satisfies Record<
  string,
  readonly ComplaintStatus[]
>;
/** Steps that change a public field (status, category, agency, deadline); replies and notes do not. */
const PUBLIC_ACTIONS_EXCLUDED = ['reply', 'note'];

export const MAX_PAGE_SIZE = 1000;
/**
 * FixMyStreet polls every request it sent in one service_request_id list; Node's 16 KB limit on the
 * request line and headers lets about 1,800 six-digit ids through. Beyond this many the list is refused.
 */
export const MAX_IDS = 10_000;
/** Ids read and written per turn of the event loop: a long list never holds the thread for long. */
export const ID_CHUNK = 250;

/** The arguments that take a list: comma-separated, repeated, or both (query.ts). */
export const LIST_ARGUMENTS: ReadonlySet<string> = new Set(['service_request_id', 'service_code', 'status']);

/** GET requests' arguments (the spec's, plus the widely used page/page_size extension). */
export const requestsQuery = z.object({
  service_request_id: commaList(MAX_IDS * 17)
    .refine((ids) => ids.length <= MAX_IDS, { error: `一次最多查询 ${MAX_IDS} 个 service_request_id，请分批查询` })
    .refine((ids) => ids.every((id) => /^\d{1,15}$/.test(id)), { error: 'service_request_id 格式不正确' }),
  service_code: commaList(),
  status: commaList().refine((s) => s.every((v) => v === 'open' || v === 'closed'), {
    error: 'status 只能是 open 或 closed',
  }),
  start_date: datetime('start_date', false),
  end_date: datetime('end_date', true),
  page: positive('page', 1_000_000), // beyond that the offset is no page anyone reads (and overflows SQLite)
  page_size: positive('page_size', MAX_PAGE_SIZE),
});
export type RequestsQuery = z.output<typeof requestsQuery>;

export interface PublicRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  /** The resident's description, redacted as typical cases are, once the office has accepted the report. */
  description: string | null;
  agency_responsible: string;
  service_notice: null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string;
  lat: number | null;
  long: number | null;
}

type Point = { lat: number; long: number };
const round4 = (n: number) => Math.round(n * 1e4) / 1e4;

/** Where a request is shown: the centre of its village (or township), never the reported point. */
function places(areas: VillageArea[]) {
  const village = new Map<number, Point>();
  const sums = new Map<number, { lat: number; long: number; n: number }>();
  for (const a of areas) {
    const p = { lat: a.centre.lat, long: a.centre.lng }; // the same point the public case map uses
    village.set(a.id, { lat: round4(p.lat), long: round4(p.long) });
    const s = sums.get(a.townshipId) ?? { lat: 0, long: 0, n: 0 };
    sums.set(a.townshipId, { lat: s.lat + p.lat, long: s.long + p.long, n: s.n + 1 });
  }
  const township = new Map([...sums].map(([id, s]) => [id, { lat: round4(s.lat / s.n), long: round4(s.long / s.n) }]));
  return { village, township };
}

function selectRows(db: Db, where: SQL | undefined, limit: number, offset: number) {
  return db
    .select({
      id: complaints.id,
      status: complaints.status,
      description: complaints.description,
      needsLocation: complaints.needsLocation,
      createdAt: complaints.createdAt,
      dueAt: complaints.dueAt,
      extendedDays: complaints.extendedDays,
      villageId: complaints.villageId,
      townshipId: complaints.townshipId,
      villageName: villages.name,
      townshipName: townships.name,
      serviceCode: complaintCategories.code,
      serviceName: complaintCategories.name,
      changedAt: sql<number | null>`(select max(e.at) from complaint_events e where e.complaint_id = ${complaints.id}
        and e.action not in (${sql.join(
          PUBLIC_ACTIONS_EXCLUDED.map((a) => sql`${a}`),
          sql`, `,
        )}))`,
    })
    .from(complaints)
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(where)
    .orderBy(desc(complaints.id))
    .limit(limit)
    .offset(offset)
    .all();
}

function toPublic(db: Db, areas: VillageArea[], rows: ReturnType<typeof selectRows>): PublicRequest[] {
  const { village, township } = places(areas);
  const assigned = new Set(
    rows
      .filter(
        (r) => r.villageId !== null && (r.status === 'assigned' || r.status === 'resolved' || r.status === 'closed'),
      )
      .map((r) => r.id),
  );
  const joined = new Map<number, string[]>();
  if (assigned.size) {
    const links = db
      .select({ complaintId: complaintDepartments.complaintId, name: departments.name })
      .from(complaintDepartments)
      .innerJoin(departments, eq(departments.id, complaintDepartments.departmentId))
      .where(inArray(complaintDepartments.complaintId, [...assigned]))
      .orderBy(asc(departments.sort))
      .all();
    for (const l of links) joined.set(l.complaintId, [...(joined.get(l.complaintId) ?? []), l.name]);
  }
  const listed = (r: (typeof rows)[number]) => LISTED_STATUSES.includes(r.status);
  const publicText = publicTextOf(
    db,
    rows.filter(listed).map((r) => r.id),
  );
  const outcome = outcomesOf(
    db,
    rows.filter((r) => specStatus(r.status) === 'closed').map((r) => r.id),
  );
  return rows.map((r) => {
    const status = specStatus(r.status);
    // An address not yet placed on the map has no public point: its stored one is a placeholder (decision 016).
    const point = r.needsLocation
      ? undefined
      : ((r.villageId !== null ? village.get(r.villageId) : undefined) ?? township.get(r.townshipId));
    const office = officeOf(r.townshipName);
    // Once assigned, the village (属地) and any joined departments do the work; before that the office decides.
    const agency = assigned.has(r.id) ? [r.villageName!, ...(joined.get(r.id) ?? [])].join('、') : office;
    return {
      service_request_id: String(r.id),
      status,
      status_notes: statusNotes(r.status, outcome(r.id), r.extendedDays),
      service_name: r.serviceName,
      service_code: r.serviceCode,
      // Unmoderated, refused or merged reports' words are not published: nobody has read them yet, or they stay out.
      description: listed(r) ? publicText(r.id, r.description) : null,
      agency_responsible: agency,
      service_notice: null,
      requested_datetime: w3cDatetime(r.createdAt),
      updated_datetime: w3cDatetime(new Date(r.changedAt ?? r.createdAt.getTime())),
      expected_datetime: status === 'open' ? w3cDatetime(r.dueAt) : null,
      address: r.villageName
        ? `${r.villageName}, ${r.townshipName}`
        : r.townshipName + (r.needsLocation ? '（具体位置待整治办确定）' : ''),
      lat: point?.lat ?? null,
      long: point?.long ?? null,
    };
  });
}

export type ListResult = { ok: true; requests: PublicRequest[] } | { ok: false; message: string };

/**
 * GET requests by id (the spec: "overrides all other arguments"): any request is found, so a client
 * can follow what it filed before staff moderate it. Newest first, read ID_CHUNK ids at a time with
 * a turn of the event loop between, so a poll of thousands never holds the thread long.
 */
export async function requestsByIds(
  db: Db,
  areas: VillageArea[],
  ids: readonly string[],
  pause: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): Promise<PublicRequest[]> {
  const wanted = [...new Set(ids.map(Number))].sort((a, b) => b - a);
  const out: PublicRequest[] = [];
  for (let i = 0; i < wanted.length; i += ID_CHUNK) {
    if (i > 0) await pause();
    const chunk = wanted.slice(i, i + ID_CHUNK);
    out.push(...toPublic(db, areas, selectRows(db, inArray(complaints.id, chunk), chunk.length, 0)));
  }
  return out;
}

/** GET requests by date, status and service: moderated requests only, a page at a time. */
export function listRequests(db: Db, areas: VillageArea[], q: RequestsQuery, now: Date): ListResult {
  const window = dateWindow(q.start_date, q.end_date, now);
  if (!window.ok) return window;
  const { start, end } = window;

  const wanted = q.status.length
    ? LISTED_STATUSES.filter((s) =>
        q.status.some((o) => (BY_OPEN311_STATUS[o as 'open' | 'closed'] as readonly string[]).includes(s)),
      )
    : LISTED_STATUSES;
  const where = and(
    inArray(complaints.status, [...wanted]),
    gte(complaints.createdAt, start),
    lte(complaints.createdAt, end),
    q.service_code.length ? inArray(complaintCategories.code, q.service_code) : undefined,
  );
  const size = q.page_size ?? MAX_PAGE_SIZE;
  return { ok: true, requests: toPublic(db, areas, selectRows(db, where, size, ((q.page ?? 1) - 1) * size)) };
}

/** GET requests/{id}: one request, whatever its status, public fields only. */
export function getRequest(db: Db, areas: VillageArea[], id: number): PublicRequest | null {
  return toPublic(db, areas, selectRows(db, eq(complaints.id, id), 1, 0))[0] ?? null;
}
