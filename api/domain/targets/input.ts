import { z } from 'zod';
import { CAMPAIGN_METRICS } from '../../../db/schema-county.ts';
import { freeText } from '../shared/text-input.ts';
import { isCalendarDate } from '../shared/time.ts';

const day = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${label}格式应为“年-月-日”，如 2026-12-31` })
    .refine(isCalendarDate, { error: `${label}不存在，请检查年月日` });

const version = z.number({ error: '缺少版本号' }).int({ error: '版本号无效' }).min(1, { error: '版本号无效' });

const campaignShape = {
  name: freeText('行动名称', { min: 2, max: 60 }),
  startsOn: day('开始日期'),
  dueOn: day('完成期限'),
};
const inOrder = { error: '完成期限不能早于开始日期', path: ['dueOn'] };

export const newCampaignInput = z.object(campaignShape).refine((c) => c.startsOn <= c.dueOn, inOrder);

export const campaignEditInput = z
  .object({
    ...campaignShape,
    archived: z
      .preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean({ error: '归档应为是或否' }))
      .default(false),
    version,
  })
  .refine((c) => c.startsOn <= c.dueOn, inOrder);

const count = z
  .number({ error: '目标数应为整数' })
  .int({ error: '目标数应为整数' })
  .min(0, { error: '目标数不能小于 0' })
  .max(1_000_000, { error: '目标数不能超过 1000000' });

/**
 * The page's form sends one field per cell, t.<metric>:<township id, 0 for the county> (admin/scripts/admin.ts reads a
 * dotted name as one level of an object): read as the list of targets; a blank cell is no target.
 */
function fromForm(v: unknown): unknown {
  if (!v || typeof v !== 'object' || !('t' in v) || 'targets' in v) return v;
  const { t, ...rest } = v as { t: Record<string, unknown> };
  const targets = Object.entries(t ?? {}).map(([key, value]) => {
    const [metric, id] = key.split(':');
    const n = typeof value === 'string' && /^\s*$/.test(value) ? 0 : Number(value);
    return { metric, townshipId: id === '0' ? null : Number(id), target: Number.isNaN(n) ? value : n };
  });
  return { ...rest, targets };
}

/** The whole table of a campaign's targets: the county's and each township's share; 0 = no target. */
const targetsShape = z
  .object({
    version,
    targets: z
      .array(
        z.object({
          metric: z.enum(CAMPAIGN_METRICS, { error: '目标类别无效' }),
          townshipId: z
            .number({ error: '镇（街道）无效' })
            .int({ error: '镇（街道）无效' })
            .positive({ error: '镇（街道）无效' })
            .nullable(),
          target: count,
        }),
        { error: '目标应为列表' },
      )
      .max(CAMPAIGN_METRICS.length * 200, { error: '目标条数过多' }),
  })
  .refine((t) => new Set(t.targets.map((x) => `${x.metric}:${x.townshipId}`)).size === t.targets.length, {
    error: '同一镇（街道）的同一类目标只能填写一次',
  });
export const targetsInput = z.preprocess(fromForm, targetsShape);

export type NewCampaign = z.infer<typeof newCampaignInput>;
export type CampaignEdit = z.infer<typeof campaignEditInput>;
export type TargetsEdit = z.infer<typeof targetsShape>;
