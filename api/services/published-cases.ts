import { and, asc, count, desc, eq, like, sql } from 'drizzle-orm';
import { z } from 'zod';
import { decimal, recordId } from './text-input.ts';
import type { Db } from '../../db/client.ts';
import { villageCentroid } from './geo.ts';
import { monthOf, monthRange } from './public-months.ts';
import { firstMonth } from './public-results.ts';
import { villages } from '../../db/schema.ts';
import { INSPECTION_AREAS, REMEDIATION_TYPES, type RemediationType } from '../../db/schema-enforcement.ts';
import { exposurePhotos, exposures } from '../../db/schema-public.ts';
import { AREA_LABELS, REMEDIATION_LABELS } from './enforcement-labels.ts';
import { THUMB_MAX } from './photo-pipeline.ts';
import { publicMasker } from './exposures.ts';
import { beijingDate } from './time.ts';

// Public code: reads exposures, their public photos and village names, nothing else about a case
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
    .select({ e: exposures, villageName: villages.name })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId))
    .where(eq(exposures.id, id)).get();
  if (!row || row.e.status === 'draft' || row.e.status === 'pending') return { status: 'missing' };
  if (row.e.status === 'unpublished') return { status: 'gone' };
  const e = row.e;
  const mask = publicMasker(db, [e.enterpriseId]);
  const clean = (s: string) => mask(e.enterpriseId, s);
  const photos = db.select({ id: exposurePhotos.id, kind: exposurePhotos.kind, width: exposurePhotos.width, height: exposurePhotos.height })
    .from(exposurePhotos).where(eq(exposurePhotos.exposureId, id)).orderBy(asc(exposurePhotos.kind), asc(exposurePhotos.seq)).all();
  return {
    status: 'ok',
    case: {
      id: e.id, title: clean(e.title), villageName: row.villageName,
      remediationType: e.remediationType, remediationLabel: e.remediationType ? REMEDIATION_LABELS[e.remediationType] : null,
      found: INSPECTION_AREAS.filter((a) => e.found[a]).map((a) => ({ area: AREA_LABELS[a], text: clean(e.found[a]!) })),
      actions: clean(e.actions).split('\n').map((l) => l.trim()).filter(Boolean),
      summary: clean(e.summary), happenedOn: e.happenedOn, publishedAt: e.publishedAt!, photos,
    },
  };
}

export const caseListQuery = z.object({
  village: recordId('村（社区）').optional().catch(undefined),
  type: z.enum(REMEDIATION_TYPES).optional().catch(undefined),
  month: z.string().regex(/^\d{4}-\d{2}$/).optional().catch(undefined),
  page: decimal('页码', { integer: true, min: 1, max: 1000 }).default(1).catch(1),
});
export type CaseListQuery = z.infer<typeof caseListQuery>;
const PAGE = 20;

/** Published cases, newest first, filtered by village, remediation type and month; with the first photo for a thumbnail. */
export function listPublicCases(db: Db, q: CaseListQuery) {
  const where = and(
    eq(exposures.status, 'published'),
    q.village ? eq(exposures.villageId, q.village) : undefined,
    q.type ? eq(exposures.remediationType, q.type) : undefined,
    q.month ? like(exposures.happenedOn, `${q.month}-%`) : undefined,
  );
  const rows = db
    .select({
      id: exposures.id, enterpriseId: exposures.enterpriseId, title: exposures.title, summary: exposures.summary, happenedOn: exposures.happenedOn, remediationType: exposures.remediationType, villageName: villages.name,
      photo: sql<string | null>`(select p.id || ':' || p.width || ':' || p.height from exposure_photos p where p.exposure_id = ${exposures.id} order by p.kind = 'before', p.seq limit 1)`,
    })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId))
    .where(where).orderBy(desc(exposures.happenedOn), desc(exposures.id)).limit(PAGE + 1).offset((q.page - 1) * PAGE).all();
  const shown = rows.slice(0, PAGE);
  const mask = publicMasker(db, shown.map((r) => r.enterpriseId));
  return {
    rows: shown.map(({ photo, enterpriseId, ...r }) => {
      const [id, w, h] = photo?.split(':') ?? [];
      return { ...r, title: mask(enterpriseId, r.title), summary: mask(enterpriseId, r.summary), remediationLabel: r.remediationType ? REMEDIATION_LABELS[r.remediationType] : null, photo: id ? { id, width: Number(w), height: Number(h) } : null };
    }),
    hasMore: rows.length > PAGE,
  };
}

/** What the filters offer: villages and months that have published cases. */
export function caseFilterOptions(db: Db) {
  const published = eq(exposures.status, 'published');
  const villageRows = db.selectDistinct({ id: villages.id, name: villages.name }).from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId)).where(published).orderBy(asc(villages.id)).all();
  const months = db.selectDistinct({ m: sql<string>`substr(${exposures.happenedOn}, 1, 7)` }).from(exposures).where(published).orderBy(desc(sql`1`)).all().map((r) => r.m);
  return { villages: villageRows, months };
}

/** Published cases per village, placed at the village's centre (never an enterprise's coordinates). */
export function caseMapPoints(db: Db) {
  return db.select({ id: villages.id, name: villages.name, boundary: villages.boundary, n: count() })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId))
    .where(eq(exposures.status, 'published')).groupBy(villages.id).orderBy(asc(villages.id)).all()
    .map((v) => ({ villageId: v.id, name: v.name, count: v.n, ...villageCentroid(v.boundary) }));
}

/** The newest published cases, for the Atom feed. */
export function feedEntries(db: Db, limit = 50) {
  const rows = db.select({ id: exposures.id, enterpriseId: exposures.enterpriseId, title: exposures.title, summary: exposures.summary, happenedOn: exposures.happenedOn, publishedAt: exposures.publishedAt, villageName: villages.name, remediationType: exposures.remediationType })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId))
    .where(eq(exposures.status, 'published')).orderBy(desc(exposures.publishedAt), desc(exposures.id)).limit(limit).all();
  const mask = publicMasker(db, rows.map((e) => e.enterpriseId));
  return rows.map(({ enterpriseId, ...e }) => ({ ...e, title: mask(enterpriseId, e.title), summary: mask(enterpriseId, e.summary), publishedAt: e.publishedAt!, remediationLabel: e.remediationType ? REMEDIATION_LABELS[e.remediationType] : null }));
}

/** The public pages a search engine should know: fixed ones, every published case, every month's results. */
export function sitemapEntries(db: Db, now: Date): { path: string; lastmod?: string }[] {
  const cases = db.select({ id: exposures.id, at: exposures.publishedAt }).from(exposures).where(eq(exposures.status, 'published')).orderBy(asc(exposures.id)).all();
  return [
    ...['/', '/report', '/track', '/cases', '/stats', '/results'].map((path) => ({ path })),
    ...cases.map((c) => ({ path: `/cases/${c.id}`, lastmod: c.at ? beijingDate(c.at) : undefined })),
    ...monthRange(firstMonth(db, now), monthOf(now)).map((m) => ({ path: `/results/${m}` })),
  ];
}

/** The thumbnail's size as photo-pipeline/burnBlur make it (fit inside THUMB_MAX, never enlarged). */
export function thumbSize(width: number, height: number): { width: number; height: number } {
  const k = Math.min(1, THUMB_MAX / Math.max(width, height));
  return { width: Math.round(width * k), height: Math.round(height * k) };
}
