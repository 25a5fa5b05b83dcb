import { and, asc, count, desc, eq, like, sql } from 'drizzle-orm';
import { z } from 'zod';
import { decimal, recordId } from '../shared/text-input.ts';
import type { Db } from '../../../db/client.ts';
import { villageCentroid } from '../shared/geo.ts';
import { monthOf, monthRange } from '../shared/months.ts';
import { firstMonth } from './results.ts';
import { villages } from '../../../db/schema.ts';
import { INSPECTION_AREAS, REMEDIATION_TYPES, type RemediationType } from '../../../db/schema-enforcement.ts';
import { casePhotos, cases } from '../../../db/schema-public.ts';
import { AREA_LABELS, REMEDIATION_LABELS } from '../enforcement/labels.ts';
import { THUMB_MAX } from '../shared/photos/pipeline.ts';
import { publicMasker } from './cases.ts';
import { beijingDate } from '../shared/time.ts';

// Public code: reads cases, their public photos and village names, nothing else about a case
// that it returns. It also reads the strings the reporters of each case's enterprise gave, only to
// mask them (publicMasker); they never leave this module.

export interface PublicCasePhoto {
  id: string;
  kind: 'before' | 'after';
  width: number;
  height: number;
}

export interface PublicCase {
  id: number;
  title: string;
  villageName: string;
  remediationType: RemediationType | null;
  remediationLabel: string | null;
  found: { area: string; text: string }[];
  actions: string[];
  summary: string;
  happenedOn: string;
  publishedAt: Date;
  photos: PublicCasePhoto[];
}

export type PublicCaseResult = { status: 'ok'; case: PublicCase } | { status: 'gone' } | { status: 'missing' };

// Published text was redacted when approved. On the way out it is redacted once more against the
// reporters known now: a complaint linked to the enterprise (or merged into a linked one) after
// publication may come from someone the text names. Phones, ID numbers and e-mails go again too.

/** The page's data: a published case; 'gone' (410) once withdrawn; 'missing' (404) if never published. */
export function publicCase(db: Db, id: number): PublicCaseResult {
  if (!Number.isSafeInteger(id) || id <= 0) return { status: 'missing' };
  const row = db
    .select({ e: cases, villageName: villages.name })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(eq(cases.id, id))
    .get();
  if (!row || row.e.status === 'draft' || row.e.status === 'pending') return { status: 'missing' };
  if (row.e.status === 'unpublished') return { status: 'gone' };
  const e = row.e;
  const mask = publicMasker(db, [e.enterpriseId]);
  const clean = (s: string) => mask(e.enterpriseId, s);
  const photos = db
    .select({ id: casePhotos.id, kind: casePhotos.kind, width: casePhotos.width, height: casePhotos.height })
    .from(casePhotos)
    .where(eq(casePhotos.caseId, id))
    .orderBy(asc(casePhotos.kind), asc(casePhotos.seq))
    .all();
  return {
    status: 'ok',
    case: {
      id: e.id,
      title: clean(e.title),
      villageName: row.villageName,
      remediationType: e.remediationType,
      remediationLabel: e.remediationType ? REMEDIATION_LABELS[e.remediationType] : null,
      found: INSPECTION_AREAS.filter((a) => e.found[a]).map((a) => ({
        area: AREA_LABELS[a],
        text: clean(e.found[a]!),
      })),
      actions: clean(e.actions)
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      summary: clean(e.summary),
      happenedOn: e.happenedOn,
      publishedAt: e.publishedAt!,
      photos,
    },
  };
}

export const caseListQuery = z.object({
  village: recordId('村（社区）').optional().catch(undefined),
  type: z.enum(REMEDIATION_TYPES).optional().catch(undefined),
  month: z
    .string()
    .regex(/^\d{4}-\d{2}$/)
    .optional()
    .catch(undefined),
  page: decimal('页码', { integer: true, min: 1, max: 1000 }).default(1).catch(1),
});
export type CaseListQuery = z.infer<typeof caseListQuery>;
const PAGE = 20;

/** A case lies in the township of its village (`?township=`, decision 024); no township: the whole county. */
const inTownship = (townshipId: number | undefined) =>
  townshipId === undefined ? undefined : eq(villages.townshipId, townshipId);

/**
 * Published cases, newest first, filtered by village, remediation type and month; with the first photo for a thumbnail.
 */
