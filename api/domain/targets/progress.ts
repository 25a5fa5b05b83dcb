import { and, asc, desc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { townships } from '../../../db/schema.ts';
import { CAMPAIGN_METRICS, campaigns, campaignTargets, type CampaignMetric } from '../../../db/schema-county.ts';
import { enterprises, tasks } from '../../../db/schema-enforcement.ts';
import { villageInTownship, type AtLevel } from '../shared/township-scope.ts';
import { beijingDate, DAY_MS, startOfBeijingDay } from '../shared/time.ts';
import { METRIC_LABELS } from './labels.ts';

export interface Campaign {
  id: number;
  name: string;
  startsOn: string;
  dueOn: string;
  archived: boolean;
  version: number;
}

export interface TargetProgressRow {
  metric: CampaignMetric;
  label: string;
  /** Null: the county's own target and everything done in the county. */
  townshipId: number | null;
  target: number;
  done: number;
  /** done ÷ target (1.06 when exceeded). */
  share: number;
  /** The campaign's time gone, 0 to 1. */
  elapsedShare: number;
}

export const campaignColumns = {
  id: campaigns.id,
  name: campaigns.name,
  startsOn: campaigns.startsOn,
  dueOn: campaigns.dueOn,
  archived: campaigns.archived,
  version: campaigns.version,
};

export const getCampaign = (db: Db | Tx, id: number): Campaign | undefined =>
  db.select(campaignColumns).from(campaigns).where(eq(campaigns.id, id)).get();

/**
 * The campaign a page reports on when none is named: of those not archived, the one under way today with the latest
 * start, else the one that started last.
 */
export function currentCampaign(db: Db, now: Date): Campaign | undefined {
  const today = beijingDate(now);
  const live = and(eq(campaigns.archived, false), sql`${campaigns.startsOn} <= ${today}`);
  return (
    db
      .select(campaignColumns)
      .from(campaigns)
      .where(and(live, gte(campaigns.dueOn, today)))
      .orderBy(desc(campaigns.startsOn), desc(campaigns.id))
      .get() ??
    db
      .select(campaignColumns)
      .from(campaigns)
      .where(eq(campaigns.archived, false))
      .orderBy(desc(campaigns.startsOn), desc(campaigns.id))
      .get()
  );
}

/** From Beijing midnight of the first day to that after the due date. */
export const campaignBounds = (c: Pick<Campaign, 'startsOn' | 'dueOn'>) => ({
  start: startOfBeijingDay(c.startsOn),
  end: new Date(startOfBeijingDay(c.dueOn).getTime() + DAY_MS),
});

export function elapsedShare(c: Pick<Campaign, 'startsOn' | 'dueOn'>, now: Date): number {
  const { start, end } = campaignBounds(c);
  const x = (now.getTime() - start.getTime()) / (end.getTime() - start.getTime());
  return Math.min(1, Math.max(0, x));
}

export type MetricCounts = Record<CampaignMetric, number>;
const noCounts = (): MetricCounts => ({ remediated: 0, rental_remediated: 0, zombie_cleared: 0, moved_to_park: 0 });

// 僵尸 as the department-data evaluation reads it (evaluation.ts zombieReason), judged when the file was remediated:
// a register matched to it says 吊销/注销/撤销, or the last year before the acceptance whose figures were imported
// gives tax or output and shows neither.
const DEAD = sql`exists (select 1 from register_entries r where r.enterprise_id = ${enterprises.id} and
  (r.register_status like '%吊销%' or r.register_status like '%注销%' or r.register_status like '%撤销%'))`;
const noBusiness = (acceptedAt: SQL) => sql`exists (select 1 from enterprise_figures f
  where f.enterprise_id = ${enterprises.id}
  and f.year = (select max(f2.year) from enterprise_figures f2 where f2.enterprise_id = ${enterprises.id}
    and f2.year < cast(strftime('%Y', (${acceptedAt} + 28800000) / 1000, 'unixepoch') as integer))
  and (f.tax_wan is not null or f.output_wan is not null)
  and coalesce(f.tax_wan, 0) = 0 and coalesce(f.output_wan, 0) = 0)`;

/**
 * What the records show done in the campaign, per township: enterprise files with a remediation task accepted
 * within its dates (each file once), and of those the rented, the 僵尸 and the relocated (a 搬迁入园 task accepted).
 */
export function countDone(db: Db, c: Pick<Campaign, 'startsOn' | 'dueOn'>, townshipId?: number) {
  const { start, end } = campaignBounds(c);
  const accepted = db
    .select({
      enterpriseId: tasks.enterpriseId,
      firstAccepted: sql<number>`min(${tasks.acceptedAt})`.as('first_accepted'),
      relocated: sql<number>`max(${tasks.type} = 'relocate')`.as('relocated'),
    })
    .from(tasks)
    .where(
      and(
        eq(tasks.status, 'accepted'),
        gte(tasks.acceptedAt, start),
        lt(tasks.acceptedAt, end),
        // One township's: its tasks only, through their villages (a task's village is its file's).
        townshipId === undefined ? undefined : villageInTownship(tasks.villageId, townshipId),
      ),
    )
    .groupBy(tasks.enterpriseId)
    .as('a');
  const rows = db
    .select({
      townshipId: enterprises.townshipId,
      remediated: sql<number>`count(*)`,
      rental: sql<number>`coalesce(sum(${enterprises.premises} = 'rented'), 0)`,
      zombie: sql<number>`coalesce(sum(${DEAD} or ${noBusiness(sql`${accepted.firstAccepted}`)}), 0)`,
      moved: sql<number>`coalesce(sum(${accepted.relocated}), 0)`,
    })
    .from(accepted)
    .innerJoin(enterprises, eq(enterprises.id, accepted.enterpriseId))
    .where(townshipId === undefined ? undefined : eq(enterprises.townshipId, townshipId))
    .groupBy(enterprises.townshipId)
    .all();
  const out = new Map<number, MetricCounts>();
  for (const r of rows)
    out.set(r.townshipId, {
      remediated: r.remediated,
      rental_remediated: r.rental,
      zombie_cleared: r.zombie,
      moved_to_park: r.moved,
    });
  return out;
}

export function sumCounts(list: Iterable<MetricCounts>): MetricCounts {
  const total = noCounts();
  for (const c of list) for (const m of CAMPAIGN_METRICS) total[m] += c[m];
  return total;
}

/** The targets of a campaign: the county's (key 0) and each township's share, by metric. */
export function targetsOf(db: Db, campaignId: number) {
  const out = new Map<number, Partial<Record<CampaignMetric, { target: number; version: number }>>>();
  for (const t of db
    .select()
    .from(campaignTargets)
    .where(eq(campaignTargets.campaignId, campaignId))
    .orderBy(asc(campaignTargets.id))
    .all()) {
    const key = t.townshipId ?? 0;
    out.set(key, { ...out.get(key), [t.metric]: { target: t.target, version: t.version } });
  }
  return out;
}

/**
 * Progress against the targets, for the level the account works at: a township account its own township's (whatever
 * it asks), a county account the county's, or one township's when it names one. A target of 0 is no target.
 */
export function targetProgress(
  db: Db,
  scope: AtLevel,
  opts: { campaignId?: number; townshipId?: number },
  now: Date,
): TargetProgressRow[] {
  const campaign = opts.campaignId === undefined ? currentCampaign(db, now) : getCampaign(db, opts.campaignId);
  if (!campaign) return [];
  const townshipId = scope.townshipId ?? opts.townshipId ?? null;
  const targets = db
    .select({ metric: campaignTargets.metric, target: campaignTargets.target })
    .from(campaignTargets)
    .where(
      and(
        eq(campaignTargets.campaignId, campaign.id),
        townshipId === null ? isNull(campaignTargets.townshipId) : eq(campaignTargets.townshipId, townshipId),
      ),
    )
    .all()
    .filter((t) => t.target > 0);
  if (targets.length === 0) return [];
  const counted = countDone(db, campaign, townshipId ?? undefined);
  const done = townshipId === null ? sumCounts(counted.values()) : (counted.get(townshipId) ?? noCounts());
  const elapsed = elapsedShare(campaign, now);
  return CAMPAIGN_METRICS.flatMap((metric) => {
    const t = targets.find((x) => x.metric === metric);
    if (!t) return [];
    const n = done[metric];
    return [
      {
        metric,
        label: METRIC_LABELS[metric],
        townshipId,
        target: t.target,
        done: n,
        share: n / t.target,
        elapsedShare: elapsed,
      },
    ];
  });
}

/** The townships of the county in their order. */
export const countyTownships = (db: Db) =>
  db
    .select({ id: townships.id, code: townships.code, name: townships.name })
    .from(townships)
    .orderBy(asc(townships.sort), asc(townships.id))
    .all();
