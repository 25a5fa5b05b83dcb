import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { WATCH_RULES, type WatchRule, watchRules } from '../../../db/schema-watch.ts';

/**
 * Each rule's numbers: the defaults below, unless an admin saved others in watch_rules (the rules page). Stored
 * numbers are read through the same schema, so a field the admin never saved (or one added later) is the default.
 */

/** One number of a rule as the rules page shows it: a label, its unit, what raising it does, and its bounds. */
export interface ParamField {
  key: string;
  label: string;
  unit: string;
  hint: string;
  min: number;
  max: number;
  /** Whole numbers only (days, counts). */
  integer: boolean;
}

const days = (key: string, label: string, hint: string, min: number, max: number): ParamField => ({
  key,
  label,
  unit: '天',
  hint,
  min,
  max,
  integer: true,
});
const num = (key: string, label: string, unit: string, hint: string, min: number, max: number): ParamField => ({
  key,
  label,
  unit,
  hint,
  min,
  max,
  integer: false,
});

const LOOKBACK = days('lookbackDays', '回看天数', '每次检测读取的最近天数', 7, 730);
const GAP = days('gapDays', '间断容忍', '两段异常之间相隔不超过此天数，算同一条线索（不重复提示）', 0, 60);

export const RULE_LABELS: Record<WatchRule, string> = {
  cut_meter_use: '断电后仍用电',
  night_use: '夜间用电高于白天',
  jump_after_closure: '关停后用电跳升',
  house_factory: '居民户呈工厂曲线',
};

/** What each rule looks for, in one sentence for the office. */
export const RULE_SUMMARIES: Record<WatchRule, string> = {
  cut_meter_use: '整改任务验收时已证明断电（断电或断开工业用电）的电表，之后又有用电。',
  night_use: '整改中或已关停的企业，夜间（22–06 时）用电超过白天（08–18 时）的设定倍数（需 15 分钟或小时曲线）。',
  jump_after_closure: '关停后电表的用电突然高出它自己关停后的常态（中位数加 k 倍 MAD，且至少高出一个绝对值）。',
  house_factory: '居民电价的电表，日用电远高于本村居民户的中位数，且有白天持续负荷或工作日节律，疑似在住宅里开了作坊。',
};

export const RULE_FIELDS: Record<WatchRule, readonly ParamField[]> = {
  cut_meter_use: [
    days('graceDays', '断电后宽限', '断电当天及之后几天的读数不算（抄表时差）', 0, 30),
    num('minKwh', '用电门槛', 'kWh/天', '日用电达到此值才算用电（低于它视为表计误差）', 0.1, 100),
    days('minDays', '最少天数', '达到门槛的天数不少于此值才提示', 1, 60),
    GAP,
    LOOKBACK,
  ],
  night_use: [
    num('ratio', '夜/昼倍数', '倍', '夜间（22–06 时）用电超过白天（08–18 时）的倍数', 1, 20),
    num('minNightKwh', '夜间用电门槛', 'kWh/夜', '夜间用电低于此值不算（待机、照明）', 0.1, 500),
    days('minNights', '最少夜数', '满足条件的夜晚不少于此值才提示', 1, 60),
    GAP,
    { ...LOOKBACK, max: 180 },
  ],
  jump_after_closure: [
    num('k', 'MAD 倍数 k', '倍', '门槛 = 关停后常态的中位数 + k × MAD（稳健离散度）', 1, 50),
    num('floorKwh', '最小跳升', 'kWh/天', '门槛至少比中位数高出此值（常态几乎为零时防止误报）', 0.1, 500),
    days('minRunDays', '连续天数', '连续超过门槛的天数不少于此值才提示', 1, 60),
    days('baselineDays', '常态天数', '用此前多少天（关停后、未异常的日子）计算常态', 7, 120),
    days('minBaselineDays', '最少常态天数', '关停后不足此天数的读数时不判断', 3, 120),
    days('graceDays', '关停后宽限', '验收当天及之后几天不算（收尾用电）', 0, 30),
    GAP,
    LOOKBACK,
  ],
  house_factory: [
    days('windowDays', '观察窗口', '按此天数的滑动窗口计算日均用电和节律', 7, 90),
    num('villageMultiple', '村中位数倍数', '倍', '窗口日均用电至少是本村居民户中位数的此倍数', 1, 50),
    num('minDailyKwh', '日均门槛', 'kWh/天', '窗口日均用电至少此值（小村中位数很低时防止误报）', 1, 1000),
    num('weekdayRatio', '工作日节律', '倍', '工作日日均 ÷ 周末日均达到此值算有工作日节律', 1, 10),
    num(
      'daytimeBaseRatio',
      '白天基荷',
      '倍',
      '08–18 时最低小时负荷 ÷ 全天平均小时负荷达到此值算有白天持续负荷（需曲线）',
      0.1,
      5,
    ),
    days('minDays', '最少天数', '满足条件的天数不少于此值才提示', 1, 90),
    num('minVillageMeters', '村最少户数', '户', '本村居民电表少于此数时用全镇居民户的中位数', 1, 1000),
    GAP,
    LOOKBACK,
  ],
};

