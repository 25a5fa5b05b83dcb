import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { departments, townships, users, villages } from './schema.ts';
import { enterprises, nightPatrols, revisits } from './schema-enforcement.ts';

const ms = (name: string) => integer(name, { mode: 'timestamp_ms' });
const createdAt = () => ms('created_at').notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/** 电表 or 水表 accounts of the utilities, joined to enterprise files (issue 15). */
export const METER_KINDS = ['power', 'water'] as const;
export type MeterKind = (typeof METER_KINDS)[number];
/** 居民 / 一般工商业 / 大工业 / 农业: the power tariff classes. */
export const TARIFF_CLASSES = ['residential', 'commercial', 'industrial', 'agricultural'] as const;
export type TariffClass = (typeof TARIFF_CLASSES)[number];

/**
 * A utility account (户号). It may exist before any file does: a house the readings make suspect. Scope is the
 * village, as for enterprises; a meter linked to a file lies in the file's village.
 */
export const meters = sqliteTable(
  'meters',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    kind: text('kind', { enum: METER_KINDS }).notNull().default('power'),
    /** 户号 as the utility writes it (digits, sometimes letters); unique per kind. */
    accountNo: text('account_no').notNull(),
    /** Power only. */
    tariff: text('tariff', { enum: TARIFF_CLASSES }),
    /** 户名 as the utility has it: staff only, like an enterprise's person in charge. */
    holder: text('holder').notNull().default(''),
    address: text('address').notNull().default(''),
    lat: real('lat'),
    lng: real('lng'),
    note: text('note').notNull().default(''),
    /** A meter is never deleted: removed (销户) ones are retired and keep their readings. */
    status: text('status', { enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => users.id),
    updatedBy: integer('updated_by'),
    createdAt: createdAt(),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('meters_kind_account').on(t.kind, t.accountNo),
    index('meters_enterprise').on(t.enterpriseId),
    index('meters_village').on(t.villageId, t.tariff),
  ],
);

/**
 * Daily totals. `day` is the Beijing calendar day as days since 1970-01-01 (one integer, no zone to get wrong);
 * created WITHOUT ROWID (edited into the migration): the key is the row, half the pages of a rowid table.
 */
