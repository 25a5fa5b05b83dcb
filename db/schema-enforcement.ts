import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  complaints,
  departments,
  evidenceIntegrityColumns,
  storedPhotoColumns,
  townships,
  users,
  villages,
} from './schema.ts';

/** The eight inspection areas of seed 000, in the order of its survey form. */
export const INSPECTION_AREAS = [
  'licensing',
  'process',
  'safety',
  'fire',
  'special',
  'environment',
  'leasing',
  'site',
] as const;
export type InspectionArea = (typeof INSPECTION_AREAS)[number];
export type AreaProblems = Partial<Record<InspectionArea, string>>;

/** "Four withouts" of seed 001. */
export const FOUR_WITHOUTS = ['licence', 'safety', 'premises', 'environment'] as const;
export type FourWithout = (typeof FOUR_WITHOUTS)[number];

export const REMEDIATION_TYPES = ['shutdown', 'rectify', 'relocate'] as const;
export type RemediationType = (typeof REMEDIATION_TYPES)[number];

/** On the dynamic list awaiting work, being remediated, or remediated (off the list). */
export const ENTERPRISE_STATUSES = ['listed', 'in_progress', 'done'] as const;
export type EnterpriseStatus = (typeof ENTERPRISE_STATUSES)[number];

export const STRUCTURES = ['brick_wood', 'frame', 'shed', 'other'] as const;

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** One file per enterprise (一企一档): the survey form of seed 000 plus the dynamic list of seed 002. */
export const enterprises = sqliteTable(
  'enterprises',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    name: text('name').notNull(),
    /** 统一社会信用代码 (18 characters), when it has one: how other departments' registers find the file. */
    creditCode: text('credit_code'),
    industry: text('industry').notNull().default(''),
    address: text('address').notNull().default(''),
    lat: real('lat'),
    lng: real('lng'),
    personInCharge: text('person_in_charge').notNull().default(''),
    phone: text('phone').notNull().default(''),
    businessLicence: integer('business_licence', { mode: 'boolean' }).notNull().default(false),
    licenceScope: text('licence_scope').notNull().default(''),
    licenceIssuedOn: text('licence_issued_on'),
    taxRegistration: integer('tax_registration', { mode: 'boolean' }).notNull().default(false),
    taxIssuedOn: text('tax_issued_on'),
    otherPermit: text('other_permit').notNull().default(''),
    otherPermitIssuedOn: text('other_permit_issued_on'),
    premises: text('premises', { enum: ['owned', 'rented'] }),
    landlord: text('landlord').notNull().default(''),
    landlordPhone: text('landlord_phone').notNull().default(''),
    landArea: real('land_area'),
    stateLandArea: real('state_land_area'),
    collectiveLandArea: real('collective_land_area'),
    buildingArea: real('building_area'),
    structure: text('structure', { enum: STRUCTURES }),
    illegalBuildingArea: real('illegal_building_area'),
    workers: integer('workers'),
    problems: text('problems', { mode: 'json' }).notNull().$type<AreaProblems>().default({}),
    fourWithouts: text('four_withouts', { mode: 'json' }).notNull().$type<FourWithout[]>().default([]),
    remediationType: text('remediation_type', { enum: REMEDIATION_TYPES }),
    remediationReason: text('remediation_reason').notNull().default(''),
    /** 回头看 type 1–4 of seed 002, when a revisit or a later survey found it. */
    revisitType: integer('revisit_type'),
    plannedOn: text('planned_on'),
    progressNote: text('progress_note').notNull().default(''),
    responsible: text('responsible').notNull().default(''),
    status: text('status', { enum: ENTERPRISE_STATUSES }).notNull().default('listed'),
    surveyedBy: text('surveyed_by').notNull().default(''),
    surveyedOn: text('surveyed_on'),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by'),
    updatedBy: integer('updated_by'),
    createdAt: createdAt(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('enterprises_village_status').on(t.villageId, t.status),
    index('enterprises_status').on(t.status),
    uniqueIndex('enterprises_village_name').on(t.villageId, t.name),
    index('enterprises_credit_code').on(t.creditCode).where(sql`credit_code is not null`),
  ],
);

/** Complaints about an enterprise; a complaint belongs to at most one. */
export const enterpriseComplaints = sqliteTable(
  'enterprise_complaints',
  {
    complaintId: integer('complaint_id')
      .primaryKey()
      .references(() => complaints.id),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    linkedBy: integer('linked_by').references(() => users.id),
    linkedAt: ms('linked_at').notNull(),
  },
  (t) => [index('enterprise_complaints_enterprise').on(t.enterpriseId)],
);

export const TASK_STATUSES = ['open', 'submitted', 'accepted', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_ORIGINS = ['complaint', 'survey', 'revisit', 'patrol', 'inspection'] as const;

export const tasks = sqliteTable(
  'tasks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    type: text('type', { enum: REMEDIATION_TYPES }).notNull(),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('open'),
    origin: text('origin', { enum: TASK_ORIGINS }).notNull(),
    /** 包保: responsible persons at village, township and department level. */
    villageLead: text('village_lead').notNull(),
    townshipLead: text('township_lead').notNull(),
    departmentLead: text('department_lead').notNull().default(''),
    measures: text('measures').notNull().default(''),
    dueAt: ms('due_at').notNull(),
    submittedAt: ms('submitted_at'),
    acceptedAt: ms('accepted_at'),
    returnCount: integer('return_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => users.id),
    updatedBy: integer('updated_by'),
    createdAt: createdAt(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    index('tasks_village_status').on(t.villageId, t.status),
    index('tasks_enterprise').on(t.enterpriseId),
    index('tasks_status_due').on(t.status, t.dueAt),
  ],
);

export const taskDepartments = sqliteTable(
  'task_departments',
  {
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.departmentId] }),
    index('task_departments_dept').on(t.departmentId, t.taskId),
  ],
);