export const RULE_DEFAULTS = {
  cut_meter_use: { graceDays: 2, minKwh: 1, minDays: 3, gapDays: 7, lookbackDays: 365 },
  night_use: { ratio: 1.5, minNightKwh: 5, minNights: 3, gapDays: 7, lookbackDays: 90 },
  jump_after_closure: {
    k: 5,
    floorKwh: 3,
    minRunDays: 3,
    baselineDays: 28,
    minBaselineDays: 14,
    graceDays: 3,
    gapDays: 7,
    lookbackDays: 365,
  },
  house_factory: {
    windowDays: 28,
    villageMultiple: 3,
    minDailyKwh: 15,
    weekdayRatio: 1.4,
    daytimeBaseRatio: 1,
    minDays: 7,
    minVillageMeters: 5,
    gapDays: 7,
    lookbackDays: 365,
  },
} as const satisfies Record<WatchRule, Record<string, number>>;

export type RuleParams = { [R in WatchRule]: { [K in keyof (typeof RULE_DEFAULTS)[R]]: number } };

/** A zod schema of a rule's numbers, each bounded and named in Chinese; every field defaults. */
function schemaOf<R extends WatchRule>(rule: R) {
  const shape: Record<string, z.ZodType<number>> = {};
  for (const f of RULE_FIELDS[rule]) {
    let n = z.coerce.number({ error: `${f.label}须是数字` });
    if (f.integer) n = n.int({ error: `${f.label}须是整数` });
    shape[f.key] = n
      .min(f.min, { error: `${f.label}不能小于 ${f.min}` })
      .max(f.max, { error: `${f.label}不能大于 ${f.max}` })
      .default((RULE_DEFAULTS[rule] as Record<string, number>)[f.key] as number) as unknown as z.ZodType<number>;
  }
  return z.object(shape) as unknown as z.ZodType<RuleParams[R]>;
}

export const RULE_SCHEMAS: { [R in WatchRule]: z.ZodType<RuleParams[R]> } = {
  cut_meter_use: schemaOf('cut_meter_use'),
  night_use: schemaOf('night_use'),
  jump_after_closure: schemaOf('jump_after_closure'),
  house_factory: schemaOf('house_factory'),
};

export interface RuleSetting<R extends WatchRule = WatchRule> {
  enabled: boolean;
  params: RuleParams[R];
  /** 0 while the defaults were never saved. */
  version: number;
}
export type RuleSettings = { [R in WatchRule]: RuleSetting<R> };

/** A stored rule's numbers, each bad or missing one replaced by its default (a rule never stops on a bad edit). */
export function paramsOf<R extends WatchRule>(rule: R, stored: Record<string, unknown> | null | undefined) {
  const out = { ...RULE_DEFAULTS[rule] } as Record<string, number>;
  for (const f of RULE_FIELDS[rule]) {
    const one = RULE_SCHEMAS[rule].safeParse({ ...RULE_DEFAULTS[rule], [f.key]: stored?.[f.key] });
    if (one.success && stored?.[f.key] !== undefined)
      out[f.key] = (one.data as Record<string, number>)[f.key] as number;
  }
  return out as RuleParams[R];
}

/** Every rule's numbers and whether it runs, as the next detection pass will use them. */
export function loadRuleParams(db: Db): RuleSettings {
  const rows = db.select().from(watchRules).all();
  const out = {} as Record<WatchRule, RuleSetting>;
  for (const rule of WATCH_RULES) {
    const row = rows.find((r) => r.rule === rule);
    out[rule] = { enabled: row?.enabled ?? true, params: paramsOf(rule, row?.params), version: row?.version ?? 0 };
  }
  return out as RuleSettings;
}
