import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { auditLog, users, villages } from '../../db/schema.ts';
import { enterprises } from '../../db/schema-enforcement.ts';
import { EXPOSURE_STATUSES, exposures } from '../../db/schema-public.ts';
import type { StaffUser } from './auth/sessions.ts';
import { isOffice } from './enforcement-scope.ts';
import { exposurePhotoList, photoSources } from './exposure-photos.ts';
import { allText, contributors, redactFields, reporterMasker, rulesFor } from './exposures.ts';
import { leaks, maskReporters } from './redaction.ts';

export const exposureQuery = z.object({ status: z.enum(EXPOSURE_STATUSES).optional().catch(undefined) });

/** The office's list of cases, newest first, with counts per status. */
export function listExposures(db: Db, q: z.infer<typeof exposureQuery>) {
  const author = alias(users, 'author');
  const found = db
    .select({ id: exposures.id, enterpriseId: exposures.enterpriseId, title: exposures.title, status: exposures.status, happenedOn: exposures.happenedOn, villageName: villages.name, updatedAt: exposures.updatedAt, publishedAt: exposures.publishedAt, author: author.displayName })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId)).innerJoin(author, eq(author.id, exposures.authorId))
    .where(q.status ? eq(exposures.status, q.status) : undefined)
    .orderBy(desc(exposures.updatedAt), desc(exposures.id)).limit(500).all();
  // A title saved before a complaint was linked may hold what its reporter gave.
  const mask = reporterMasker(db, found.map((r) => r.enterpriseId));
  const rows = found.map(({ enterpriseId, ...r }) => ({ ...r, title: mask(enterpriseId, r.title) }));
  const counts = Object.fromEntries(EXPOSURE_STATUSES.map((s) => [s, 0])) as Record<(typeof EXPOSURE_STATUSES)[number], number>;
  for (const r of db.select({ status: exposures.status }).from(exposures).all()) counts[r.status]++;
  return { rows, counts };
}

/** One case for its editor: the fields (redacted), photos, photos to choose from and its history; never the redaction rules. */
export function getExposure(db: Db, user: StaffUser, id: number) {
  const approver = alias(users, 'approver');
  const author = alias(users, 'author');
  const row = db
    .select({ e: exposures, villageName: villages.name, author: author.displayName, approver: approver.displayName })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId)).innerJoin(author, eq(author.id, exposures.authorId))
    .leftJoin(approver, eq(approver.id, exposures.approvedBy))
    .where(eq(exposures.id, id)).get();
  if (!row) return null;
  const e = row.e;
  const enterprise = e.enterpriseId ? db.select({ id: enterprises.id, name: enterprises.name }).from(enterprises).where(eq(enterprises.id, e.enterpriseId)).get() ?? null : null;
  const history = db.select({ at: auditLog.at, action: auditLog.action, actor: auditLog.actorLabel, reason: auditLog.reason })
    .from(auditLog).where(and(eq(auditLog.objectType, 'exposure'), eq(auditLog.objectId, String(id)))).orderBy(desc(auditLog.id)).all();
  const mine = contributors(db, e).has(user.id);
  // The text as it would be published, redacted with what the file and the linked complaints say
  // now; nothing a reporter gave reaches the page, whoever reads it. The rules stay here.
  const rules = rulesFor(db, e.enterpriseId);
  const scrub = (s: string) => maskReporters(s, rules);
  const pendingMasking = leaks(allText(e), rules);
  return {
    ...e, ...redactFields(e, rules), unpublishReason: e.unpublishReason && scrub(e.unpublishReason),
    villageName: row.villageName, author: row.author, approver: row.approver,
    enterprise: enterprise && { ...enterprise, name: scrub(enterprise.name) },
    photos: exposurePhotoList(db, id),
    sources: photoSources(db, e.enterpriseId).map(({ file: _f, ...s }) => ({ ...s, label: scrub(s.label) })),
    history: history.map((h) => ({ ...h, reason: h.reason && scrub(h.reason) })),
    /** Kinds of thing the saved text still holds (a complaint linked after the save): publication waits for a new save. */
    pendingMasking,
    canApprove: e.status === 'pending' && !mine && isOffice(user) && pendingMasking.length === 0,
    isContributor: mine,
  };
}
export type ExposureDetail = NonNullable<ReturnType<typeof getExposure>>;
