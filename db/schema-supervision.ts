import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { complaints, departments, evidenceIntegrityColumns, storedPhotoColumns, users, villages } from './schema.ts';
import { nightPatrols } from './schema-enforcement.ts';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** 待签收 → 核查中 → 已反馈 (the office reviews) → 已通过; returned answers go back to 核查中. */
export const ASSIGNMENT_STATUSES = ['pending', 'checking', 'answered', 'approved', 'withdrawn'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

/** 属实·已制止/已整改; 属实·需立案查处; 不属实; 不属本村 (or not this department's duty). */
export const ASSIGNMENT_OUTCOMES = ['stopped', 'needs_case', 'unfounded', 'not_ours'] as const;
export type AssignmentOutcome = (typeof ASSIGNMENT_OUTCOMES)[number];

/**
 * A work item of 交办: what one village or one joining department owes on one complaint, with its own
 * time limits. The village's item and each department's are separate rows, each answered and reviewed.
 */
export const assignments = sqliteTable(
  'assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    /** The complaint's village at 交办: a village officer sees his village's items. */
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    /** Null for the village's own item; set for a joining department's. */
    departmentId: integer('department_id').references(() => departments.id),
    status: text('status', { enum: ASSIGNMENT_STATUSES }).notNull().default('pending'),
    ackDueAt: ms('ack_due_at').notNull(),
    answerDueAt: ms('answer_due_at').notNull(),
    acknowledgedAt: ms('acknowledged_at'),
    acknowledgedBy: integer('acknowledged_by').references(() => users.id),
    answeredAt: ms('answered_at'),
    answeredBy: integer('answered_by').references(() => users.id),
    outcome: text('outcome', { enum: ASSIGNMENT_OUTCOMES }),
    /** What was found on site, or why the complaint is not this village's. */
    finding: text('finding'),
    reviewedAt: ms('reviewed_at'),
    reviewedBy: integer('reviewed_by').references(() => users.id),
    returnCount: integer('return_count').notNull().default(0),
    /** 督办: each urge is also an event; the count is what the assessment reads. */
    urgeCount: integer('urge_count').notNull().default(0),
    lastUrgedAt: ms('last_urged_at'),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => users.id),
    updatedBy: integer('updated_by'),
    createdAt: createdAt(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('assignments_complaint').on(t.complaintId),
    index('assignments_village_status').on(t.villageId, t.status),
    index('assignments_department_status').on(t.departmentId, t.status),
    index('assignments_status_due').on(t.status, t.answerDueAt),
    // The assessment's 签收 on time: the items whose signing fell due in a period.
    index('assignments_ack_due').on(t.ackDueAt),
  ],
);

export const assignmentEvents = sqliteTable(
  'assignment_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    assignmentId: integer('assignment_id')
      .notNull()
      .references(() => assignments.id),
    action: text('action').notNull(),
    fromStatus: text('from_status', { enum: ASSIGNMENT_STATUSES }),
    toStatus: text('to_status', { enum: ASSIGNMENT_STATUSES }).notNull(),
    actorId: integer('actor_id'),
    note: text('note'),
    at: ms('at').notNull(),
  },
  (t) => [
    index('assignment_events_assignment').on(t.assignmentId, t.at),
    // The assessment's 督办 received in a period: few events among millions.
    index('assignment_events_urge').on(t.at).where(sql`action = 'urge'`),
  ],
);

export const DEPARTMENT_ACTION_KINDS = ['case_opened', 'penalty', 'police_referral'] as const;
export type DepartmentActionKind = (typeof DEPARTMENT_ACTION_KINDS)[number];

/** A department's part as data: 立案, 处罚决定, 移送公安. Never edited; a correction is a new record. */
export const departmentActions = sqliteTable(
  'department_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    assignmentId: integer('assignment_id')
      .notNull()
      .references(() => assignments.id),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
    kind: text('kind', { enum: DEPARTMENT_ACTION_KINDS }).notNull(),
    /** 立案号 or 处罚决定书文号 or 移送文号. */
    documentNumber: text('document_number').notNull(),
    /** The date on the document, YYYY-MM-DD (Beijing calendar). */
    actedOn: text('acted_on').notNull(),
    penaltyKind: text('penalty_kind'),
    /** Yuan, for a fine or confiscation. */
    amountYuan: real('amount_yuan'),
    note: text('note'),
    recordedBy: integer('recorded_by')
      .notNull()
      .references(() => users.id),
    recordedAt: ms('recorded_at').notNull(),
  },
  (t) => [index('department_actions_assignment').on(t.assignmentId)],
);

export const FIELD_PHOTO_SUBJECTS = [
  'assignment',
  'department_action',
  'revisit',
  'patrol_finding',
  'draw_item',
] as const;
export type FieldPhotoSubject = (typeof FIELD_PHOTO_SUBJECTS)[number];

/**
 * On-site photo evidence for field work other than task checklists (which keep task_evidence):
 * re-encoded like a resident's photo, with where and when it was taken private to staff.
 * A draw item is named by its draw (subject_id) and enterprise (part_id).
 */
export const fieldPhotos = sqliteTable(
  'field_photos',
  {
    id: text('id').primaryKey(),
    subject: text('subject', { enum: FIELD_PHOTO_SUBJECTS }).notNull(),
    subjectId: integer('subject_id').notNull(),
    partId: integer('part_id'),
    ...storedPhotoColumns(),
    exifSource: text('exif_source', { enum: ['file', 'browser'] }),
    ...evidenceIntegrityColumns(),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('field_photos_subject').on(t.subject, t.subjectId, t.partId)],
);

/** In-app notifications: reminders, urges, returns; one per dedupe key, so a sweep run twice sends once. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    kind: text('kind', {
      // 'reporter': the reporter came back with the tracking code (又开工了, 不满意): issue 17.
      // 'handover': another township's office handed a report to this one (移交, decision 024).
      enum: ['assigned', 'due_soon', 'overdue', 'urged', 'returned', 'answered', 'reporter', 'handover'],
    }).notNull(),
    text: text('text').notNull(),
    link: text('link').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: ms('created_at').notNull(),
    readAt: ms('read_at'),
  },
  (t) => [
    uniqueIndex('notifications_user_dedupe').on(t.userId, t.dedupeKey),
    index('notifications_user_unread').on(t.userId, t.readAt, t.id),
  ],
);

/** 夜查 participants as staff accounts (at least two distinct people); the old free-text names stay on old rows. */
export const patrolParticipants = sqliteTable(
  'patrol_participants',
  {
    patrolId: integer('patrol_id')
      .notNull()
      .references(() => nightPatrols.id),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.patrolId, t.userId] }), index('patrol_participants_user').on(t.userId)],
);

/**
 * A field-work save sent with an idempotency key (the phone's offline queue): written in the same transaction as the
 * save, so a retry after a lost answer gets the first answer back and saves nothing twice.
 */
export const fieldSubmissions = sqliteTable(
  'field_submissions',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    clientKey: text('client_key').notNull(),
    /** The JSON answer given the first time. */
    result: text('result', { mode: 'json' }).notNull().$type<unknown>(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientKey] })],
);
