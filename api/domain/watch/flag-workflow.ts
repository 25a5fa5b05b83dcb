import { z } from 'zod';
import type { FlagStatus } from '../../../db/schema-watch.ts';
import { blankOr } from '../shared/blank-field.ts';
import { decimal, freeText, optionalText } from '../shared/text-input.ts';
import { isCalendarDate } from '../shared/time.ts';

/**
 * Every status change of a power flag lives here, as a task's do in task-workflow. A flag is decided once: the
 * detection never reopens a confirmed or dismissed one, so neither does staff.
 */
export const FLAG_TRANSITIONS = {
  // 确认: a 回头看 for the village with a deadline (a suspect file first for a meter without one).
  confirm: { from: ['open'], to: 'confirmed' },
  // 排除: with the reason, so each rule's share of false alarms can be read and its numbers tuned.
  dismiss: { from: ['open'], to: 'dismissed' },
} as const satisfies Record<string, { from: readonly FlagStatus[]; to: FlagStatus }>;

export type FlagActionName = keyof typeof FLAG_TRANSITIONS;

export const FLAG_STATUS_LABELS: Record<FlagStatus, string> = {
  open: '待核实',
  confirmed: '已确认',
  dismissed: '已排除',
};

export const FLAG_ACTION_LABELS: Record<FlagActionName, string> = {
  confirm: '确认并安排回头看',
  dismiss: '排除',
};

/** The audit log's names for the watch's staff actions (admin/pages/audit.astro). */
export const WATCH_AUDIT_LABELS: Record<string, string> = {
  'power_flag.confirm': '用电监测：确认标记，安排回头看',
  'power_flag.dismiss': '用电监测：排除标记',
  'watch_rule.update': '用电监测：修改规则',
};

export function nextFlagStatus(action: FlagActionName, from: FlagStatus): FlagStatus | null {
  const t = FLAG_TRANSITIONS[action];
  return (t.from as readonly FlagStatus[]).includes(from) ? t.to : null;
}

/** How many days the village has for the visit when the form leaves the deadline as proposed. */
export const DEFAULT_REVISIT_DAYS = 7;
/** The latest deadline a confirmation may set: a visit months away is no answer to a restart. */
export const MAX_REVISIT_DAYS = 60;

const version = decimal('版本号', {
  integer: true,
  min: 1,
  required: '缺少版本号，请刷新页面',
  invalid: '缺少版本号，请刷新页面',
});

export const flagActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({
      action: z.literal('confirm'),
      version,
      /** 回头看期限 (Beijing date); absent or empty: DEFAULT_REVISIT_DAYS from today. */
      dueOn: blankOr(
        z
          .string({ error: '回头看期限不是有效日期，请写成 2026-01-31 的格式' })
          .refine(isCalendarDate, { error: '回头看期限不是有效日期，请写成 2026-01-31 的格式' }),
      ),
      note: optionalText('说明', { max: 500 }),
    }),
    z.object({
      action: z.literal('dismiss'),
      version,
      reason: freeText('排除理由', {
        min: 2,
        max: 500,
        required: '请填写排除理由（如：已核实为正常生活用电）',
        tooShort: '请填写排除理由（至少 2 个字）',
      }),
    }),
  ],
  { error: '未知的操作' },
);
export type FlagActionInput = z.infer<typeof flagActionInput>;
