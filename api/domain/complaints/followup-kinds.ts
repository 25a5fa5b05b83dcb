import type { Rating } from '../../../db/schema-reporter.ts';

/** What the reporter came back with, as the office's queue flags it until a staff member acts on it. */
export type ReporterAlert = 'info' | 'relapse' | 'unsatisfied';

export const ALERT_BADGES: Record<ReporterAlert, string> = {
  info: '举报人补充',
  relapse: '又开工了',
  unsatisfied: '不满意',
};

// A second follow-up before the office looked keeps the weightier flag (the newest time still brings it to the top).
const WEIGHT: Record<ReporterAlert, number> = { info: 1, unsatisfied: 2, relapse: 3 };
export const weightier = (a: ReporterAlert | null, b: ReporterAlert): ReporterAlert =>
  a && WEIGHT[a] > WEIGHT[b] ? a : b;

export const RATING_LABELS: Record<Rating, string> = {
  satisfied: '满意',
  basically: '基本满意',
  unsatisfied: '不满意',
};

/** complaint_events.action of the reporter's follow-ups and of the office's review of them. */
export const FOLLOWUP_ACTIONS = {
  followup_info: '补充材料',
  followup_relapse: '又开工了',
  followup_rating: '评价',
  followup_review: '处理举报人反馈',
} as const;
export type FollowupAction = keyof typeof FOLLOWUP_ACTIONS;

/** The same steps as the reporter reads them on /track. */
export const FOLLOWUP_STEP_LABELS: Record<FollowupAction, string> = {
  followup_info: '补充材料',
  followup_relapse: '反映又开工了',
  followup_rating: '评价',
  followup_review: '答复',
};

/** How the audit log and the staff timeline name the reporter, who is never identified on them. */
export const REPORTER_ACTOR = { id: null, label: '举报人（凭查询码）' } as const;

/** How the audit log names what the reporter and the office did with follow-ups and closing evidence. */
export const FOLLOWUP_AUDIT_LABELS: Record<string, string> = {
  'complaint.followup_info': '举报人补充材料',
  'complaint.followup_relapse': '举报人反映又开工了',
  'complaint.followup_rating': '举报人评价',
  'complaint.followup_review': '处理举报人反馈',
  'complaint.track_photo_add': '查询页展示整治照片',
  'complaint.track_photo_withdraw': '撤下查询页整治照片',
};
