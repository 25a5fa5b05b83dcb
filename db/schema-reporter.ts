import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { complaintCategories, complaints, users } from './schema.ts';
import type { BlurRegion } from './schema-public.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => ms('created_at').notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** 补充材料 (an open report), 又开工了/还没解决 (after resolution), and the outcome rating (满意度). */
export const FOLLOWUP_KINDS = ['info', 'relapse', 'rating'] as const;
export type FollowupKind = (typeof FOLLOWUP_KINDS)[number];
export const RATINGS = ['satisfied', 'basically', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

/** What the reporter sends back with the tracking code; the office reviews the relapses and the unsatisfied. */
export const complaintFollowups = sqliteTable(
  'complaint_followups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    kind: text('kind', { enum: FOLLOWUP_KINDS }).notNull(),
    body: text('body').notNull().default(''),
    rating: text('rating', { enum: RATINGS }),
    /** A relapse on an archived complaint files a new one linked to it. */
    linkedComplaintId: integer('linked_complaint_id').references(() => complaints.id),
    reviewedAt: ms('reviewed_at'),
    reviewedBy: integer('reviewed_by').references(() => users.id),
    reviewNote: text('review_note'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    index('complaint_followups_complaint').on(t.complaintId, t.createdAt),
    index('complaint_followups_kind').on(t.kind, t.createdAt),
  ],
);

/**
 * Closing evidence the office chooses to show the reporter on /track: a public copy of a task or field photo, the
 * blur burnt in, re-encoded without metadata (as typical cases do); withdrawing keeps the row.
 */
export const trackPhotos = sqliteTable(
  'track_photos',
  {
    id: text('id').primaryKey(),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    seq: integer('seq').notNull(),
    sourceKind: text('source_kind', { enum: ['task_evidence', 'field_photo'] }).notNull(),
    sourceId: text('source_id').notNull(),
    blur: text('blur', { mode: 'json' }).notNull().$type<BlurRegion[]>().default([]),
    file: text('file').notNull(),
    thumbFile: text('thumb_file').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    withdrawnAt: ms('withdrawn_at'),
  },
  (t) => [index('track_photos_complaint').on(t.complaintId, t.seq)],
);

/** 有奖举报: a scheme as data; one reward per complaint (first valid report only). */
export const rewardSchemes = sqliteTable('reward_schemes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /** Days the reporter has to claim once the reward is approved. */
  claimDays: integer('claim_days').notNull().default(90),
  relapseEligible: integer('relapse_eligible', { mode: 'boolean' }).notNull().default(true),
  note: text('note').notNull().default(''),
  createdBy: integer('created_by').references(() => users.id),
  createdAt: createdAt(),
  updatedAt: ms('updated_at').notNull(),
});

export const rewardTiers = sqliteTable(
  'reward_tiers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    schemeId: integer('scheme_id')
      .notNull()
      .references(() => rewardSchemes.id),
    /** Null: any category. */
    categoryId: integer('category_id').references(() => complaintCategories.id),
    name: text('name').notNull(),
    amountYuan: real('amount_yuan').notNull(),
    sort: integer('sort').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
  },
  (t) => [index('reward_tiers_scheme').on(t.schemeId, t.sort)],
);

/** proposed → approved (a second person) → claimed → paid; or rejected; or expired when not claimed in time. */
export const REWARD_STATUSES = ['proposed', 'approved', 'rejected', 'claimed', 'paid', 'expired'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const rewards = sqliteTable(
  'rewards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    complaintId: integer('complaint_id')
      .notNull()
      .references(() => complaints.id),
    schemeId: integer('scheme_id')
      .notNull()
      .references(() => rewardSchemes.id),
    tierId: integer('tier_id')
      .notNull()
      .references(() => rewardTiers.id),
    amountYuan: real('amount_yuan').notNull(),
    status: text('status', { enum: REWARD_STATUSES }).notNull().default('proposed'),
    reason: text('reason').notNull(),
    proposedBy: integer('proposed_by')
      .notNull()
      .references(() => users.id),
    proposedAt: ms('proposed_at').notNull(),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: ms('decided_at'),
    decisionNote: text('decision_note'),
    claimDeadline: ms('claim_deadline'),
    claimedAt: ms('claimed_at'),
    /** With the tracking code and the contact given at filing, or in person at the office (anonymous reporter). */
    claimedVia: text('claimed_via', { enum: ['code_and_contact', 'office'] }),
    paidAt: ms('paid_at'),
    paidBy: integer('paid_by').references(() => users.id),
    paymentRef: text('payment_ref'),
    version: integer('version').notNull().default(1),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    // First valid report only: one live reward per complaint (a rejected proposal may be proposed again).
    uniqueIndex('rewards_complaint_live').on(t.complaintId).where(sql`status <> 'rejected'`),
    index('rewards_status').on(t.status, t.proposedAt),
  ],
);