export const meterDaily = sqliteTable(
  'meter_daily',
  {
    meterId: integer('meter_id')
      .notNull()
      .references(() => meters.id),
    day: integer('day').notNull(),
    kwh: real('kwh').notNull(),
    /** The import that last wrote this value. */
    importId: integer('import_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meterId, t.day] })],
);

/**
 * 15-minute or hourly curves. `minute` is the interval's start in minutes since the Unix epoch (UTC); `minutes`
 * its length. WITHOUT ROWID, as meter_daily.
 */
export const meterIntervals = sqliteTable(
  'meter_intervals',
  {
    meterId: integer('meter_id')
      .notNull()
      .references(() => meters.id),
    minute: integer('minute').notNull(),
    minutes: integer('minutes').notNull(),
    kwh: real('kwh').notNull(),
    importId: integer('import_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meterId, t.minute] })],
);

/** What an import was: the utility's readings, its meter list, or another department's register. */
export const IMPORT_KINDS = ['daily', 'interval', 'meters', 'register', 'figures'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_STATUSES = ['running', 'done', 'failed'] as const;

/** One uploaded file: its hash (a re-import of the same bytes is said so), counts and its first errors by line. */
export const dataImports = sqliteTable(
  'data_imports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    kind: text('kind', { enum: IMPORT_KINDS }).notNull(),
    /** For a register: whose list it is (市场监管, 税务 …). */
    departmentId: integer('department_id').references(() => departments.id),
    fileName: text('file_name').notNull(),
    sha256: text('sha256').notNull(),
    bytes: integer('bytes').notNull(),
    status: text('status', { enum: IMPORT_STATUSES }).notNull().default('running'),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsInserted: integer('rows_inserted').notNull().default(0),
    rowsUpdated: integer('rows_updated').notNull().default(0),
    rowsUnchanged: integer('rows_unchanged').notNull().default(0),
    /** The first errors, by line, in Chinese: a failed import wrote nothing else. */
    errors: text('errors', { mode: 'json' }).notNull().$type<{ line: number; message: string }[]>().default([]),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    finishedAt: ms('finished_at'),
  },
  (t) => [index('data_imports_township').on(t.townshipId, t.kind, t.createdAt)],
);

/**
 * A row of another department's register (市场监管's licence list: 统一社会信用代码, name, address, status),
 * matched to a file by credit code, else by name in the township; unmatched rows are listed for the office.
 */
export const registerEntries = sqliteTable(
  'register_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    importId: integer('import_id')
      .notNull()
      .references(() => dataImports.id),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
    line: integer('line').notNull(),
    creditCode: text('credit_code'),
    name: text('name').notNull(),
    address: text('address').notNull().default(''),
    /** As the register writes it: 存续, 在业, 注销, 吊销 … */
    registerStatus: text('register_status').notNull().default(''),
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    matchedBy: text('matched_by', { enum: ['credit_code', 'name', 'staff'] }),
    createdAt: createdAt(),
  },
  (t) => [
    index('register_entries_import').on(t.importId),
    index('register_entries_enterprise').on(t.enterpriseId),
    index('register_entries_unmatched').on(t.townshipId, t.departmentId).where(sql`enterprise_id is null`),
  ],
);

/** A year's figures of a file from tax, statistics, land and energy data: what 亩产效益 is computed from. */
export const enterpriseFigures = sqliteTable(
  'enterprise_figures',
  {
    enterpriseId: integer('enterprise_id')
      .notNull()
      .references(() => enterprises.id),
    year: integer('year').notNull(),
    /** 实缴税收, 万元. */
    taxWan: real('tax_wan'),
    /** 销售收入 / 工业总产值, 万元. */
    outputWan: real('output_wan'),
    /** 综合能耗, 吨标准煤. */
    energyTce: real('energy_tce'),
    /** 用地面积, 亩; null: the file's land area (m²) is used. */
    landMu: real('land_mu'),
    employees: integer('employees'),
    importId: integer('import_id').references(() => dataImports.id),
    updatedBy: integer('updated_by').references(() => users.id),
    updatedAt: ms('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.enterpriseId, t.year] })],
);

/** 亩产效益综合评价: the indicators' weights and the A/B/C/D cuts, as data an admin edits, one per year. */
export interface EvaluationIndicator {
  key: 'tax_per_mu' | 'output_per_mu' | 'energy_per_output' | 'output_per_employee';
  weight: number;
  /** The value that scores full marks (or, for energy per output, zero marks). */
  benchmark: number;
}
export const evaluationSettings = sqliteTable('evaluation_settings', {
  year: integer('year').primaryKey(),
  indicators: text('indicators', { mode: 'json' }).notNull().$type<EvaluationIndicator[]>(),
  /** Lowest score of A, B and C; below C's is D. */
  classCuts: text('class_cuts', { mode: 'json' }).notNull().$type<{ A: number; B: number; C: number }>(),
  version: integer('version').notNull().default(1),
  updatedBy: integer('updated_by').references(() => users.id),
  updatedAt: ms('updated_at').notNull(),
});

/** The four rules of issue 15, each explained on its flags. */
export const WATCH_RULES = ['cut_meter_use', 'night_use', 'jump_after_closure', 'house_factory'] as const;
export type WatchRule = (typeof WATCH_RULES)[number];

/** Each rule's numbers (thresholds, windows) and whether it runs; defaults in code, an admin's edit here. */
export const watchRules = sqliteTable('watch_rules', {
  rule: text('rule', { enum: WATCH_RULES }).primaryKey(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  params: text('params', { mode: 'json' }).notNull().$type<Record<string, number>>(),
  version: integer('version').notNull().default(1),
  updatedBy: integer('updated_by').references(() => users.id),
  updatedAt: ms('updated_at').notNull(),
});

export const FLAG_STATUSES = ['open', 'confirmed', 'dismissed'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];

/**
 * What a detection pass found on one meter by one rule over a span of days. Detection is idempotent: the same
 * (meter, rule, first day) is one flag, updated while open. Confirming opens a 回头看 for the village.
 */
export const powerFlags = sqliteTable(
  'power_flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    rule: text('rule', { enum: WATCH_RULES }).notNull(),
    meterId: integer('meter_id')
      .notNull()
      .references(() => meters.id),
    /** The meter's file when the flag was raised; a house's flag gets one when confirmed. */
    enterpriseId: integer('enterprise_id').references(() => enterprises.id),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    villageId: integer('village_id')
      .notNull()
      .references(() => villages.id),
    /** Days as in meter_daily. */
    firstDay: integer('first_day').notNull(),
    lastDay: integer('last_day').notNull(),
    /** How far past its threshold (1 = just at it): orders the list and feeds the risk score. */
    strength: real('strength').notNull(),
    /** The numbers behind it (median, MAD, ratio, days …) for the sentence and chart that explain it. */
    evidence: text('evidence', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    status: text('status', { enum: FLAG_STATUSES }).notNull().default('open'),
    /** A dismissal's reason, or the note with a confirmation. */
    reason: text('reason'),
    revisitId: integer('revisit_id').references(() => revisits.id),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: ms('decided_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
    detectedAt: ms('detected_at').notNull(),
  },
  (t) => [
    uniqueIndex('power_flags_key').on(t.meterId, t.rule, t.firstDay),
    index('power_flags_status_village').on(t.status, t.villageId),
    index('power_flags_enterprise').on(t.enterpriseId),
    index('power_flags_rule_status').on(t.rule, t.status),
  ],
);

/**
 * A night-patrol plan: the files ordered by relapse risk, the top ones taken and a share drawn at random from
 * the rest (as 双随机 keeps inspections unpredictable). Seed and candidates are stored, so anyone can re-run it.
 */
export const patrolPlans = sqliteTable(
  'patrol_plans',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    townshipId: integer('township_id')
      .notNull()
      .references(() => townships.id),
    title: text('title').notNull(),
    seed: text('seed').notNull(),
    size: integer('size').notNull(),
    /** 0–1: the part of the plan drawn at random instead of by score. */
    randomShare: real('random_share').notNull(),
    /** Every candidate with its score and the score's parts, highest first: the draw's exact input. */
    candidates: text('candidates', { mode: 'json' })
      .notNull()
      .$type<{ enterpriseId: number; score: number; parts: Record<string, number> }[]>(),
    rankedIds: text('ranked_ids', { mode: 'json' }).notNull().$type<number[]>(),
    drawnIds: text('drawn_ids', { mode: 'json' }).notNull().$type<number[]>(),
    /** The night patrol that carried it out, once recorded. */
    patrolId: integer('patrol_id').references(() => nightPatrols.id),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index('patrol_plans_township').on(t.townshipId, t.createdAt)],
);