export function listPublicCases(db: Db, q: CaseListQuery, townshipId?: number) {
  const where = and(
    eq(cases.status, 'published'),
    inTownship(townshipId),
    q.village ? eq(cases.villageId, q.village) : undefined,
    q.type ? eq(cases.remediationType, q.type) : undefined,
    q.month ? like(cases.happenedOn, `${q.month}-%`) : undefined,
  );
  const rows = db
    .select({
      id: cases.id,
      enterpriseId: cases.enterpriseId,
      title: cases.title,
      summary: cases.summary,
      happenedOn: cases.happenedOn,
      remediationType: cases.remediationType,
      villageName: villages.name,
      photo: sql<
        string | null
      >`(select p.id || ':' || p.width || ':' || p.height from case_photos p where p.case_id = ${cases.id} order by
        p.kind = 'before', p.seq limit 1)`,
    })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(where)
    .orderBy(desc(cases.happenedOn), desc(cases.id))
    .limit(PAGE + 1)
    .offset((q.page - 1) * PAGE)
    .all();
  const shown = rows.slice(0, PAGE);
  const mask = publicMasker(
    db,
    shown.map((r) => r.enterpriseId),
  );
  return {
    rows: shown.map(({ photo, enterpriseId, ...r }) => {
      const [id, w, h] = photo?.split(':') ?? [];
      return {
        ...r,
        title: mask(enterpriseId, r.title),
        summary: mask(enterpriseId, r.summary),
        remediationLabel: r.remediationType ? REMEDIATION_LABELS[r.remediationType] : null,
        photo: id ? { id, width: Number(w), height: Number(h) } : null,
      };
    }),
    hasMore: rows.length > PAGE,
  };
}

/** What the filters offer: villages and months that have published cases (in the township, when one is chosen). */
export function caseFilterOptions(db: Db, townshipId?: number) {
  const published = and(eq(cases.status, 'published'), inTownship(townshipId));
  const villageRows = db
    .selectDistinct({ id: villages.id, name: villages.name })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(published)
    .orderBy(asc(villages.id))
    .all();
  const months = db
    .selectDistinct({ m: sql<string>`substr(${cases.happenedOn}, 1, 7)` })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(published)
    .orderBy(desc(sql`1`))
    .all()
    .map((r) => r.m);
  return { villages: villageRows, months };
}

/** Published cases per village, placed at the village's centre (never an enterprise's coordinates). */
export function caseMapPoints(db: Db, townshipId?: number) {
  return db
    .select({ id: villages.id, name: villages.name, boundary: villages.boundary, n: count() })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(and(eq(cases.status, 'published'), inTownship(townshipId)))
    .groupBy(villages.id)
    .orderBy(asc(villages.id))
    .all()
    .map((v) => ({ villageId: v.id, name: v.name, count: v.n, ...villageCentroid(v.boundary) }));
}

/** The newest published cases, for the Atom feed. */
export function feedEntries(db: Db, limit = 50, townshipId?: number) {
  const rows = db
    .select({
      id: cases.id,
      enterpriseId: cases.enterpriseId,
      title: cases.title,
      summary: cases.summary,
      happenedOn: cases.happenedOn,
      publishedAt: cases.publishedAt,
      villageName: villages.name,
      remediationType: cases.remediationType,
    })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .where(and(eq(cases.status, 'published'), inTownship(townshipId)))
    .orderBy(desc(cases.publishedAt), desc(cases.id))
    .limit(limit)
    .all();
  const mask = publicMasker(
    db,
    rows.map((e) => e.enterpriseId),
  );
  return rows.map(({ enterpriseId, ...e }) => ({
    ...e,
    title: mask(enterpriseId, e.title),
    summary: mask(enterpriseId, e.summary),
    publishedAt: e.publishedAt!,
    remediationLabel: e.remediationType ? REMEDIATION_LABELS[e.remediationType] : null,
  }));
}

/** The public pages a search engine should know: fixed ones, every published case, every month's results. */
export function sitemapEntries(db: Db, now: Date): { path: string; lastmod?: string }[] {
  const published = db
    .select({ id: cases.id, at: cases.publishedAt })
    .from(cases)
    .where(eq(cases.status, 'published'))
    .orderBy(asc(cases.id))
    .all();
  return [
    ...['/', '/report', '/track', '/cases', '/stats', '/results'].map((path) => ({ path })),
    ...published.map((c) => ({ path: `/cases/${c.id}`, lastmod: c.at ? beijingDate(c.at) : undefined })),
    ...monthRange(firstMonth(db, now), monthOf(now)).map((m) => ({ path: `/results/${m}` })),
  ];
}

/** The thumbnail's size as photo-pipeline/burnBlur make it (fit inside THUMB_MAX, never enlarged). */
export function thumbSize(width: number, height: number): { width: number; height: number } {
  const k = Math.min(1, THUMB_MAX / Math.max(width, height));
  return { width: Math.round(width * k), height: Math.round(height * k) };
}
