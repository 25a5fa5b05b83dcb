import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { complaints, users, villages } from './schema.ts';
import { enterprises, REMEDIATION_TYPES, tasks, type AreaProblems } from './schema-enforcement.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => ms('created_at').notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** draft → pending (submitted for approval) → published → unpublished; a second person approves. */
export const CASE_STATUSES = ['draft', 'pending', 'published', 'unpublished'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A typical case exposed to the public (典型案例曝光): redacted, village-level, four-eyes. */
export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    taskId: integer('task_id').references(() => tasks.id),
    remediationType: text('remediation_type', { enum: REMEDIATION_TYPES }),
    /** What was found, by the eight inspection areas; redacted text as the public reads it. */
    found: text('found', { mode: 'json' }).notNull().$type<AreaProblems>().default({}),
    /** What was done, e.g. the shutdown checklist lines. */
    actions: text('actions').notNull().default(''),
    summary: text('summary').notNull().default(''),
    happenedOn: text('happened_on').notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull().default('draft'),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    approvedBy: integer('approved_by').references(() => users.id),
    publishedAt: ms('published_at'),
    unpublishedAt: ms('unpublished_at'),
    unpublishReason: text('unpublish_reason'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('cases_status_published').on(t.status, t.publishedAt),
    index('cases_village').on(t.villageId, t.status),
  ],
);

export interface BlurRegion {
  /** Fractions of the image's width and height, 0–1, so they survive any resize. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A public copy of an evidence photo: the blur burnt in, re-encoded, no metadata; the original stays private. */
export const casePhotos = sqliteTable(
  'case_photos',
  {
    id: text('id').primaryKey(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind', { enum: ['before', 'after'] }).notNull(),
    seq: integer('seq').notNull(),
    /** Where it came from: a task's evidence or a complaint photo (ids of those tables). */
    sourceEvidenceId: text('source_evidence_id'),
    sourceComplaintPhotoId: text('source_complaint_photo_id'),
    blur: text('blur', { mode: 'json' }).notNull().$type<BlurRegion[]>().default([]),
    file: text('file').notNull(),
    thumbFile: text('thumb_file').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('case_photos_case').on(t.caseId, t.kind, t.seq)],
);

/** Keys other apps file Open311 requests with; only a hash is stored. */
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** The first characters, shown so staff can tell keys apart. */
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: createdAt(),
  revokedAt: ms('revoked_at'),
  revokedBy: integer('revoked_by').references(() => users.id),
  lastUsedAt: ms('last_used_at'),
});

/** Which key filed a complaint through Open311. */
export const apiSubmissions = sqliteTable('api_submissions', {
  complaintId: integer('complaint_id')
    .primaryKey()
    .references(() => complaints.id),
  apiKeyId: integer('api_key_id')
    .notNull()
    .references(() => apiKeys.id),
});
