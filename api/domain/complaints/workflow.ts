import { z } from 'zod';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { decimal, freeText, optionalText, recordId } from '../shared/text-input.ts';

/** Every status change of a complaint, and what each staff action may do, lives here. */
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['submitted', 'accepted', 'assigned'];

export const REJECT_REASONS = ['不属于受理范围', '信息不全无法核实', '重复举报', '恶意或虚假举报'] as const;

type Transition = { from: readonly ComplaintStatus[]; to: (from: ComplaintStatus) => ComplaintStatus };
const same = (s: ComplaintStatus) => s;
const ALL: readonly ComplaintStatus[] = [
  'submitted',
  'accepted',
  'rejected',
  'merged',
  'assigned',
  'resolved',
  'closed',
];

export const TRANSITIONS = {
  accept: { from: ['submitted'], to: () => 'accepted' },
  reject: { from: ['submitted'], to: () => 'rejected' },
  merge: { from: ['submitted', 'accepted'], to: () => 'merged' },
  assign: { from: ['accepted', 'assigned'], to: () => 'assigned' },
  resolve: { from: ['assigned'], to: () => 'resolved' },
  // A village's "不属本村" approved by the office: back to the office to assign again.
  reroute: { from: ['assigned'], to: () => 'accepted' },
  close: { from: ['resolved'], to: () => 'closed' },
  // A wrongly refused or merged report goes back to the queue; reopened work goes back to accepted.
  reopen: {
    from: ['rejected', 'merged', 'resolved', 'closed'],
    to: (s) => (s === 'rejected' || s === 'merged' ? 'submitted' : 'accepted'),
  },
  extend: { from: ['accepted', 'assigned'], to: same },
  classify: { from: ['submitted', 'accepted', 'assigned'], to: same },
  // A report filed with an address and no point is placed on the map before it is assigned (decision 016).
  locate: { from: ['submitted', 'accepted'], to: same },
  // 移交: another township's office takes over an open report (decision 024); work handed out is withdrawn, so an
  // assigned report goes back to accepted for its new office to assign.
  handover: { from: OPEN_STATUSES, to: (s) => (s === 'assigned' ? 'accepted' : s) },
  reply: { from: ALL, to: same },
  note: { from: ALL, to: same },
} as const satisfies Record<string, Transition>;

export type ActionName = keyof typeof TRANSITIONS;

export const ACTION_LABELS: Record<ActionName, string> = {
  accept: '受理',
  reject: '不予受理',
  merge: '合并为重复举报',
  assign: '交办',
  resolve: '办结',
  reroute: '收回待重新交办',
  close: '归档',
  reopen: '重新打开',
  extend: '延期',
  classify: '改类别',
  locate: '确定位置',
  handover: '移交',
  reply: '答复举报人',
  note: '内部备注',
};

export const STATUS_NAMES: Record<ComplaintStatus, string> = {
  submitted: '待受理',
  accepted: '已受理',
  rejected: '不予受理',
  merged: '已合并',
  assigned: '已交办',
  resolved: '已办结',
  closed: '已归档',
};

export function nextStatus(action: ActionName, from: ComplaintStatus): ComplaintStatus | null {
  const t: Transition = TRANSITIONS[action];
  return t.from.includes(from) ? t.to(from) : null;
}

const reply = optionalText('答复', { max: 1000 });
const note = optionalText('备注', { max: 2000 });
const version = decimal('版本号', {
  integer: true,
  min: 1,
  required: '缺少版本号，请刷新页面',
  invalid: '缺少版本号，请刷新页面',
});
const reason = freeText('理由', { min: 2, max: 500, required: '请填写理由', tooShort: '请填写理由' });
const id = (label: string) => recordId(label, { required: `请选择${label}`, invalid: `请选择${label}` });

// What accepting, rejecting and assigning need, whether of one complaint or of a batch of them.
const acceptFields = { reply };
const rejectFields = {
  reason: z.enum(REJECT_REASONS, { error: '请选择不予受理的理由' }),
  detail: optionalText('说明', { max: 500 }),
  reply,
};
const assignFields = {
  villageId: id('属地村（社区）'),
  departmentIds: z.array(recordId('参与部门')).max(10).default([]),
  reply,
};

/** 移交 (decision 024): also its own route, POST /api/admin/complaints/:id/handover, as JSON or a plain form. */
export const handoverInput = z.object({
  action: z.literal('handover'),
  version,
  toTownshipId: id('接收的乡镇（街道）'),
  reason,
  note,
});

/** What each action needs, validated at the edge with messages staff can act on. */
export const actionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('accept'), version, ...acceptFields, note }),
    z.object({ action: z.literal('reject'), version, ...rejectFields, note }),
    z.object({ action: z.literal('merge'), version, targetId: id('要合并到的举报'), reply, note }),
    z.object({ action: z.literal('assign'), version, ...assignFields, note }),
    z.object({ action: z.literal('resolve'), version, reply, note }),
    z.object({ action: z.literal('reroute'), version, reason, note }),
    z.object({ action: z.literal('close'), version, reply, note }),
    z.object({ action: z.literal('reopen'), version, reason, reply, note }),
    z.object({
      action: z.literal('extend'),
      version,
      days: decimal('延期天数', { integer: true, min: 1, max: 3650, range: '延期至少 1 天' }),
      reason,
      reply,
      note,
    }),
    z.object({ action: z.literal('classify'), version, categoryId: id('类别'), note }),
    z.object({
      action: z.literal('locate'),
      version,
      // Mainland China, as a resident's pin (input.ts): the office reads the address and clicks the map.
      lat: decimal('纬度', { min: 3.8, max: 53.6, required: '请在地图上点选位置', range: '位置不在服务范围内' }),
      lng: decimal('经度', { min: 73.5, max: 135.1, required: '请在地图上点选位置', range: '位置不在服务范围内' }),
      reply,
      note,
    }),
    handoverInput,
    z.object({
      action: z.literal('reply'),
      version,
      reply: freeText('答复', { min: 2, max: 1000, required: '请填写答复内容', tooShort: '请填写答复内容' }),
      note,
    }),
    z.object({
      action: z.literal('note'),
      version,
      note: freeText('备注', { min: 1, max: 2000, required: '请填写备注' }),
    }),
  ],
  { error: '未知的操作' },
);

export type ActionInput = z.infer<typeof actionInput>;

/** What the queue may do to many complaints at once: no note, and each complaint names the version it read. */
export const batchActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('accept'), ...acceptFields }),
    z.object({ action: z.literal('reject'), ...rejectFields }),
    z.object({ action: z.literal('assign'), ...assignFields }),
  ],
  { error: '批量操作只支持受理、不予受理和交办' },
);
