import { z } from 'zod';
import { isCalendarDate } from '../shared/time.ts';
import { decimal, freeText, optionalText, recordId, textOrEmpty } from '../shared/text-input.ts';
import { INSPECTION_AREAS, REMEDIATION_TYPES, type TaskStatus } from '../../../db/schema-enforcement.ts';

/** Every status change of an enforcement task lives here, as the complaint's do in complaint-workflow. */
export const TASK_TRANSITIONS = {
  // The village says the work is done; every checklist line must carry evidence first.
  submit: { from: ['open'], to: 'submitted', by: 'field' },
  // 验收 by the office: closes the task, resolves its complaints, schedules revisits.
  accept: { from: ['submitted'], to: 'accepted', by: 'office' },
  return: { from: ['submitted'], to: 'open', by: 'office' },
  cancel: { from: ['open', 'submitted'], to: 'cancelled', by: 'office' },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: TaskStatus; by: 'field' | 'office' }>;

export type TaskActionName = keyof typeof TASK_TRANSITIONS;

export const TASK_ACTION_LABELS: Record<TaskActionName | 'create' | 'item_done', string> = {
  create: '下达任务',
  item_done: '上传佐证',
  submit: '提交验收',
  accept: '验收通过',
  return: '退回整改',
  cancel: '撤销任务',
};

export function nextTaskStatus(action: TaskActionName, from: TaskStatus): TaskStatus | null {
  const t = TASK_TRANSITIONS[action];
  return (t.from as readonly TaskStatus[]).includes(from) ? t.to : null;
}

const version = decimal('版本号', {
  integer: true,
  min: 1,
  required: '缺少版本号，请刷新页面',
  invalid: '缺少版本号，请刷新页面',
});
const reason = freeText('理由', { min: 2, max: 500, required: '请填写理由', tooShort: '请填写理由' });
const note = optionalText('说明', { max: 1000 });

export const taskActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('submit'), version, note }),
    z.object({ action: z.literal('accept'), version, note }),
    // The lines the acceptor wants done again go back to undone; their photos stay as history.
    z.object({
      action: z.literal('return'),
      version,
      reason,
      redoItemIds: z.array(recordId('要重做的检查项')).max(50).default([]),
    }),
    z.object({ action: z.literal('cancel'), version, reason }),
  ],
  { error: '未知的操作' },
);
export type TaskActionInput = z.infer<typeof taskActionInput>;

const lead = (label: string) =>
  freeText(label, { min: 2, max: 50, required: `请填写${label}`, tooShort: `请填写${label}` });

export const taskCreateInput = z
  .object({
    enterpriseId: recordId('企业', { required: '请选择企业', invalid: '请选择企业' }),
    type: z.enum(REMEDIATION_TYPES, { error: '请选择整治类型' }),
    departmentIds: z.array(recordId('参与部门')).max(10).default([]),
    villageLead: lead('村居负责人'),
    townshipLead: lead('镇街负责人'),
    departmentLead: textOrEmpty('责任部门负责人', 50),
    dueOn: z
      .string({ error: '请填写完成期限' })
      .refine(isCalendarDate, { error: '完成期限不是有效日期，请写成 2026-01-31 的格式' }),
    measures: textOrEmpty('整治措施', 2000),
    optionalItems: z.array(z.enum(['remove_equipment', 'restore_land'])).default([]),
    areas: z.array(z.enum(INSPECTION_AREAS)).default([]),
    /** Complaints about this enterprise that the task answers: they are linked and assigned to the village. */
    complaintIds: z.array(recordId('举报编号')).max(50).default([]),
  })
  .refine((t) => t.type !== 'rectify' || t.areas.length > 0, {
    path: ['areas'],
    message: '整改提升请至少选择一个整改方面',
  })
  .refine((t) => t.departmentIds.length === 0 || t.departmentLead.length >= 2, {
    path: ['departmentLead'],
    message: '有部门参与联合执法时，请填写责任部门负责人',
  });
export type TaskCreateInput = z.infer<typeof taskCreateInput>;
