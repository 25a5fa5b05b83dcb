import { timingSafeEqual } from 'node:crypto';
import { and, asc, desc, eq, inArray, lte } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintCategories, complaints, townships, users } from '../../../db/schema.ts';
import { rewardSchemes, rewards, rewardTiers, type RewardStatus } from '../../../db/schema-reporter.ts';
import { audit, type Actor } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { complaintScope, visibleComplaint } from '../complaints/scope.ts';
import { normalizeTrackingCode } from '../complaints/tracking-code.ts';
import { notifyReporter } from '../messages/outbox.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { isOffice } from '../shared/roles.ts';
import { DAY_MS, fmtTime } from '../shared/time.ts';
import { eligibility, type Eligibility } from './eligibility.ts';
import {
  effectiveStatus,
  nextRewardStatus,
  REWARD_STATUS_NAMES,
  REWARD_TRANSITIONS,
  type ProposeInput,
  type RewardActionInput,
} from './reward-workflow.ts';
import { tierForProposal, tiersFor } from './schemes.ts';

type RewardRow = typeof rewards.$inferSelect;
const actor = (u: StaffUser): Actor => ({ id: u.id, label: u.displayName });
export const SYSTEM: Actor = { id: null, label: '系统（申领期限届满）' };

/** Whether the staff member may see the complaint (a township's office its township's only). */
const sees = (db: Pick<Db | Tx, 'select'>, user: StaffUser, complaintId: number) =>
  !!db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, complaintId)).get();

/** The live reward of a complaint (at most one: a rejected proposal may be proposed again). */
const liveReward = (db: Pick<Db | Tx, 'select'>, complaintId: number) =>
  db
    .select()
    .from(rewards)
    .where(and(eq(rewards.complaintId, complaintId), inArray(rewards.status, LIVE)))
    .get();
const LIVE: RewardStatus[] = ['proposed', 'approved', 'claimed', 'paid', 'expired'];

/** 申报: the office proposes a reward on a verified, first valid report; a second person decides. */
export function proposeReward(
  db: Db,
  user: StaffUser,
  complaintId: number,
  input: ProposeInput,
  now: Date,
): Result<{ id: number; version: number }> {
  if (!isOffice(user)) return fail(403, '只有整治办可以申报举报奖励');
  return atomically(db, (tx) => {
    const e = sees(tx, user, complaintId) ? eligibility(tx, complaintId) : null;
    if (!e) return fail(404, '举报不存在');
    const own = liveReward(tx, complaintId);
    if (own) return fail(409, `本举报已有奖励（${REWARD_STATUS_NAMES[effectiveStatus(own, now)]}），不能再申报`);
    if (e.problems.length) return fail(409, e.problems[0]!);
    const t = tierForProposal(tx, input.tierId, e.categoryId);
    if (!t.ok) return t;
    if (e.relapse && !t.scheme.relapseEligible)
      return fail(409, `奖励方案「${t.scheme.name}」不奖励复发举报（整治验收后又开工的）`);
    const { id } = tx
      .insert(rewards)
      .values({
        complaintId,
        schemeId: t.scheme.id,
        tierId: t.tier.id,
        amountYuan: t.tier.amountYuan,
        reason: input.reason,
        proposedBy: user.id,
        proposedAt: now,
        updatedAt: now,
      })
      .returning({ id: rewards.id })
      .get();
    audit(
      tx,
      actor(user),
      {
        action: 'reward.propose',
        objectType: 'reward',
        objectId: id,
        reason: input.reason,
        details: {
          complaintId,
          schemeId: t.scheme.id,
          tierId: t.tier.id,
          amountYuan: t.tier.amountYuan,
          relapse: e.relapse,
        },
      },
      now,
    );
    return { ok: true, id, version: 1 };
  });
}

/** The reward as the save read it, or the 409 naming who changed it and when. */
function forWrite(tx: Tx, user: StaffUser, id: number, read: number): Result<{ row: RewardRow }> {
  const row = tx.select().from(rewards).where(eq(rewards.id, id)).get();
  if (!row || !sees(tx, user, row.complaintId)) return fail(404, '奖励不存在');
  if (row.version !== read) {
    const lastBy = row.paidBy ?? row.decidedBy ?? row.proposedBy;
    const by = tx.select({ name: users.displayName }).from(users).where(eq(users.id, lastBy)).get()?.name;
    return fail(409, `这笔奖励已被${by ?? '他人'}于 ${fmtTime(row.updatedAt)} 处理，请刷新后再操作`);
  }
  return { ok: true, row };
}