/** Checklist lines: done only with on-site photo evidence and the officer's note. */
export const taskItems = sqliteTable(
  'task_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    seq: integer('seq').notNull(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    note: text('note'),
    doneAt: ms('done_at'),
    doneBy: integer('done_by').references(() => users.id),
  },
  (t) => [uniqueIndex('task_items_task_code').on(t.taskId, t.code)],
);

export const taskEvidence = sqliteTable(
  'task_evidence',
  {
    id: text('id').primaryKey(),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    itemId: integer('item_id')
      .notNull()
      .references(() => taskItems.id),
    ...storedPhotoColumns(),
    /** Where the position came from: the photo's own GPS, or the phone's when the photo had none. */
    exifSource: text('exif_source', { enum: ['file', 'browser'] }),
    ...evidenceIntegrityColumns(),
    uploadedBy: integer('uploaded_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('task_evidence_item').on(t.itemId), index('task_evidence_task').on(t.taskId)],
);

export const taskEvents = sqliteTable(
  'task_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('task_id')
      .notNull()
      .references(() => tasks.id),
    action: text('action').notNull(),
    fromStatus: text('from_status', { enum: TASK_STATUSES }),
    toStatus: text('to_status', { enum: TASK_STATUSES }).notNull(),
    actorId: integer('actor_id'),
    note: text('note'),
    at: ms('at').notNull(),
  },
  (t) => [index('task_events_task').on(t.taskId, t.at)],
);

export const REVISIT_OUTCOMES = ['fine', 'resumed', 'relapsed', 'new_in_vacated', 'newly_found'] as const;
export type RevisitOutcome = (typeof REVISIT_OUTCOMES)[number];

/** 回头看: scheduled when a task is accepted; a finding puts the work back on the list. */
export const revisits = sqliteTable(
  'revisits',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    taskId: integer('task_id').references(() => tasks.id),
    dueAt: ms('due_at').notNull(),
    status: text('status', { enum: ['scheduled', 'done', 'cancelled'] })
      .notNull()
      .default('scheduled'),
    outcome: text('outcome', { enum: REVISIT_OUTCOMES }),
    note: text('note'),
    doneAt: ms('done_at'),
    doneBy: integer('done_by').references(() => users.id),
    followUpTaskId: integer('follow_up_task_id').references(() => tasks.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('revisits_status_due').on(t.status, t.dueAt),
    index('revisits_village').on(t.villageId, t.status),
    index('revisits_enterprise').on(t.enterpriseId),
  ],
);

/** 双随机: a stored draw; its seed and candidate lists let anyone re-run it. */
export const inspectionDraws = sqliteTable('inspection_draws', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  title: text('title').notNull(),
  seed: text('seed').notNull(),
  /** The filters as the user gave them, for the record. */
  filters: text('filters', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  /** The township whose office drew; null for a county-wide draw. */
  townshipId: integer('township_id').references(() => townships.id),
  enterpriseCount: integer('enterprise_count').notNull(),
  inspectorsPerDepartment: integer('inspectors_per_department').notNull(),
  /** The exact inputs to the draw, sorted: enterprise ids and, per department, officer ids. */
  candidateEnterpriseIds: text('candidate_enterprise_ids', { mode: 'json' }).notNull().$type<number[]>(),
  candidateInspectors: text('candidate_inspectors', { mode: 'json' }).notNull().$type<Record<string, number[]>>(),
  drawnEnterpriseIds: text('drawn_enterprise_ids', { mode: 'json' }).notNull().$type<number[]>(),
  drawnInspectorIds: text('drawn_inspector_ids', { mode: 'json' }).notNull().$type<number[]>(),
  createdBy: integer('created_by')
    .notNull()
    .references(() => users.id),
  createdAt: ms('created_at').notNull(),
});

export const INSPECTION_OUTCOMES = ['compliant', 'problem_found', 'not_reached'] as const;

export const inspectionDrawItems = sqliteTable(
  'inspection_draw_items',
  {
    drawId: integer('draw_id')
      .notNull()
      .references(() => inspectionDraws.id),
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    outcome: text('outcome', { enum: INSPECTION_OUTCOMES }),
    note: text('note'),
    recordedAt: ms('recorded_at'),
    recordedBy: integer('recorded_by').references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.drawId, t.enterpriseId] })],
);

/** 夜查 (seed 003): at least two people, a time, an area, and what they found. */
export const nightPatrols = sqliteTable(
  'night_patrols',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    startedAt: ms('started_at').notNull(),
    endedAt: ms('ended_at').notNull(),
    area: text('area').notNull(),
    villageId: integer('village_id').references(() => villages.id),
    /** The township that patrolled (a patrol may cover several villages, or none by name). */
    townshipId: integer('township_id').references(() => townships.id),
    participants: text('participants', { mode: 'json' }).notNull().$type<string[]>(),
    summary: text('summary').notNull().default(''),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('night_patrols_started').on(t.startedAt)],
);

export const patrolFindings = sqliteTable(
  'patrol_findings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    patrolId: integer('patrol_id')
      .notNull()
      .references(() => nightPatrols.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    complaintId: integer('complaint_id').references(() => complaints.id),
    note: text('note').notNull(),
  },
  (t) => [index('patrol_findings_patrol').on(t.patrolId)],
);
