import { z } from 'zod';
import {
  ASSIGNMENT_OUTCOMES,
  DEPARTMENT_ACTION_KINDS,
  type AssignmentOutcome,
  type AssignmentStatus,
  type DepartmentActionKind,
} from '../../../db/schema-supervision.ts';
import { isCalendarDate } from '../shared/time.ts';
import {
  decimal,
  decimalOrUndefined,
  freeText,
  optionalDecimal,
  optionalText,
  recordId,
} from '../shared/text-input.ts';

/**
 * Every status change of a work item of 交办, and who may make it, lives here. The assignee is the
 * village officer of the item's village (the village's item) or an officer of its department.
 */
type Who = 'assignee' | 'office' | 'system';
type Transition = { from: readonly AssignmentStatus[]; to: (from: AssignmentStatus) => AssignmentStatus; by: Who };
const same = (s: AssignmentStatus) => s;
const LIVE: readonly AssignmentStatus[] = ['pending', 'checking', 'answered'];

export const ASSIGNMENT_TRANSITIONS = {
  acknowledge: { from: ['pending'], to: () => 'checking', by: 'assignee' },
  answer: { from: ['checking'], to: () => 'answered', by: 'assignee' },
  approve: { from: ['answered'], to: () => 'approved', by: 'office' },
  // A returned answer goes back to the assignee, who checks and answers again.
  return: { from: ['answered'], to: () => 'checking', by: 'office' },
  urge: { from: ['pending', 'checking'], to: same, by: 'office' },
  // Re-assigning, or finishing the complaint another way (a task accepted, the office's own 办结), ends open items.
  withdraw: { from: LIVE, to: () => 'withdrawn', by: 'system' },
  // A department records 立案/处罚/移送 whenever they happen, also after its answer was approved.
  record: { from: ['checking', 'answered', 'approved'], to: same, by: 'assignee' },
} as const satisfies Record<string, Transition>;

export type AssignmentAction = keyof typeof ASSIGNMENT_TRANSITIONS;
export const LIVE_ASSIGNMENT: readonly AssignmentStatus[] = LIVE;

export function nextAssignmentStatus(action: AssignmentAction, from: AssignmentStatus): AssignmentStatus | null {
  const t: Transition = ASSIGNMENT_TRANSITIONS[action];
  return t.from.includes(from) ? t.to(from) : null;
}

export const ASSIGNMENT_STATUS_NAMES: Record<AssignmentStatus, string> = {
  pending: '待签收',
  checking: '核查中',
  answered: '已反馈待审核',
  approved: '已通过',
  withdrawn: '已撤回',
};

export const ASSIGNMENT_ACTION_LABELS: Record<AssignmentAction | 'create', string> = {
  create: '交办',
  acknowledge: '签收',
  answer: '反馈',
  approve: '审核通过',
  return: '退回重办',
  urge: '督办',
  withdraw: '撤回',
  record: '登记执法',
};

export const OUTCOME_NAMES: Record<AssignmentOutcome, string> = {
  stopped: '属实·已制止/已整改',
  needs_case: '属实·需立案查处',
  unfounded: '不属实',
  not_ours: '不属本村（社区）',
};
/** A department's answer reads the same, except that a complaint outside its duty is "not ours" as a department. */
export const outcomeName = (outcome: AssignmentOutcome, department: boolean) =>
  department && outcome === 'not_ours' ? '不属本部门职责' : OUTCOME_NAMES[outcome];
/** Outcomes that say the report was true (the ledger's 是否属实). */
export const FOUNDED: readonly AssignmentOutcome[] = ['stopped', 'needs_case'];

export const DEPARTMENT_ACTION_NAMES: Record<DepartmentActionKind, string> = {
  case_opened: '立案',
  penalty: '处罚决定',
  police_referral: '移送公安',
};

const version = decimal('版本号', {
  integer: true,
  min: 1,
  required: '缺少版本号，请刷新页面',
  invalid: '缺少版本号，请刷新页面',
});
// The phone's position, sent when the photos carry none (a camera app may strip it).
const phoneLat = decimalOrUndefined('纬度', {
  min: -90,
  max: 90,
  invalid: '手机定位的纬度无效',
  range: '手机定位的纬度无效',
});
const phoneLng = decimalOrUndefined('经度', {
  min: -180,
  max: 180,
  invalid: '手机定位的经度无效',
  range: '手机定位的经度无效',
});
const reason = freeText('理由', { min: 2, max: 500, required: '请填写理由', tooShort: '请填写理由（至少 2 个字）' });

/** The JSON actions on one work item; the answer and department records come as multipart with photos. */
export const assignmentActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('acknowledge'), version }),
    z.object({
      action: z.literal('approve'),
      version,
      // The reply to the reporter when this approval finishes the complaint.
      reply: optionalText('答复', { max: 1000 }),
      note: optionalText('备注', { max: 2000 }),
    }),
    z.object({ action: z.literal('return'), version, reason }),
    z.object({
      action: z.literal('urge'),
      version,
      note: freeText('督办意见', { min: 2, max: 500, required: '请填写督办意见', tooShort: '请填写督办意见' }),
    }),
  ],
  { error: '未知的操作' },
);
export type AssignmentActionInput = z.infer<typeof assignmentActionInput>;

/** 核查反馈: the outcome, what was found, and the phone's position when the photos carry none. */
export const answerInput = z.object({
  version,
  outcome: z.enum(ASSIGNMENT_OUTCOMES, { error: '请选择核查结果' }),
  finding: freeText('核查情况', {
    min: 4,
    max: 2000,
    required: '请写明核查情况',
    tooShort: '请写明核查情况（至少 4 个字）',
  }),
  lat: phoneLat,
  lng: phoneLng,
});
export type AnswerInput = z.infer<typeof answerInput>;

const date = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .min(1, `请填写${label}`)
    .refine(isCalendarDate, `${label}不是有效日期（格式 2026-12-01）`);

/** A department's 立案, 处罚决定 or 移送公安, as the document says. */
export const departmentActionInput = z
  .object({
    kind: z.enum(DEPARTMENT_ACTION_KINDS, { error: '请选择登记类型' }),
    documentNumber: freeText('文号', { min: 2, max: 100, required: '请填写文号', tooShort: '请填写文号' }),
    actedOn: date('日期'),
    penaltyKind: optionalText('处罚种类', { max: 100 }),
    amountYuan: optionalDecimal('金额', { min: 0, max: 100_000_000, invalid: '金额无效', range: '金额无效' }),
    note: optionalText('说明', { max: 1000 }),
    lat: phoneLat,
    lng: phoneLng,
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'penalty' && !v.penaltyKind)
      ctx.addIssue({
        code: 'custom',
        path: ['penaltyKind'],
        message: '处罚决定请填写处罚种类（如罚款、责令停产停业）',
      });
  });
export type DepartmentActionInput = z.infer<typeof departmentActionInput>;

export const idParam = recordId('交办事项');
