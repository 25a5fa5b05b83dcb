import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import {
  ASSESSED_LEVELS,
  ASSESSMENT_MEASURES,
  assessmentIndicators,
  type AssessedLevel,
  type AssessmentMeasure,
} from '../../../db/schema-county.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { ADMIN, hasRole } from '../shared/roles.ts';
import { decimal, freeText } from '../shared/text-input.ts';
import { LEVEL_LABELS, MEASURES } from './labels.ts';

export type Indicator = typeof assessmentIndicators.$inferSelect;

type Default = { weight: number; penalty?: number; active?: boolean };

/**
 * The scorecard a county starts with (weights sum to 100 over the active ones): 签收/反馈 on time and overdue items
 * weigh most, as the seeds' 考核 read (work done on time); a department does no 回头看, so relapses are off for it.
 */
const DEFAULTS: Record<AssessedLevel, Record<AssessmentMeasure, Default>> = {
  township: {
    ack_on_time: { weight: 15 },
    answer_on_time: { weight: 25 },
    overdue: { weight: 15, penalty: 5 },
    urged: { weight: 10, penalty: 5 },
    relapse: { weight: 10, penalty: 10 },
    reopened: { weight: 10, penalty: 10 },
    satisfaction: { weight: 15 },
  },
  village: {
    ack_on_time: { weight: 15 },
    answer_on_time: { weight: 25 },
    overdue: { weight: 15, penalty: 10 },
    urged: { weight: 10, penalty: 10 },
    relapse: { weight: 10, penalty: 20 },
    reopened: { weight: 10, penalty: 20 },
    satisfaction: { weight: 15 },
  },
  department: {
    ack_on_time: { weight: 20 },
    answer_on_time: { weight: 30 },
    overdue: { weight: 20, penalty: 10 },
    urged: { weight: 15, penalty: 10 },
    relapse: { weight: 0, penalty: 0, active: false },
    reopened: { weight: 15, penalty: 10 },
    satisfaction: { weight: 10, active: false },
  },
};

/**
 * Seeds each level's indicators that are missing (all of them on a new database), as DEFAULTS says; indicators the
 * admin has edited are left alone. Called as the process opens its database (api/context.ts), so a county never
 * scores on nothing.
 */
export function ensureIndicators(db: Db, now: Date): void {
  const have = db
    .select({ level: assessmentIndicators.level, measure: assessmentIndicators.measure })
    .from(assessmentIndicators)
    .all();
  if (have.length === ASSESSED_LEVELS.length * ASSESSMENT_MEASURES.length) return;
  const missing = ASSESSED_LEVELS.flatMap((level) =>
    ASSESSMENT_MEASURES.flatMap((measure, sort) => {
      if (have.some((h) => h.level === level && h.measure === measure)) return [];
      const d = DEFAULTS[level][measure];
      return [
        {
          level,
          measure,
          name: MEASURES[measure].name,
          weight: d.weight,
          penalty: d.penalty ?? 0,
          active: d.active ?? true,
          sort: (sort + 1) * 10,
          updatedAt: now,
        },
      ];
    }),
  );
  if (missing.length) db.insert(assessmentIndicators).values(missing).onConflictDoNothing().run();
}

/** A level's indicators in their order, the inactive ones included (the pages show them greyed). */
export function indicatorsOf(db: Db, level: AssessedLevel): Indicator[] {
  return db
    .select()
    .from(assessmentIndicators)
    .where(eq(assessmentIndicators.level, level))
    .orderBy(asc(assessmentIndicators.sort), asc(assessmentIndicators.id))
    .all();
}

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], {
  error: '请选择是否计分',
});

/** The admin's edit of one indicator: its name, weight, penalty per item, whether it counts, and its order. */
export const indicatorEditInput = z.object({
  version: decimal('版本号', { integer: true, min: 1, required: '缺少版本号，请刷新页面' }),
  name: freeText('指标名称', { min: 2, max: 30, required: '请填写指标名称', tooShort: '指标名称至少 2 个字' }),
  weight: decimal('权重', { min: 0, max: 100, range: '权重须在 0 到 100 之间' }),
  penalty: decimal('扣分', { min: 0, max: 100, range: '每件扣分须在 0 到 100 之间' }),
  active: bool,
  sort: decimal('顺序', { integer: true, min: 0, max: 9999, range: '顺序须在 0 到 9999 之间' }),
});
export type IndicatorEdit = z.infer<typeof indicatorEditInput>;

/** Saves an indicator for the scorecards read from now on (past ones are recomputed too); audited, version-checked. */
export function saveIndicator(
  db: Db,
  user: StaffUser,
  id: number,
  input: IndicatorEdit,
  now: Date,
): Result<{ version: number }> {
  if (!hasRole(user, ADMIN)) return fail(403, '只有系统管理员可以修改考核指标');
  return atomically(db, (tx) => {
    const before = tx.select().from(assessmentIndicators).where(eq(assessmentIndicators.id, id)).get();
    if (!before) return fail(404, '考核指标不存在');
    if (before.version !== input.version) return fail(409, '这项考核指标已被他人修改，请刷新后再改');
    if (input.active && input.weight === 0) return fail(400, '计分的指标权重须大于 0（不计分请选“不计分”）');
    const { version: _v, ...fields } = input;
    const r = tx
      .update(assessmentIndicators)
      .set({ ...fields, version: before.version + 1, updatedBy: user.id, updatedAt: now })
      .where(and(eq(assessmentIndicators.id, id), eq(assessmentIndicators.version, before.version)))
      .run();
    if (r.changes !== 1) return fail(409, '这项考核指标已被他人修改，请刷新后再改');
    const pick = (x: Omit<IndicatorEdit, 'version'>) => ({
      name: x.name,
      weight: x.weight,
      penalty: x.penalty,
      active: x.active,
      sort: x.sort,
    });
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'assessment_indicator.update',
        objectType: 'assessment_indicator',
        objectId: id,
        details: {
          level: LEVEL_LABELS[before.level],
          measure: before.measure,
          before: pick(before),
          after: pick(fields),
        },
      },
      now,
    );
    return { ok: true, version: before.version + 1 };
  });
}
