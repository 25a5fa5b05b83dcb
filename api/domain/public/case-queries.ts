import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { townships, users, villages } from '../../../db/schema.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { CASE_STATUSES, cases } from '../../../db/schema-public.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { isOffice } from '../shared/roles.ts';
import { casePhotoList, photoSources } from './case-photos.ts';
import { caseScope, visibleCase } from './case-scope.ts';
import { allText, caseTrail, contributors, redactFields, reporterMasker, rulesFor } from './cases.ts';
import { leaks, maskReporters } from './redaction.ts';

export const caseQuery = z.object({ status: z.enum(CASE_STATUSES).optional().catch(undefined) });

/** The office's list of cases, newest first, with counts per status. */
export function listCases(db: Db, user: StaffUser, q: z.infer<typeof caseQuery>) {
  const author = alias(users, 'author');
  const found = db
    .select({
      id: cases.id,
      enterpriseId: cases.enterpriseId,
      title: cases.title,
      status: cases.status,
      happenedOn: cases.happenedOn,
      villageName: villages.name,
      townshipName: townships.name,
      updatedAt: cases.updatedAt,
      publishedAt: cases.publishedAt,
      author: author.displayName,
    })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .innerJoin(townships, eq(townships.id, villages.townshipId))
    .innerJoin(author, eq(author.id, cases.authorId))
    .where(and(q.status ? eq(cases.status, q.status) : undefined, caseScope(user)))
    .orderBy(desc(cases.updatedAt), desc(cases.id))
    .limit(500)
    .all();
  // A title saved before a complaint was linked may hold what its reporter gave.
  const mask = reporterMasker(
    db,
    found.map((r) => r.enterpriseId),
  );
  const rows = found.map(({ enterpriseId, ...r }) => ({ ...r, title: mask(enterpriseId, r.title) }));
  const counts = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<(typeof CASE_STATUSES)[number], number>;
  for (const r of db.select({ status: cases.status }).from(cases).where(caseScope(user)).all()) counts[r.status]++;
  return { rows, counts };
}

/**
 * One case for its editor: the fields (redacted), photos, photos to choose from and its history; never the redaction
 * rules.
 */
export function getCase(db: Db, user: StaffUser, id: number) {
  const approver = alias(users, 'approver');
  const author = alias(users, 'author');
  const row = db
    .select({
      e: cases,
      villageName: villages.name,
      townshipId: villages.townshipId,
      author: author.displayName,
      approver: approver.displayName,
    })
    .from(cases)
    .innerJoin(villages, eq(villages.id, cases.villageId))
    .innerJoin(author, eq(author.id, cases.authorId))
    .leftJoin(approver, eq(approver.id, cases.approvedBy))
    .where(visibleCase(user, id))
    .get();
  if (!row) return null;
  const e = row.e;
  const enterprise = e.enterpriseId
    ? (db
        .select({ id: enterprises.id, name: enterprises.name })
        .from(enterprises)
        .where(eq(enterprises.id, e.enterpriseId))
        .get() ?? null)
    : null;
  const history = caseTrail(db, id)
    .reverse()
    .map(({ at, action, actor, reason }) => ({ at, action, actor, reason }));
  const mine = contributors(db, e).has(user.id);
  // The text as it would be published, redacted with what the file and the linked complaints say
  // now; nothing a reporter gave reaches the page, whoever reads it. The rules stay here.
  const rules = rulesFor(db, e.enterpriseId);
  const scrub = (s: string) => maskReporters(s, rules);
  const pendingMasking = leaks(allText(e), rules);
  return {
    ...e,
    ...redactFields(e, rules),
    unpublishReason: e.unpublishReason && scrub(e.unpublishReason),
    villageName: row.villageName,
    /** The case's township: its village may change only within it. */
    townshipId: row.townshipId,
    author: row.author,
    approver: row.approver,
    enterprise: enterprise && { ...enterprise, name: scrub(enterprise.name) },
    photos: casePhotoList(db, id),
    sources: photoSources(db, e.enterpriseId).map(({ file: _f, ...s }) => ({ ...s, label: scrub(s.label) })),
    history: history.map((h) => ({ ...h, reason: h.reason && scrub(h.reason) })),
    /**
     * Kinds of thing the saved text still holds (a complaint linked after the save): publication waits for a new save.
     */
    pendingMasking,
    canApprove: e.status === 'pending' && !mine && isOffice(user) && pendingMasking.length === 0,
    isContributor: mine,
  };
}
export type CaseDetail = NonNullable<ReturnType<typeof getCase>>;
