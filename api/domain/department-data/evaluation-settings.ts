import { desc, eq, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { evaluationSettings, type EvaluationIndicator } from '../../../db/schema-watch.ts';
import { audit, type Actor } from '../accounts/audit.ts';
import { atomically, fail, type Result } from '../shared/result.ts';

export type IndicatorKey = EvaluationIndicator['key'];
export const INDICATOR_KEYS = ['tax_per_mu', 'output_per_mu', 'energy_per_output', 'output_per_employee'] as const;
export const INDICATOR_LABELS: Record<IndicatorKey, { name: string; unit: string }> = {
  tax_per_mu: { name: '亩均税收', unit: '万元/亩' },
  output_per_mu: { name: '亩均产值', unit: '万元/亩' },
  energy_per_output: { name: '单位产值能耗', unit: '吨标准煤/万元' },
  output_per_employee: { name: '人均产值', unit: '万元/人' },
};

/**
 * The defaults, after the 亩均效益综合评价 of Zhejiang's counties (the 亩均论英雄 reform and each county's rules):
 * 亩均税收 weighs most, then 亩均产值 (the counties use 增加值, which a township's data rarely has), energy per
 * output and labour productivity. Full marks at the benchmark, pro rata below it; energy per output loses marks
 * pro rata and has none left at its benchmark. A county replaces these with its own in the page.
 */
export const DEFAULT_INDICATORS: EvaluationIndicator[] = [
  { key: 'tax_per_mu', weight: 50, benchmark: 15 },
  { key: 'output_per_mu', weight: 20, benchmark: 300 },
  { key: 'energy_per_output', weight: 15, benchmark: 0.5 },
  { key: 'output_per_employee', weight: 15, benchmark: 50 },
];
export const DEFAULT_CUTS = { A: 80, B: 60, C: 40 };
/** The classes' names as the counties' documents give them. */
export const CLASS_NAMES = { A: '优先发展类', B: '提升发展类', C: '整治提升类', D: '淘汰整治类' } as const;
export type EvaluationClass = keyof typeof CLASS_NAMES;

export interface EvaluationSettings {
  year: number;
  indicators: EvaluationIndicator[];
  classCuts: { A: number; B: number; C: number };
  /** 0: nothing stored for this year (the defaults, or an earlier year's settings, apply). */
  version: number;
  /** The year whose settings these are, when an earlier year's apply. */
  fromYear: number | null;
}

/** The year's settings, else the latest earlier year's, else the defaults. */
export function loadSettings(db: Db, year: number): EvaluationSettings {
  const row = db
    .select()
    .from(evaluationSettings)
    .where(lte(evaluationSettings.year, year))
    .orderBy(desc(evaluationSettings.year))
    .get();
  if (!row) return { year, indicators: DEFAULT_INDICATORS, classCuts: DEFAULT_CUTS, version: 0, fromYear: null };
  const own = row.year === year;
  return { ...row, year, version: own ? row.version : 0, fromYear: own ? null : row.year };
}

const score = (name: string) =>
  z
    .number({ error: `${name}应为数字` })
    .min(0, { error: `${name}不能小于 0` })
    .max(100, { error: `${name}不能大于 100` });

/** The page's form sends weights.KEY and benchmarks.KEY (one level of names): read as the indicators' list. */
function fromForm(v: unknown): unknown {
  if (!v || typeof v !== 'object' || 'indicators' in v || !('weights' in v)) return v;
  const { weights, benchmarks, ...rest } = v as Record<string, Record<string, unknown> | undefined>;
  const indicators = INDICATOR_KEYS.map((key) => ({ key, weight: weights?.[key], benchmark: benchmarks?.[key] }));
  return { ...rest, indicators };
}

const settingsShape = z
  .object({
    version: z.number({ error: '缺少版本号' }).int().min(0),
    indicators: z
      .array(
        z.object({
          key: z.enum(INDICATOR_KEYS, { error: '指标无效' }),
          weight: score('权重'),
          benchmark: z.number({ error: '基准值应为数字' }).positive({ error: '基准值应大于 0' }),
        }),
      )
      .length(INDICATOR_KEYS.length, { error: `须填写全部 ${INDICATOR_KEYS.length} 项指标` }),
    classCuts: z.object({ A: score('A 类分数线'), B: score('B 类分数线'), C: score('C 类分数线') }),
  })
  .refine((s) => new Set(s.indicators.map((i) => i.key)).size === INDICATOR_KEYS.length, {
    error: '每项指标只能填写一次',
  })
  .refine((s) => Math.abs(s.indicators.reduce((a, i) => a + i.weight, 0) - 100) < 1e-9, {
    error: '各项权重之和应为 100',
  })
  .refine((s) => s.classCuts.A > s.classCuts.B && s.classCuts.B > s.classCuts.C, {
    error: '分数线应为 A 类 > B 类 > C 类',
  });
export const settingsInput = z.preprocess(fromForm, settingsShape);

/** The admin's edit of a year's weights and cuts: a stale version is 409; audited. */
export function saveSettings(
  db: Db,
  actor: Actor,
  year: number,
  input: z.infer<typeof settingsInput>,
  now: Date,
): Result<{ version: number }> {
  return atomically(db, (tx) => {
    const row = tx.select().from(evaluationSettings).where(eq(evaluationSettings.year, year)).get();
    if ((row?.version ?? 0) !== input.version) return fail(409, '评价设置已被他人修改，请刷新页面后重试');
    const values = { indicators: input.indicators, classCuts: input.classCuts, updatedBy: actor.id, updatedAt: now };
    const version = input.version + 1;
    if (row)
      tx.update(evaluationSettings)
        .set({ ...values, version })
        .where(eq(evaluationSettings.year, year))
        .run();
    else
      tx.insert(evaluationSettings)
        .values({ year, ...values })
        .run();
    const details = { year, indicators: input.indicators, classCuts: input.classCuts, before: row ?? null };
    audit(
      tx,
      actor,
      { action: 'evaluation_settings.update', objectType: 'evaluation_settings', objectId: year, details },
      now,
    );
    return { ok: true, version };
  });
}
