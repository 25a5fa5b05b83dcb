import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships } from '../../../db/schema.ts';
import { campaigns, campaignTargets } from '../../../db/schema-county.ts';
import { audit, type Actor } from '../accounts/audit.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import type { AtLevel } from '../shared/township-scope.ts';
import type { CampaignEdit, NewCampaign, TargetsEdit } from './input.ts';
import { campaignColumns, getCampaign, type Campaign } from './progress.ts';

export type Editor = Actor & AtLevel;

const COUNTY_ONLY = '行动和目标由县整治办设定，镇（街道）账号只能查看';
const NOT_FOUND = '没有这项整治行动';
const STALE = '这项行动或其目标已被他人修改，请刷新页面后重试';

/** Every campaign, the newest first; archived ones stay readable. */
export const listCampaigns = (db: Db): Campaign[] =>
  db.select(campaignColumns).from(campaigns).orderBy(desc(campaigns.startsOn), desc(campaigns.id)).all();

/** A new campaign, by the county office (a township account is refused). Audited. */
export function createCampaign(db: Db, who: Editor, input: NewCampaign, now: Date): Result<{ id: number }> {
  if (who.townshipId !== null) return fail(403, COUNTY_ONLY);
  return atomically(db, (tx) => {
    const { id } = tx
      .insert(campaigns)
      .values({ ...input, createdBy: who.id, updatedBy: who.id, createdAt: now, updatedAt: now })
      .returning({ id: campaigns.id })
      .get();
    audit(tx, who, { action: 'campaign.create', objectType: 'campaign', objectId: id, details: input }, now);
    return { ok: true, id };
  });
}

/** Its name, dates or archiving; a stale version is 409. Audited with what it was. */
export function updateCampaign(
  db: Db,
  who: Editor,
  id: number,
  input: CampaignEdit,
  now: Date,
): Result<{ version: number }> {
  if (who.townshipId !== null) return fail(403, COUNTY_ONLY);
  return atomically(db, (tx) => {
    const before = getCampaign(tx, id);
    if (!before) return fail(404, NOT_FOUND);
    if (before.version !== input.version) return fail(409, STALE);
    const { version: _, ...values } = input;
    const version = before.version + 1;
    tx.update(campaigns)
      .set({ ...values, version, updatedBy: who.id, updatedAt: now })
      .where(eq(campaigns.id, id))
      .run();
    audit(
      tx,
      who,
      { action: 'campaign.update', objectType: 'campaign', objectId: id, details: { before, after: values } },
      now,
    );
    return { ok: true, version };
  });
}

/**
 * The county's targets and the townships' shares, saved as one table against the campaign's version (each save
 * raises it, so two offices editing the split cannot overwrite each other unseen). Rows are updated in place, never
 * deleted: 0 means no target. Audited with each change.
 */
export function saveTargets(
  db: Db,
  who: Editor,
  id: number,
  input: TargetsEdit,
  now: Date,
): Result<{ version: number; changed: number }> {
  if (who.townshipId !== null) return fail(403, COUNTY_ONLY);
  return atomically(db, (tx) => {
    const campaign = getCampaign(tx, id);
    if (!campaign) return fail(404, NOT_FOUND);
    if (campaign.version !== input.version) return fail(409, STALE);
    const ids = [...new Set(input.targets.flatMap((t) => (t.townshipId === null ? [] : [t.townshipId])))];
    const known = ids.length
      ? tx.select({ id: townships.id }).from(townships).where(inArray(townships.id, ids)).all().length
      : 0;
    if (known !== ids.length) return fail(400, '镇（街道）不存在');
    const changes: { metric: string; townshipId: number | null; from: number | null; to: number }[] = [];
    for (const t of input.targets) {
      const where = and(
        eq(campaignTargets.campaignId, id),
        eq(campaignTargets.metric, t.metric),
        t.townshipId === null ? isNull(campaignTargets.townshipId) : eq(campaignTargets.townshipId, t.townshipId),
      );
      const row = tx.select().from(campaignTargets).where(where).get();
      if (row?.target === t.target || (!row && t.target === 0)) continue;
      if (row)
        tx.update(campaignTargets)
          .set({ target: t.target, version: row.version + 1, updatedBy: who.id, updatedAt: now })
          .where(eq(campaignTargets.id, row.id))
          .run();
      else
        tx.insert(campaignTargets)
          .values({ campaignId: id, ...t, updatedBy: who.id, updatedAt: now })
          .run();
      changes.push({ metric: t.metric, townshipId: t.townshipId, from: row?.target ?? null, to: t.target });
    }
    const version = campaign.version + 1;
    tx.update(campaigns).set({ version, updatedBy: who.id, updatedAt: now }).where(eq(campaigns.id, id)).run();
    audit(tx, who, { action: 'campaign.targets', objectType: 'campaign', objectId: id, details: { changes } }, now);
    return { ok: true, version, changed: changes.length };
  });
}