/** Compares two strings in time that does not depend on where they first differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a),
    y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What each office action records beside the status change. */
function recorded(tx: Tx, row: RewardRow, input: RewardActionInput, user: StaffUser, now: Date) {
  switch (input.action) {
    case 'approve': {
      const days = tx
        .select({ d: rewardSchemes.claimDays })
        .from(rewardSchemes)
        .where(eq(rewardSchemes.id, row.schemeId))
        .get()!.d;
      return {
        decidedBy: user.id,
        decidedAt: now,
        decisionNote: input.note ?? null,
        claimDeadline: new Date(now.getTime() + days * DAY_MS),
      };
    }
    case 'reject':
      return { decidedBy: user.id, decidedAt: now, decisionNote: input.note };
    case 'claimAtOffice':
      return { claimedAt: now, claimedVia: 'office' as const };
    case 'pay':
      return { paidAt: now, paidBy: user.id, paymentRef: input.paymentRef };
  }
}

/**
 * Approve or reject (a second person: never the proposer), record a claim at the office, record the payment. Each
 * through REWARD_TRANSITIONS, version-checked, audited.
 */
export function applyRewardAction(
  db: Db,
  user: StaffUser,
  id: number,
  input: RewardActionInput,
  now: Date,
): Result<{ version: number; status: RewardStatus }> {
  if (!isOffice(user)) return fail(403, '只有整治办可以处理举报奖励');
  return atomically(db, (tx) => {
    const r = forWrite(tx, user, id, input.version);
    if (!r.ok) return r;
    const row = r.row;
    const rule = REWARD_TRANSITIONS[input.action];
    const from = effectiveStatus(row, now);
    const to = nextRewardStatus(input.action, from);
    if (!to)
      return fail(from === 'expired' ? 409 : 400, from === 'expired' ? '已超过申领期限，奖励已失效' : rule.refused);
    if (rule.by === 'second' && row.proposedBy === user.id)
      return fail(403, '不能审核自己申报的奖励：须由另一位工作人员批准或驳回（双人复核）');
    if (input.action === 'claimAtOffice') {
      const stored = tx
        .select({ code: complaints.trackingCode })
        .from(complaints)
        .where(eq(complaints.id, row.complaintId))
        .get()!;
      const shown = normalizeTrackingCode(input.code) ?? '';
      if (!sameSecret(shown.padEnd(stored.code.length), stored.code))
        return fail(400, '查询码与这条举报不符：请核对举报人出示的查询码');
    }
    tx.update(rewards)
      .set({ ...recorded(tx, row, input, user, now), status: to, version: row.version + 1, updatedAt: now })
      .where(eq(rewards.id, id))
      .run();
    // A reporter who asked to be told learns of it, to claim in time; the message names no amount and no code.
    if (to === 'approved') notifyReporter(tx, row.complaintId, 'rewarded', {}, now, `reward-${row.id}`);
    audit(
      tx,
      actor(user),
      {
        action: rule.audit,
        objectType: 'reward',
        objectId: id,
        reason:
          input.action === 'reject'
            ? input.note
            : input.action === 'claimAtOffice'
              ? input.idChecked
              : (input.note ?? null),
        details: {
          complaintId: row.complaintId,
          from,
          to,
          ...(input.action === 'pay' && { paymentRef: input.paymentRef, amountYuan: row.amountYuan }),
        },
      },
      now,
    );
    return { ok: true, version: row.version + 1, status: to };
  });
}

/** Writes "expired" on approved rewards past their deadline, each with an audit row (run by the reminder sweep). */
export function expireRewards(db: Db, now: Date): number {
  const due = db
    .select({ id: rewards.id, complaintId: rewards.complaintId, version: rewards.version })
    .from(rewards)
    .where(and(eq(rewards.status, 'approved'), lte(rewards.claimDeadline, now)))
    .all();
  for (const r of due)
    db.transaction((tx) => {
      const done = tx
        .update(rewards)
        .set({ status: 'expired', version: r.version + 1, updatedAt: now })
        .where(and(eq(rewards.id, r.id), eq(rewards.version, r.version)))
        .run();
      if (done.changes)
        audit(
          tx,
          SYSTEM,
          { action: 'reward.expire', objectType: 'reward', objectId: r.id, details: { complaintId: r.complaintId } },
          now,
        );
    });
  return due.length;
}

