import type { powerFlags, WatchRule } from '../../../db/schema-watch.ts';
import { dateOfDay } from './days.ts';

type Flag = Pick<typeof powerFlags.$inferSelect, 'rule' | 'firstDay' | 'lastDay' | 'strength' | 'evidence'>;

/**
 * The sentence that explains a flag with its numbers, per rule, from the evidence the rule wrote (rules/*.ts).
 * `{key}` is a number of the evidence, `{key:date}` a day number as a date; a part whose numbers are missing (a
 * flag written before a rule gained one) is left out rather than shown with a gap.
 */
const SENTENCES: Record<WatchRule, string[]> = {
  cut_meter_use: [
    '断电已于 {cutDay:date} 经验收证实；',
    '此后 {firstDay:date} 至 {lastDay:date} 有 {daysUsed} 天日用电达到 {threshold} kWh 以上',
    '（中位数 {medianKwh} kWh，最高 {maxKwh} kWh，合计 {totalKwh} kWh）',
    '。',
  ],
  night_use: [
    '{firstDay:date} 至 {lastDay:date} 有 {nights} 个夜晚（22–6 时）用电超过当天白天（8–18 时）的 {threshold} 倍',
    '，且每晚不少于 {minNightKwh} kWh',
    '；夜/昼用电比的中位数为 {medianRatio} 倍',
    '。',
  ],
  jump_after_closure: [
    '{closureDay:date} 关停后，该户号的常态为每天 {baselineMedian} kWh（绝对中位差 MAD {baselineMad}）；',
    '门槛 = 中位数 + {k} × MAD，且至少高出 {floorKwh} kWh，即每天 {threshold} kWh；',
    '{firstDay:date} 至 {lastDay:date} 用电超过门槛，中位数 {medianKwh} kWh，最高 {maxKwh} kWh',
    '。',
  ],
  house_factory: [
    '本村居民户日用电的中位数为 {villageMedian} kWh；',
    '该户在 {windowDays} 天的窗口里日均 {medianWindowKwh} kWh，超过门槛 {threshold} kWh',
    '（{firstDay:date} 至 {lastDay:date}）',
    '；工作日与周末的用电比为 {weekdayRatio} 倍',
    '，白天最低负荷为全天平均的 {daytimeBaseRatio} 倍',
    '。',
  ],
};

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100));

export function explainFlag(flag: Flag): string {
  const values: Record<string, unknown> = { ...flag.evidence, firstDay: flag.firstDay, lastDay: flag.lastDay };
  const parts = SENTENCES[flag.rule].flatMap((part) => {
    let missing = false;
    const text = part.replace(/\{(\w+)(:date)?\}/g, (_, key: string, date?: string) => {
      const v = values[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        missing = true;
        return '';
      }
      return date ? dateOfDay(v) : fmt(v);
    });
    return missing ? [] : [text];
  });
  return `${parts
    .join('')
    .replace(/^[；，]/, '')
    .replace(/[；，]。/, '。')}强度 ${fmt(flag.strength)}（1 表示刚达门槛，越大越异常）。`;
}
