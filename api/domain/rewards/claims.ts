import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../../db/client.ts';
import { complaintContacts, complaints, townships } from '../../../db/schema.ts';
import { rewards, type RewardStatus } from '../../../db/schema-reporter.ts';
import { audit } from '../accounts/audit.ts';
import { normalizeTrackingCode } from '../complaints/tracking-code.ts';
import type { FormSpec } from '../shared/form-spec.ts';
import { officeOf } from '../shared/office-name.ts';
import { RateLimiter } from '../shared/rate-limit.ts';
import { sameSecret } from './rewards.ts';
import { effectiveStatus, REWARD_TRANSITIONS, type ClaimInput } from './reward-workflow.ts';

/**
 * The reporter's side of a reward: what the holder of a tracking code sees, and the claim with the code plus the
 * phone or e-mail given at filing. Nothing here ever answers with the contact, or says which half was wrong.
 */

/** What /track shows the holder of the code: an approved reward and what to do; nothing while it is proposed. */
export interface PublicReward {
  status: Extract<RewardStatus, 'approved' | 'claimed' | 'paid' | 'expired'>;
  amountYuan: number;
  claimDeadline: string | null;
  claimedAt: string | null;
  paidAt: string | null;
  /** No phone or e-mail was given: the claim is made at the office, with the code. */
  atOfficeOnly: boolean;
  /** The township that holds the report, whose office pays. */
  townshipName: string;
}

const SHOWN: RewardStatus[] = ['approved', 'claimed', 'paid', 'expired'];

