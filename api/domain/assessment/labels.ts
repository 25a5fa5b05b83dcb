import type { AssessedLevel, AssessmentMeasure } from '../../../db/schema-county.ts';

export const LEVEL_LABELS: Record<AssessedLevel, string> = {
  township: '镇（街道）',
  village: '村（社区）',
  department: '部门',
};

/** A rate scores its percentage; a count scores 100 less the penalty per item, never below 0. */
export type MeasureKind = 'rate' | 'count';

export interface MeasureInfo {
  kind: MeasureKind;
  /** The indicator's name when it is first seeded; the admin may rename it. */
  name: string;
  unit: string;
  /** How the records are read (docs/decisions/026-assessment.md), as the pages explain it. */
  rule: string;
}

export const MEASURES: Record<AssessmentMeasure, MeasureInfo> = {
  ack_on_time: {
    kind: 'rate',
    name: '签收及时率',
    unit: '%',
    rule: '签收期限在考核期内的交办事项中，在期限前签收的比例。期限未到且未签收的不计；期限前已撤回（重新交办、办结）的不计。',
  },
  answer_on_time: {
    kind: 'rate',
    name: '反馈及时率',
    unit: '%',
    rule:
      '反馈期限在考核期内的交办事项中，在期限前反馈的比例（被退回重办的，以最后一次反馈为准；退回后未再反馈的算未反馈）。' +
      '期限未到且未反馈的不计；期限前已撤回的不计。',
  },
  overdue: {
    kind: 'count',
    name: '超期件数',
    unit: '件',
    rule: '反馈期限在考核期内、到期未反馈或逾期才反馈的交办事项数（即反馈及时率的分母减分子）。',
  },
  urged: {
    kind: 'count',
    name: '被督办次数',
    unit: '次',
    rule: '考核期内乡镇（街道）整治办对本单位交办事项的督办次数（每督办一次计一次）。',
  },
  relapse: {
    kind: 'count',
    name: '回头看发现反弹',
    unit: '家',
    rule: '考核期内完成的回头看中，发现已整治企业（作坊）关停后复产或整改后反弹的次数。',
  },
  reopened: {
    kind: 'count',
    name: '重新办理件数',
    unit: '次',
    rule:
      '考核期内已办结或已归档的举报被重新打开的次数：举报人反映“又开工了”、对结果不满意经复核重新办理、' +
      '或整治办自行重新打开（不予受理、合并后的更正不计）。',
  },
  satisfaction: {
    kind: 'rate',
    name: '群众满意率',
    unit: '%',
    rule: '考核期内举报人对办理结果的评价中，“满意”和“基本满意”所占比例（每次办结评价一次）。',
  },
};

/** Where a count's penalty is said: 每件扣 5 分. */
export const penaltyText = (measure: AssessmentMeasure, penalty: number) =>
  MEASURES[measure].kind === 'count' ? `每${MEASURES[measure].unit}扣 ${penalty} 分` : '—';
