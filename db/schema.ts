import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** 镇, 街道 or 开发区: each runs its own office under the county's (seed 001, 002, 004). */
export const TOWNSHIP_KINDS = ['town', 'subdistrict', 'zone'] as const;
export type TownshipKind = (typeof TOWNSHIP_KINDS)[number];

/** One installation serves one county; its townships tile it (their villages tile each township). */
export const townships = sqliteTable('townships', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  county: text('county').notNull(),
  province: text('province').notNull(),
  kind: text('kind', { enum: TOWNSHIP_KINDS }).notNull().default('town'),
  /** GeoJSON Polygon or MultiPolygon, WGS-84: decides which township a point lies in and what is near its border. */
  boundary: text('boundary', { mode: 'json' }).$type<GeoJsonPolygonal>(),
  sort: integer('sort').notNull().default(0),
  createdAt: createdAt(),
});

export const villages = sqliteTable(
  'villages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** GeoJSON Polygon or MultiPolygon geometry, WGS-84. */
    boundary: text('boundary', { mode: 'json' }).notNull().$type<GeoJsonPolygonal>(),
    createdAt: createdAt(),
  },
  (t) => [index('villages_township').on(t.townshipId)],
);

export const departments = sqliteTable('departments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  sort: integer('sort').notNull().default(0),
  /** Null for a county department (生态环境分局, 市场监管局…), which joins work in any township; set for a township's 站所. */
  townshipId: integer('township_id').references(() => townships.id),
});

export const ROLES = ['admin', 'triage', 'village', 'department', 'leader'] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  /**
   * The level the account works at: null for the county (its office, leaders and the system administrator see every
   * township); set for a township's office, leader or 站所 and for a village officer (his village's township).
   */
  townshipId: integer('township_id').references(() => townships.id),
  /** Set for a village officer: he sees only this village. */
  villageId: integer('village_id').references(() => villages.id),
  /** Set for a department officer: he sees what his department joins. */
  departmentId: integer('department_id').references(() => departments.id),
  passwordHash: text('password_hash').notNull(),
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(true),
  /** Where reminders and assignments also go when the channel is configured (issue 17); the in-app notice always. */
  email: text('email'),
  phone: text('phone'),
  notifyEmail: integer('notify_email', { mode: 'boolean' }).notNull().default(false),
  notifySms: integer('notify_sms', { mode: 'boolean' }).notNull().default(false),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Server-side sessions: the cookie holds a random token, the table only its SHA-256. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const complaintCategories = sqliteTable('complaint_categories', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  hint: text('hint').notNull().default(''),
  sort: integer('sort').notNull().default(0),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

export const COMPLAINT_STATUSES = [
  'submitted',
  'accepted',
  'rejected',
  'merged',
  'assigned',
  'resolved',
  'closed',
] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const complaints = sqliteTable(
  'complaints',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    trackingCode: text('tracking_code').notNull().unique(),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    villageId: integer('village_id').references(() => villages.id),
    /**
     * The point lies within ~100 m of another township's boundary (BORDER_METRES): that township's office sees the
     * complaint too, until one office hands it over or closes it (border disputes are a known 12369 problem).
     */
    borderTownshipId: integer('border_township_id').references(() => townships.id),
    /** The point lay outside every village: held at township level for staff to route. */
    outsideVillages: integer('outside_villages', { mode: 'boolean' }).notNull().default(false),
    categoryId: integer('category_id')
      .notNull()
      .references(() => complaintCategories.id),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    address: text('address'),
    description: text('description').notNull(),
    seenAt: integer('seen_at', { mode: 'timestamp_ms' }),
    status: text('status', { enum: COMPLAINT_STATUSES }).notNull().default('submitted'),
    /** The deadline of the current step: decide on acceptance, then finish (12369 practice). */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull(),
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
    extendedDays: integer('extended_days').notNull().default(0),
    mergedIntoId: integer('merged_into_id'),
    /**
     * Another open report of the same category was near and recent when this one was filed (DUPLICATE_RULE,
     * api/domain/complaints/neighbours.ts).
     */
    possibleDuplicate: integer('possible_duplicate', { mode: 'boolean' }).notNull().default(false),
    hasPhotos: integer('has_photos', { mode: 'boolean' }).notNull().default(false),
    /**
     * Filed (through Open311) with an address and no point: lat/lng hold the township's centre as a
     * placeholder until the office places it on the map (decision 016). Never shown as its place.
     */
    needsLocation: integer('needs_location', { mode: 'boolean' }).notNull().default(false),
    /**
     * The reporter came back (more information, 又开工了, 不满意): the complaint heads the office's queue until a
     * staff member acts on it.
     */
    reporterAlert: text('reporter_alert', { enum: ['info', 'relapse', 'unsatisfied'] }),
    reporterAlertAt: integer('reporter_alert_at', { mode: 'timestamp_ms' }),
    /** Filed by "又开工了" on an archived complaint: the one it says came back. */
    relapseOfId: integer('relapse_of_id'),
    /** Optimistic locking: a save names the version it read. */
    version: integer('version').notNull().default(1),
    updatedBy: integer('updated_by'),
    source: text('source', { enum: ['web', 'form', 'api', 'seed'] }).notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    /** SHA-256 of the filing's normalised fields and photo bytes: a key reused with another body is refused. */
    idempotencyHash: text('idempotency_hash'),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // A single-column index ends in the rowid, which grows with filing time: each serves "newest first".
    index('complaints_status').on(t.status),
    index('complaints_village').on(t.villageId),
    index('complaints_category').on(t.categoryId),
    index('complaints_status_due').on(t.status, t.dueAt, t.id),
    // A township office's queue, newest first (the index ends in the rowid), and its counts by status and deadline.
    index('complaints_township').on(t.townshipId),
    index('complaints_township_status_due').on(t.townshipId, t.status, t.dueAt),
    // The few near a border: the neighbouring office's queue shows them too.
    index('complaints_border_township').on(t.borderTownshipId).where(sql`border_township_id is not null`),
    index('complaints_village_status').on(t.villageId, t.status),
    index('complaints_village_category').on(t.villageId, t.categoryId),
    index('complaints_status_category').on(t.status, t.categoryId),
    index('complaints_village_status_due').on(t.villageId, t.status, t.dueAt),
    // Which complaints were merged into these: their reporters are the linked complaint's too (典型案例 masking). Few rows
    // are merged.
    index('complaints_merged_into').on(t.mergedIntoId).where(sql`merged_into_id is not null`),
    // The few waiting to be placed: the neighbour lookups leave their placeholder points out.
    index('complaints_needs_location').on(t.id).where(sql`needs_location = 1`),
    // The few the reporter came back to: the queue shows them first.
    index('complaints_reporter_alert').on(t.reporterAlertAt).where(sql`reporter_alert is not null`),
  ],
);

