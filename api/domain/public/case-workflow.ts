import { z } from 'zod';
import type { CaseStatus } from '../../../db/schema-public.ts';
import { freeText } from '../shared/text-input.ts';

/**
 * Every status change of a typical case lives here, as the complaint's and the task's do in their
 * workflows. `by`: who may do it. The office writes; a reviewer is an office member who wrote no
 * part of this version of the case (four-eyes). `refused`: the answer when the case is in another
 * status. `audit`: what the audit log records.
 */
export const CASE_TRANSITIONS = {
  // Saving the form sends a submitted or taken-down case back to draft: it needs a new approval.
  edit: {
    from: ['draft', 'pending', 'unpublished'],
    to: 'draft',
    by: 'office',
    refused: '已发布的案例不能修改，请先撤下',
    audit: 'case.update',
  },
  submit: { from: ['draft'], to: 'pending', by: 'office', refused: '只有草稿可以提交审核', audit: 'case.submit' },
  approve: {
    from: ['pending'],
    to: 'published',
    by: 'reviewer',
    refused: '只有待审核的案例可以发布',
    audit: 'case.publish',
  },
  // The record stays; its public page then answers 410.
  unpublish: {
    from: ['published'],
    to: 'unpublished',
    by: 'office',
    refused: '只有已发布的案例可以撤下',
    audit: 'case.unpublish',
  },
} as const satisfies Record<
  string,
  { from: readonly CaseStatus[]; to: CaseStatus; by: 'office' | 'reviewer'; refused: string; audit: string }
>;

type CaseTransition = (typeof CASE_TRANSITIONS)[keyof typeof CASE_TRANSITIONS];

export function nextCaseStatus(action: keyof typeof CASE_TRANSITIONS, from: CaseStatus): CaseStatus | null {
  const t: CaseTransition = CASE_TRANSITIONS[action];
  return (t.from as readonly CaseStatus[]).includes(from) ? t.to : null;
}

const version = z.number().int().min(1);

/** What each action on the actions endpoint needs (an edit is the form's save, caseInput). */
export const caseActionInput = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('submit'), version }),
    z.object({ action: z.literal('approve'), version }),
    z.object({
      action: z.literal('unpublish'),
      version,
      reason: freeText('撤下理由', { min: 2, max: 500, required: '请说明撤下的理由', tooShort: '请说明撤下的理由' }),
    }),
  ],
  { error: '不支持的操作' },
);
export type CaseAction = z.infer<typeof caseActionInput>;
export type CaseActionName = CaseAction['action'];