export function rewardForCode(db: Db, trackingCode: string, now: Date): PublicReward | null {
  const row = db
    .select({
      status: rewards.status,
      amountYuan: rewards.amountYuan,
      claimDeadline: rewards.claimDeadline,
      claimedAt: rewards.claimedAt,
      paidAt: rewards.paidAt,
      phone: complaintContacts.phone,
      email: complaintContacts.email,
      townshipName: townships.name,
    })
    .from(rewards)
    .innerJoin(complaints, eq(complaints.id, rewards.complaintId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(complaintContacts, eq(complaintContacts.complaintId, complaints.id))
    .where(and(eq(complaints.trackingCode, trackingCode), inArray(rewards.status, SHOWN)))
    .get();
  if (!row) return null;
  return {
    status: effectiveStatus(row, now) as PublicReward['status'],
    amountYuan: row.amountYuan,
    claimDeadline: row.claimDeadline?.toISOString() ?? null,
    claimedAt: row.claimedAt?.toISOString() ?? null,
    paidAt: row.paidAt?.toISOString() ?? null,
    atOfficeOnly: !row.phone && !row.email,
    townshipName: row.townshipName,
  };
}

/** A phone or e-mail as people write it: full-width forms, spaces, dashes, +86, capitals all forgiven. */
export function normaliseContact(raw: string): string {
  const s = raw.normalize('NFKC').trim().toLowerCase();
  if (s.includes('@')) return s.replace(/\s/g, '');
  return s.replace(/[\s\-()（）]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
}

// Hashed first, so both sides have one length and the comparison's time says nothing of either.
const digest = (s: string) => createHash('sha256').update(s).digest('hex');

/** Whether the contact given matches the phone or the e-mail on file, comparing each in constant time. */
export function contactMatches(given: string, stored: { phone: string | null; email: string | null }): boolean {
  const g = digest(normaliseContact(given));
  // Both are compared whatever the first says: a match's time does not tell which one it was.
  const phone = sameSecret(g, digest(stored.phone ? normaliseContact(stored.phone) : '\u0000none'));
  const email = sameSecret(g, digest(stored.email ? normaliseContact(stored.email) : '\u0000none'));
  return phone || email;
}

// A refusal that does not know the report, or must not say it exists, names no township.
const ANY_OFFICE = '举报所在乡镇（街道）的整治办';
export const CLAIM_REFUSED = `查询码或联系方式不正确，或没有可申领的奖励。请核对后再试，也可携带查询码到${ANY_OFFICE}申领。`;
export const atOffice = (townshipName: string) =>
  `您举报时没有留下手机号或电子邮箱，无法在线核验：请携带查询码到${officeOf(townshipName)}现场申领`;
const LIMITED = `申领尝试过多，请稍后再试，或携带查询码到${ANY_OFFICE}申领。`;

/** Claims per code, whatever the address: someone holding a code cannot try every phone from many addresses. */
const CLAIMS_PER_CODE = 5;
const CLAIM_WINDOW_MS = 3_600_000;
const perCode = new WeakMap<AppContext, RateLimiter>();
const codeLimiter = (ctx: AppContext) => {
  let l = perCode.get(ctx);
  if (!l) perCode.set(ctx, (l = new RateLimiter(CLAIMS_PER_CODE, CLAIM_WINDOW_MS, () => ctx.clock().getTime())));
  return l;
};

export type ClaimResult =
  | { ok: true; amountYuan: number }
  | { ok: false; status: 400 | 409 | 429; message: string; retryAfterS?: number };

const REPORTER = { id: null, label: '举报人（查询码和联系方式核验）' };

/**
 * The reporter's claim: each attempt counts as a /track lookup from the address, and against the code. A wrong
 * code, no reward, a proposal not yet approved and a wrong contact all get the one refusal.
 */
export function claimWithCode(ctx: AppContext, ip: string, input: ClaimInput): ClaimResult {
  const looked = ctx.lookupLimiter.hit(ip);
  if (!looked.ok) return { ok: false, status: 429, message: LIMITED, retryAfterS: looked.retryAfterS };
  const code = normalizeTrackingCode(input.code);
  if (!code) return { ok: false, status: 400, message: CLAIM_REFUSED };
  // Every attempt on a code counts, so a spent code refuses even the right contact until the window passes:
  // otherwise a 429 would only mean "wrong" and the guessing would go on.
  const limited = codeLimiter(ctx).hit(code);
  if (!limited.ok) return { ok: false, status: 429, message: LIMITED, retryAfterS: limited.retryAfterS };
  const now = ctx.clock();
  const row = ctx.db
    .select({
      id: rewards.id,
      status: rewards.status,
      claimDeadline: rewards.claimDeadline,
      version: rewards.version,
      amountYuan: rewards.amountYuan,
      complaintId: rewards.complaintId,
      phone: complaintContacts.phone,
      email: complaintContacts.email,
      townshipName: townships.name,
    })
    .from(rewards)
    .innerJoin(complaints, eq(complaints.id, rewards.complaintId))
    .innerJoin(townships, eq(townships.id, complaints.townshipId))
    .leftJoin(complaintContacts, eq(complaintContacts.complaintId, complaints.id))
    .where(and(eq(complaints.trackingCode, code), inArray(rewards.status, SHOWN)))
    .get();
  if (!row) return { ok: false, status: 400, message: CLAIM_REFUSED };
  const stored = { phone: row.phone ?? null, email: row.email ?? null };
  if (!stored.phone && !stored.email) return { ok: false, status: 400, message: atOffice(row.townshipName) };
  if (!contactMatches(input.contact, stored)) {
    audit(ctx.db, REPORTER, { action: 'reward.claim_refused', objectType: 'reward', objectId: row.id }, now);
    return { ok: false, status: 400, message: CLAIM_REFUSED };
  }
  const status = effectiveStatus(row, now);
  if (status === 'expired') return { ok: false, status: 409, message: '已超过申领期限，奖励已失效' };
  if (status !== 'approved') return { ok: false, status: 409, message: '这笔奖励已经申领，无需重复申领' };
  return ctx.db.transaction((tx) => {
    const done = tx
      .update(rewards)
      .set({
        status: 'claimed',
        claimedAt: now,
        claimedVia: 'code_and_contact',
        version: row.version + 1,
        updatedAt: now,
      })
      .where(and(eq(rewards.id, row.id), eq(rewards.version, row.version)))
      .run();
    if (!done.changes) return { ok: false as const, status: 409 as const, message: '这笔奖励已经申领，无需重复申领' };
    audit(
      tx,
      REPORTER,
      {
        action: REWARD_TRANSITIONS.claim.audit,
        objectType: 'reward',
        objectId: row.id,
        details: { complaintId: row.complaintId, from: 'approved', to: 'claimed' },
      },
      now,
    );
    return { ok: true as const, amountYuan: row.amountYuan };
  });
}

/** The claim form on /track, posted without JavaScript: a code and a contact, nothing more. */
export const CLAIM_FORM: FormSpec = {
  fields: new Set(['code', 'contact']),
  files: new Set(),
  label: (name) => ({ code: '查询码', contact: '联系方式' })[name] ?? name,
  maxFields: 2,
  maxFieldBytes: 1024,
  maxFiles: 0,
  maxFileBytes: 0,
  maxBytes: 4096,
};
