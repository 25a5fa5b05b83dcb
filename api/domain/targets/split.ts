import { setImmediate as nextTurn } from 'node:timers/promises';
import { CAMPAIGN_METRICS, type CampaignMetric } from '../../../db/schema-county.ts';
import type { Db } from '../../../db/client.ts';
import { METRIC_LABELS } from './labels.ts';
import {
  countDone,
  countyTownships,
  elapsedShare,
  sumCounts,
  targetsOf,
  type Campaign,
  type MetricCounts,
} from './progress.ts';

export interface SplitCell {
  target: number;
  done: number;
}
export interface SplitRow {
  metric: CampaignMetric;
  label: string;
  county: SplitCell;
  /** In the townships' order. */
  townships: SplitCell[];
  /** The townships' shares added up, and how far that is from the county's figure (negative: short of it). */
  sharesTotal: number;
  gap: number;
}
export interface TargetSplit {
  townships: { id: number; code: string; name: string }[];
  rows: SplitRow[];
  elapsedShare: number;
}

/** The campaign's targets split across the townships, what each has done, and whether the shares add up. */
export async function targetSplit(db: Db, campaign: Campaign, now: Date): Promise<TargetSplit> {
  const list = countyTownships(db);
  const targets = targetsOf(db, campaign.id);
  // One township at a time: the county's accepted tasks at once held the HTTP thread 30–80 ms at 20,000 files.
  const done = new Map<number, MetricCounts>();
  for (const t of list) {
    if (done.size) await nextTurn();
    const counted = countDone(db, campaign, t.id).get(t.id);
    done.set(t.id, counted ?? sumCounts([]));
  }
  const county = sumCounts(done.values());
  const rows = CAMPAIGN_METRICS.map((metric): SplitRow => {
    const cells = list.map((t) => ({
      target: targets.get(t.id)?.[metric]?.target ?? 0,
      done: done.get(t.id)?.[metric] ?? 0,
    }));
    const countyTarget = targets.get(0)?.[metric]?.target ?? 0;
    const sharesTotal = cells.reduce((a, c) => a + c.target, 0);
    return {
      metric,
      label: METRIC_LABELS[metric],
      county: { target: countyTarget, done: county[metric] },
      townships: cells,
      sharesTotal,
      gap: sharesTotal - countyTarget,
    };
  });
  return { townships: list, rows, elapsedShare: elapsedShare(campaign, now) };
}

/** 分解合计与全县目标一致 / 分解合计比全县目标少 10 / 多 10. */
export function gapText(r: Pick<SplitRow, 'gap' | 'county'>): string {
  if (r.county.target === 0) return '未设全县目标';
  if (r.gap === 0) return '分解合计与全县目标一致';
  return r.gap < 0 ? `分解合计比全县目标少 ${-r.gap}` : `分解合计比全县目标多 ${r.gap}`;
}
