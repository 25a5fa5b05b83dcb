import type { CampaignMetric } from '../../../db/schema-county.ts';

/** Seed 001's words for each target: 整治"低小散"企业300家以上, 整治出租企业200家以上, … */
export const METRIC_LABELS: Record<CampaignMetric, string> = {
  remediated: '整治“低小散”企业',
  rental_remediated: '整治出租企业',
  zombie_cleared: '破除“僵尸”企业',
  moved_to_park: '推动企业入园',
};

/** How each is counted, as the pages explain it (docs/decisions/025-campaign-targets.md). */
export const METRIC_RULES: Record<CampaignMetric, string> = {
  remediated: '行动期内有整治任务（关停取缔、整改提升、搬迁入园）通过验收的企业档案，每家计一次',
  rental_remediated: '其中经营场所为租赁（摸底表“经营场所”选租赁）的企业',
  zombie_cleared: '其中属“僵尸”企业的：部门登记状态为吊销、注销或撤销，或验收前一年的税收、产值数据均为零或空',
  moved_to_park: '行动期内搬迁入园任务通过验收的企业',
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** 完成 212/300（70.7%），时间进度 58%: the progress against the target and the time gone. */
export function progressText(r: { target: number; done: number; share: number; elapsedShare: number }): string {
  return `完成 ${r.done}/${r.target}（${pct(r.share)}），时间进度 ${Math.round(r.elapsedShare * 100)}%`;
}

/** Behind when the share done trails the share of the time gone. */
export const isBehind = (r: { share: number; elapsedShare: number }) => r.share < r.elapsedShare;
