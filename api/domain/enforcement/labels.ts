import type {
  EnterpriseStatus,
  FourWithout,
  INSPECTION_OUTCOMES,
  InspectionArea,
  RemediationType,
  RevisitOutcome,
  TaskStatus,
} from '../../../db/schema-enforcement.ts';

/** The Chinese words of the seeds for every enforcement code, in one place. */
export const AREA_LABELS: Record<InspectionArea, string> = {
  licensing: '行政许可',
  process: '工艺设备',
  safety: '生产安全',
  fire: '消防安全',
  special: '特种设备',
  environment: '环境保护',
  leasing: '厂房出租',
  site: '现场管理',
};

export const FOUR_WITHOUT_LABELS: Record<FourWithout, string> = {
  licence: '无证无照',
  safety: '无安全保障',
  premises: '无合法场所',
  environment: '无环保措施',
};

export const REMEDIATION_LABELS: Record<RemediationType, string> = {
  shutdown: '关停取缔',
  rectify: '整改提升',
  relocate: '搬迁入园',
};

export const ENTERPRISE_STATUS_LABELS: Record<EnterpriseStatus, string> = {
  listed: '待整治',
  in_progress: '整治中',
  done: '已完成整治',
};

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  open: '整治中',
  submitted: '待验收',
  accepted: '已验收',
  cancelled: '已撤销',
};

/** 回头看四种排查类型 of seed 002, by number as the dynamic list writes them. */
export const REVISIT_TYPE_LABELS: Record<1 | 2 | 3 | 4, string> = {
  1: '第一类：关停取缔后复产经营',
  2: '第二类：治理改造后重新沦为“散乱污”',
  3: '第三类：空置厂房新的“散乱污”进驻',
  4: '第四类：新发现未纳入“散乱污”整治',
};

export const REVISIT_OUTCOME_LABELS: Record<RevisitOutcome, string> = {
  fine: '无异常',
  resumed: '关停取缔后复产经营',
  relapsed: '治理改造后重新沦为“散乱污”',
  new_in_vacated: '空置厂房新的“散乱污”进驻',
  newly_found: '新发现未纳入整治',
};

/** The revisit type number a finding stands for. */
export const OUTCOME_TYPE: Record<Exclude<RevisitOutcome, 'fine'>, 1 | 2 | 3 | 4> = {
  resumed: 1,
  relapsed: 2,
  new_in_vacated: 3,
  newly_found: 4,
};

export const STRUCTURE_LABELS = { brick_wood: '砖木', frame: '框架', shed: '棚', other: '其他' } as const;
export const PREMISES_LABELS = { owned: '自建', rented: '租赁' } as const;

/** What a random inspection (双随机) found at a drawn enterprise. */
export const INSPECTION_OUTCOME_LABELS: Record<(typeof INSPECTION_OUTCOMES)[number], string> = {
  compliant: '未发现问题',
  problem_found: '发现问题',
  not_reached: '未能检查',
};
