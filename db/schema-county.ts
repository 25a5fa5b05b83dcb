import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { townships, users } from './schema.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** A campaign the county runs (seed 001: 专项整治行动), with a start and the date its targets are due. */
export const campaigns = sqliteTable('campaigns', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Beijing dates, YYYY-MM-DD. */
  startsOn: text('starts_on').notNull(),
  dueOn: text('due_on').notNull(),
  /** Kept, never deleted: an archived campaign's targets stay readable. */
  archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
  version: integer('version').notNull().default(1),
  createdBy: integer('created_by').references(() => users.id),
  updatedBy: integer('updated_by').references(() => users.id),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

/**
 * What a target counts (seed 001: 整治"低小散"企业, 整治出租企业, 破除"僵尸"企业, 推动企业入园); each is counted from
 * the records by api/domain/targets.
 */
export const CAMPAIGN_METRICS = ['remediated', 'rental_remediated', 'zombie_cleared', 'moved_to_park'] as const;
export type CampaignMetric = (typeof CAMPAIGN_METRICS)[number];

/** One number to reach: for the county (township null) or one township's share of it. */
export const campaignTargets = sqliteTable(
  'campaign_targets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    metric: text('metric', { enum: CAMPAIGN_METRICS }).notNull(),
    townshipId: integer('township_id').references(() => townships.id),
    target: integer('target').notNull(),
    version: integer('version').notNull().default(1),
    updatedBy: integer('updated_by').references(() => users.id),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [uniqueIndex('campaign_targets_one').on(t.campaignId, t.metric, sql`coalesce(${t.townshipId}, 0)`)],
);

/** Who is assessed (量化考核): townships by the county, villages and departments too. */
export const ASSESSED_LEVELS = ['township', 'village', 'department'] as const;
export type AssessedLevel = (typeof ASSESSED_LEVELS)[number];

/**
 * What the records can measure: 签收/反馈 on time (rates), overdue items, 督办 received, relapses found by 回头看
 * among closed files, reopened complaints (counts), and the reporters' satisfaction (a rate).
 */
export const ASSESSMENT_MEASURES = [
  'ack_on_time',
  'answer_on_time',
  'overdue',
  'urged',
  'relapse',
  'reopened',
  'satisfaction',
] as const;
export type AssessmentMeasure = (typeof ASSESSMENT_MEASURES)[number];

/**
 * An indicator of the scorecard, as the admin sets it: its weight, and for a count the points one item costs. A rate
 * scores its percentage; a count scores 100 less the penalty per item, never below 0.
 */
export const assessmentIndicators = sqliteTable(
  'assessment_indicators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    level: text('level', { enum: ASSESSED_LEVELS }).notNull(),
    measure: text('measure', { enum: ASSESSMENT_MEASURES }).notNull(),
    name: text('name').notNull(),
    weight: real('weight').notNull(),
    penalty: real('penalty').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    sort: integer('sort').notNull().default(0),
    version: integer('version').notNull().default(1),
    updatedBy: integer('updated_by').references(() => users.id),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('assessment_indicators_level_measure').on(t.level, t.measure),
    index('assessment_indicators_level').on(t.level, t.sort),
  ],
);
