import { z } from 'zod';
import { COMPLAINT_STATUSES } from '../../../db/schema.ts';
import type { QueueQuery } from '../complaints/queue.ts';
import { recordId } from '../shared/text-input.ts';
import { isCalendarDate } from '../shared/time.ts';

/** A query field a link may leave empty ('' is not given); anything else must pass, or is refused naming the field. */
const blankOr = <T extends z.ZodType>(schema: T, message: string) =>
  z.union([z.literal('').transform(() => undefined), schema], { error: message }).optional();

const day = (label: string) => {
  const message = `${label}应为存在的日期，格式“年-月-日”，如 2026-05-15`;
  return blankOr(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: message })
      .refine(isCalendarDate, { error: message }),
    message,
  );
};

/**
 * The ledger's filters: the queue's own (api/domain/complaints/queue.ts), but checked, since a file
 * of the wrong complaints is worse than a refusal. The queue page's link carries them as they are.
 */
export const ledgerQuery = z
  .object({
    status: blankOr(z.enum(COMPLAINT_STATUSES), '状态参数有误'),
    category: blankOr(recordId('类别'), '类别参数有误'),
    village: blankOr(z.union([z.literal('none'), recordId('村（社区）')]), '村（社区）参数有误'),
    from: day('开始日期'),
    to: day('结束日期'),
    q: blankOr(
      z
        .string()
        .trim()
        .max(50)
        .transform((s) => s || undefined),
      '搜索词最多 50 个字',
    ),
    photos: blankOr(z.enum(['yes', 'no']), '照片参数只能是 yes 或 no'),
    duplicate: blankOr(z.literal('yes'), '疑似重复参数只能是 yes'),
    overdue: blankOr(z.literal('yes'), '仅超期参数只能是 yes'),
    sort: blankOr(z.enum(['newest', 'overdue']), '排序参数只能是 newest 或 overdue'),
    township: blankOr(z.string().regex(/^[a-z0-9-]{1,40}$/, { error: '乡镇（街道）参数有误' }), '乡镇（街道）参数有误'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { error: '开始日期不能晚于结束日期' });
export type LedgerQuery = z.infer<typeof ledgerQuery>;

/** The same filters as the queue reads them. */
export const asQueueQuery = (q: LedgerQuery): QueueQuery => ({ ...q, sort: q.sort ?? 'newest' });
