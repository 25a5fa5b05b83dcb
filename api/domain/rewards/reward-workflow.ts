import { z } from 'zod';
import type { RewardStatus } from '../../../db/schema-reporter.ts';
import { decimal, freeText, optionalText } from '../shared/text-input.ts';

/**
 * Every status change of a reward (有奖举报), and who may make it, lives here. `office`: the township office;
 * `second`: an office member other than the one who proposed it (four-eyes); `reporter`: the holder of the tracking
 * code with the contact given at filing; `system`: the expiry sweep.
 */
type Who = 'office' | 'second' | 'reporter' | 'system';
type Transition = { from: readonly RewardStatus[]; to: RewardStatus; by: Who; refused: string; audit: string };

export const REWARD_TRANSITIONS = {
  approve: {
    from: ['proposed'],
    to: 'approved',
    by: 'second',
    refused: '只有待审核的奖励可以批准',
    audit: 'reward.approve',
  },
  reject: {
    from: ['proposed'],
    to: 'rejected',
    by: 'second',
    refused: '只有待审核的奖励可以驳回',
    audit: 'reward.reject',
  },
  // Online with the tracking code and the contact left at filing.
  claim: { from: ['approved'], to: 'claimed', by: 'reporter', refused: '这笔奖励当前不能申领', audit: 'reward.claim' },
  // At the office, the reporter showing the tracking code (an anonymous reporter's only way).
  claimAtOffice: {
    from: ['approved'],
    to: 'claimed',
    by: 'office',
    refused: '只有已批准、待申领的奖励可以登记现场申领',
    audit: 'reward.claim_office',
  },
  pay: { from: ['claimed'], to: 'paid', by: 'office', refused: '只有已申领的奖励可以登记兑付', audit: 'reward.pay' },
  // Approved and not claimed by the deadline: the right to it lapses (it does not pass to a later reporter).
  expire: { from: ['approved'], to: 'expired', by: 'system', refused: '', audit: 'reward.expire' },
} as const satisfies Record<string, Transition>;

export type RewardAction = keyof typeof REWARD_TRANSITIONS;

export function nextRewardStatus(action: RewardAction, from: RewardStatus): RewardStatus | null {
  const t: Transition = REWARD_TRANSITIONS[action];
  return t.from.includes(from) ? t.to : null;
}

/** An approved reward past its deadline is expired, whether or not the sweep has written it yet. */
export function effectiveStatus(r: { status: RewardStatus; claimDeadline: Date | null }, now: Date): RewardStatus {
  return r.status === 'approved' && r.claimDeadline && r.claimDeadline.getTime() <= now.getTime()
    ? 'expired'
    : r.status;
}

export const REWARD_STATUS_NAMES: Record<RewardStatus, string> = {
  proposed: '待审核（须另一人批准）',
  approved: '已批准，待申领',
  rejected: '已驳回',
  claimed: '已申领，待兑付',
  paid: '已兑付',
  expired: '逾期未申领，已失效',
};

export const REWARD_ACTION_LABELS: Record<RewardAction | 'propose', string> = {
  propose: '申报奖励',
  approve: '批准',
  reject: '驳回',
  claim: '举报人凭查询码申领',
  claimAtOffice: '现场申领',
  pay: '登记兑付',
  expire: '逾期失效',
};

const version = decimal('版本号', {
  integer: true,
  min: 1,
  required: '缺少版本号，请刷新页面',
  invalid: '缺少版本号，请刷新页面',
});

// 18 digits (the last may be X) or the old 15: what a resident identity card number looks like.
const ID_CANDIDATE = /(?<![0-9])(\d{17}[\dXx]|\d{15})(?![0-9Xx])/g;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const isDate = (y: number, m: number, d: number) => {
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
};

/**
 * Whether the text holds a resident identity card number: a run of 18 with a valid birth date and check digit
 * (GB 11643), or of 15 with a valid birth date. A bank's voucher number rarely passes both.
 */
export function containsIdNumber(text: string): boolean {
  for (const [run] of text.normalize('NFKC').matchAll(ID_CANDIDATE)) {
    if (
      run.length === 15 &&
      isDate(1900 + Number(run.slice(6, 8)), Number(run.slice(8, 10)), Number(run.slice(10, 12)))
    )
      return true;
    if (run.length !== 18) continue;
    const sum = WEIGHTS.reduce((s, w, i) => s + w * Number(run[i]), 0);
    const date = isDate(Number(run.slice(6, 10)), Number(run.slice(10, 12)), Number(run.slice(12, 14)));
    if (date && CHECK[sum % 11] === run[17]!.toUpperCase()) return true;
  }
  return false;
}
const NO_ID_NUMBER = '请不要填写身份证号码：只写明核验了什么证件（数据最小化，号码不在本系统保存）';

/**
 * A note that may name the document checked but never its number: the office needs to know that someone looked at an
 * ID, not the number itself, which would make this table a register of reporters (decision 021).
 */
const withoutIdNumber = (label: string, min: number, max: number) =>
  freeText(label, { min, max, required: `请填写${label}`, tooShort: `请填写${label}` }).refine(
    (v) => !containsIdNumber(v),
    NO_ID_NUMBER,
  );

/** Proposing a reward on a complaint: the tier and why. */
export const proposeInput = z.object({
  tierId: decimal('奖励档次', { integer: true, min: 1, required: '请选择奖励档次', invalid: '请选择奖励档次' }),
  reason: freeText('申报理由', { min: 4, max: 500, required: '请填写申报理由', tooShort: '申报理由至少 4 个字' }),
});
export type ProposeInput = z.infer<typeof proposeInput>;

/** The office's actions on a reward; each names the version it read. */
export const rewardActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('approve'), version, note: optionalText('审核意见', { max: 500 }) }),
    z.object({
      action: z.literal('reject'),
      version,
      note: freeText('驳回理由', { min: 2, max: 500, required: '请填写驳回理由', tooShort: '请填写驳回理由' }),
    }),
    z.object({
      action: z.literal('claimAtOffice'),
      version,
      // The reporter shows the tracking code: whoever holds it is the reporter, as online.
      code: z.string({ error: '请输入举报人出示的查询码' }).max(40, '查询码不正确'),
      idChecked: withoutIdNumber('核验情况', 2, 200),
    }),
    z.object({
      action: z.literal('pay'),
      version,
      paymentRef: withoutIdNumber('兑付凭证', 2, 100),
      note: optionalText('备注', { max: 500 }),
    }),
  ],
  { error: '未知的操作' },
);
export type RewardActionInput = z.infer<typeof rewardActionInput>;

/** The reporter's claim: the tracking code and the phone or e-mail given when filing. */
export const claimInput = z.object({
  code: z.string({ error: '请输入查询码' }).max(40, '查询码不正确'),
  contact: z
    .string({ error: '请填写提交举报时留下的手机号或电子邮箱' })
    .trim()
    .min(1, '请填写提交举报时留下的手机号或电子邮箱')
    .max(200, '联系方式过长'),
});
export type ClaimInput = z.infer<typeof claimInput>;