/** Complaints per village and status, kept by triggers: the queue's counts stay O(villages). */
export const complaintCounts = sqliteTable(
  'complaint_counts',
  {
    /** 0 for complaints held at township level. */
    villageId: integer('village_id').notNull(),
    status: text('status', { enum: COMPLAINT_STATUSES }).notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.villageId, t.status] })],
);

export const complaintDepartments = sqliteTable(
  'complaint_departments',
  {
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
  },
  (t) => [
    primaryKey({ columns: [t.complaintId, t.departmentId] }),
    index('complaint_departments_dept').on(t.departmentId, t.complaintId),
  ],
);

/** What staff send the reporter at each step; admin edits them, staff edit each before sending. */
export const replyTemplates = sqliteTable('reply_templates', {
  action: text('action').primaryKey(),
  body: text('body').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  updatedBy: integer('updated_by'),
});

/** Kept apart from complaints so that no public query can select it by accident. */
export const complaintContacts = sqliteTable('complaint_contacts', {
  complaintId: integer('complaint_id')
    .primaryKey()
    .references(() => complaints.id),
  name: text('name'),
  phone: text('phone'),
  email: text('email'),
  /** The reporter asked to be told at acceptance, reply and resolution, on the contacts he left. */
  notify: integer('notify', { mode: 'boolean' }).notNull().default(false),
  createdAt: createdAt(),
});

/**
 * A re-encoded photo on disk (display + thumbnail) and, private to staff, where and when the camera says it was taken.
 */
export const storedPhotoColumns = () => ({
  file: text('file').notNull(),
  thumbFile: text('thumb_file').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  bytes: integer('bytes').notNull(),
  exifLat: real('exif_lat'),
  exifLng: real('exif_lng'),
  exifTakenAt: integer('exif_taken_at', { mode: 'timestamp_ms' }),
});

/**
 * Field evidence that stands up in a penalty case (decision 017): the SHA-256 of the bytes the phone sent, kept
 * with that original file, and what the phone said of where and when it was taken. Null on rows older than these.
 */
export const evidenceIntegrityColumns = () => ({
  /** Hex SHA-256 of the file as received, verified against the hash the phone computed when it was taken. */
  sha256: text('sha256'),
  /** The original bytes as received, kept private beside the re-encoded copies. */
  originalFile: text('original_file'),
  /** The phone position's accuracy radius in metres, when the position came from the phone. */
  accuracyM: real('accuracy_m'),
  /** When the phone says the photo was taken (its own clock; see clockOffsetMs). */
  deviceTakenAt: integer('device_taken_at', { mode: 'timestamp_ms' }),
  /** The server's receipt time minus the phone's clock at sending: how far the phone's clock was off. */
  clockOffsetMs: integer('clock_offset_ms'),
});

export const complaintPhotos = sqliteTable(
  'complaint_photos',
  {
    id: text('id').primaryKey(),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    seq: integer('seq').notNull(),
    ...storedPhotoColumns(),
    exifSource: text('exif_source', { enum: ['file', 'browser'] }),
    /** Sent later with the tracking code (补充材料): the follow-up it came with. */
    followupId: integer('followup_id'),
    createdAt: createdAt(),
  },
  (t) => [index('complaint_photos_complaint').on(t.complaintId, t.seq)],
);

export const complaintEvents = sqliteTable(
  'complaint_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    fromStatus: text('from_status', { enum: COMPLAINT_STATUSES }),
    toStatus: text('to_status', { enum: COMPLAINT_STATUSES }).notNull(),
    actorId: integer('actor_id'),
    action: text('action').notNull().default('submit'),
    /** Shown to the reporter on the tracking page. */
    publicNote: text('public_note'),
    /** Staff only. */
    internalNote: text('internal_note'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('complaint_events_complaint').on(t.complaintId, t.at),
    // The assessment's reopened complaints in a period: few events among millions.
    index('complaint_events_reopen').on(t.at).where(sql`action = 'reopen'`),
  ],
);

/** Append-only: triggers in the migrations refuse UPDATE and DELETE. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    actorId: integer('actor_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id').notNull(),
    reason: text('reason'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_object').on(t.objectType, t.objectId), index('audit_at').on(t.at)],
);

export type GeoJsonPolygonal =
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** One row GET /api/health/db writes and reads back: proof that the database still takes writes. */
export const healthHeartbeat = sqliteTable('health_heartbeat', {
  id: integer('id').primaryKey(),
  beatAt: integer('beat_at', { mode: 'timestamp_ms' }).notNull(),
  pid: integer('pid').notNull(),
});