const proposer = alias(users, 'proposer');
const decider = alias(users, 'decider');
const payer = alias(users, 'payer');
const rewardColumns = {
  id: rewards.id,
  complaintId: rewards.complaintId,
  status: rewards.status,
  amountYuan: rewards.amountYuan,
  reason: rewards.reason,
  proposedBy: rewards.proposedBy,
  proposedAt: rewards.proposedAt,
  proposerName: proposer.displayName,
  decidedAt: rewards.decidedAt,
  deciderName: decider.displayName,
  decisionNote: rewards.decisionNote,
  claimDeadline: rewards.claimDeadline,
  claimedAt: rewards.claimedAt,
  claimedVia: rewards.claimedVia,
  paidAt: rewards.paidAt,
  payerName: payer.displayName,
  paymentRef: rewards.paymentRef,
  version: rewards.version,
  schemeName: rewardSchemes.name,
  tierName: rewardTiers.name,
  categoryName: complaintCategories.name,
  // The county's list spans townships: each reward says whose report it is.
  townshipName: townships.name,
};
const rewardQuery = (db: Db) =>
  db
    .select(rewardColumns)
    .from(rewards)
    .innerJoin(rewardSchemes, eq(rewardSchemes.id, rewards.schemeId))
    .innerJoin(rewardTiers, eq(rewardTiers.id, rewards.tierId))
    .innerJoin(complaints, eq(complaints.id, rewards.complaintId))
    .innerJoin(complaintCategories, eq(complaintCategories.id, complaints.categoryId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .innerJoin(proposer, eq(proposer.id, rewards.proposedBy))
    .leftJoin(decider, eq(decider.id, rewards.decidedBy))
    .leftJoin(payer, eq(payer.id, rewards.paidBy));

export type RewardView = ReturnType<typeof withEffective>;
const withEffective = (r: Awaited<ReturnType<ReturnType<typeof rewardQuery>['all']>>[number], now: Date) => ({
  ...r,
  status: effectiveStatus(r, now),
  statusName: REWARD_STATUS_NAMES[effectiveStatus(r, now)],
});

/**
 * The office's list (leaders read it): what waits for whom first, then the rest, newest first; a township's office
 * its township's rewards only.
 */
export function listRewards(db: Db, user: StaffUser, now: Date) {
  const rows = rewardQuery(db)
    .where(complaintScope(user))
    .orderBy(desc(rewards.proposedAt), desc(rewards.id))
    .limit(500)
    .all();
  const all = rows.map((r) => withEffective(r, now));
  const by = (s: RewardStatus) => all.filter((r) => r.status === s);
  return {
    proposed: by('proposed'),
    approved: by('approved').sort((a, b) => a.claimDeadline!.getTime() - b.claimDeadline!.getTime()),
    claimed: by('claimed'),
    done: all.filter((r) => r.status === 'paid' || r.status === 'expired' || r.status === 'rejected'),
  };
}

export interface RewardPanel {
  /** The live reward, then earlier rejected proposals. */
  rewards: RewardView[];
  eligibility: Eligibility;
  tiers: ReturnType<typeof tiersFor>;
  /** The staff member may approve or reject the proposal (an office member who did not propose it). */
  canDecide: boolean;
}

/** What the complaint page's reward panel shows; null when there is no such complaint. */
export function rewardPanel(db: Db, user: StaffUser, complaintId: number, now: Date): RewardPanel | null {
  const e = sees(db, user, complaintId) ? eligibility(db, complaintId) : null;
  if (!e) return null;
  const list = rewardQuery(db)
    .where(eq(rewards.complaintId, complaintId))
    .orderBy(asc(rewards.id))
    .all()
    .map((r) => withEffective(r, now))
    .sort((a, b) => Number(a.status === 'rejected') - Number(b.status === 'rejected'));
  const live = list.find((r) => r.status !== 'rejected');
  return {
    rewards: list,
    eligibility: e,
    tiers: tiersFor(db, e.categoryId).filter((t) => !e.relapse || t.relapseEligible),
    canDecide: isOffice(user) && live?.status === 'proposed' && live.proposedBy !== user.id,
  };
}
