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
import { contributors, rulesFor } from './exposures.ts';

export const exposureQuery = z.object({ status: z.enum(EXPOSURE_STATUSES).optional().catch(undefined) });

/** The office's list of cases, newest first, with counts per status. */
export function listExposures(db: Db, q: z.infer<typeof exposureQuery>) {
  const author = alias(users, 'author');
  const rows = db
    .select({ id: exposures.id, title: exposures.title, status: exposures.status, happenedOn: exposures.happenedOn, villageName: villages.name, updatedAt: exposures.updatedAt, publishedAt: exposures.publishedAt, author: author.displayName })
    .from(exposures).innerJoin(villages, eq(villages.id, exposures.villageId)).innerJoin(author, eq(author.id, exposures.authorId))
    .where(q.status ? eq(exposures.status, q.status) : undefined)
    .orderBy(desc(exposures.updatedAt), desc(exposures.id)).limit(500).all();
  const counts = Object.fromEntries(EXPOSURE_STATUSES.map((s) => [s, 0])) as Record<(typeof EXPOSURE_STATUSES)[number], number>;
  for (const r of db.select({ status: exposures.status }).from(exposures).all()) counts[r.status]++;
  return { rows, counts };
}

/** One case for its editor: the fields, photos, photos to choose from, what to mask and its history. */
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
  return {
    ...e, villageName: row.villageName, author: row.author, approver: row.approver, enterprise,
    photos: exposurePhotoList(db, id),
    sources: photoSources(db, e.enterpriseId).map(({ file: _f, ...s }) => s),
    // The editor's live preview runs the same redaction in the browser; staff may see these names.
    rules: rulesFor(db, e.enterpriseId),
    history,
    canApprove: e.status === 'pending' && !mine && isOffice(user),
    isContributor: mine,
  };
}
export type ExposureDetail = NonNullable<ReturnType<typeof getExposure>>;
