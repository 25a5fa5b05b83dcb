import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const townships = sqliteTable('townships', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  county: text('county').notNull(),
  province: text('province').notNull(),
  createdAt: createdAt(),
});

export const villages = sqliteTable(
  'villages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id').notNull().references(() => townships.id),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** GeoJSON Polygon or MultiPolygon geometry, WGS-84. */
    boundary: text('boundary', { mode: 'json' }).notNull().$type<GeoJsonPolygonal>(),
    createdAt: createdAt(),
  },
  (t) => [index('villages_township').on(t.townshipId)],
);

export const complaintCategories = sqliteTable('complaint_categories', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  hint: text('hint').notNull().default(''),
  sort: integer('sort').notNull().default(0),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
});

export const COMPLAINT_STATUSES = ['submitted', 'accepted', 'rejected', 'merged', 'assigned', 'resolved', 'closed'] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

export const complaints = sqliteTable(
  'complaints',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    trackingCode: text('tracking_code').notNull().unique(),
    townshipId: integer('township_id').notNull().references(() => townships.id),
    villageId: integer('village_id').references(() => villages.id),
    /** The point lay outside every village: held at township level for staff to route. */
    outsideVillages: integer('outside_villages', { mode: 'boolean' }).notNull().default(false),
    categoryId: integer('category_id').notNull().references(() => complaintCategories.id),
    lat: real('lat').notNull(),
    lng: real('lng').notNull(),
    address: text('address'),
    description: text('description').notNull(),
    seenAt: integer('seen_at', { mode: 'timestamp_ms' }),
    status: text('status', { enum: COMPLAINT_STATUSES }).notNull().default('submitted'),
    version: integer('version').notNull().default(1),
    source: text('source', { enum: ['web', 'form', 'api', 'seed'] }).notNull(),
    idempotencyKey: text('idempotency_key').unique(),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('complaints_status_created').on(t.status, t.createdAt),
    index('complaints_village_created').on(t.villageId, t.createdAt),
  ],
);

/** Kept apart from complaints so that no public query can select it by accident. */
export const complaintContacts = sqliteTable('complaint_contacts', {
  complaintId: integer('complaint_id')
    .primaryKey()
    .references(() => complaints.id),
  name: text('name'),
  phone: text('phone'),
  createdAt: createdAt(),
});

export const complaintPhotos = sqliteTable(
  'complaint_photos',
  {
    id: text('id').primaryKey(),
    complaintId: integer('complaint_id').notNull().references(() => complaints.id),
    seq: integer('seq').notNull(),
    file: text('file').notNull(),
    thumbFile: text('thumb_file').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: integer('bytes').notNull(),
    // Private to staff: where and when the camera says the photo was taken.
    exifLat: real('exif_lat'),
    exifLng: real('exif_lng'),
    exifTakenAt: integer('exif_taken_at', { mode: 'timestamp_ms' }),
    exifSource: text('exif_source', { enum: ['file', 'browser'] }),
    createdAt: createdAt(),
  },
  (t) => [index('complaint_photos_complaint').on(t.complaintId, t.seq)],
);

export const complaintEvents = sqliteTable(
  'complaint_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: integer('complaint_id').notNull().references(() => complaints.id),
    fromStatus: text('from_status', { enum: COMPLAINT_STATUSES }),
    toStatus: text('to_status', { enum: COMPLAINT_STATUSES }).notNull(),
    actorId: integer('actor_id'),
    /** Shown to the reporter on the tracking page. */
    publicNote: text('public_note'),
    /** Staff only. */
    internalNote: text('internal_note'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('complaint_events_complaint').on(t.complaintId, t.at)],
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
