import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { staffByUsername } from '../domain/accounts/sessions.ts';
import { createCampaign, saveTargets } from '../domain/targets/campaigns.ts';
import { beijingDate } from '../domain/shared/time.ts';
import { townships } from '../../db/schema.ts';
import { CAMPAIGN_METRICS, type CampaignMetric } from '../../db/schema-county.ts';

// Seed 001's figures for the county, and a split the demo's townships add up to.
const COUNTY: Record<CampaignMetric, number> = {
  remediated: 300,
  rental_remediated: 200,
  zombie_cleared: 30,
  moved_to_park: 210,
};
const SHARES: Record<string, Record<CampaignMetric, number>> = {
  qingxi: { remediated: 150, rental_remediated: 100, zombie_cleared: 15, moved_to_park: 110 },
  'shiqiao-zhen': { remediated: 90, rental_remediated: 60, zombie_cleared: 10, moved_to_park: 60 },
  chengdong: { remediated: 60, rental_remediated: 40, zombie_cleared: 5, moved_to_park: 40 },
};

/** This year's campaign with seed 001's targets, split across the demo's townships, set by the admin. */
export function seedDemoCampaign(ctx: AppContext): void {
  const admin = staffByUsername(ctx.db, 'admin');
  if (!admin) return;
  const now = ctx.clock();
  const year = beijingDate(now).slice(0, 4);
  const who = { id: admin.id, label: admin.displayName, townshipId: null };
  const made = createCampaign(
    ctx.db,
    who,
    { name: `${year}年“低小散”企业整治提升行动（演示）`, startsOn: `${year}-01-01`, dueOn: `${year}-12-31` },
    now,
  );
  if (!made.ok) return;
  const targets = [
    ...CAMPAIGN_METRICS.map((metric) => ({ metric, townshipId: null, target: COUNTY[metric] })),
    ...Object.entries(SHARES).flatMap(([code, shares]) => {
      const t = ctx.db.select({ id: townships.id }).from(townships).where(eq(townships.code, code)).get();
      return t ? CAMPAIGN_METRICS.map((metric) => ({ metric, townshipId: t.id, target: shares[metric] })) : [];
    }),
  ];
  saveTargets(ctx.db, who, made.id, { version: 1, targets }, now);
}
