import { INSPECTION_AREAS, type InspectionArea, type RemediationType } from '../../../db/schema-enforcement.ts';
import { AREA_LABELS } from './labels.ts';

export interface ChecklistLine {
  code: string;
  label: string;
}

/** 两断三清 (seeds 002, 003), always on a shutdown. */
export const SHUTDOWN_ITEMS: readonly ChecklistLine[] = [
  { code: 'cut_water', label: '断水' },
  { code: 'cut_power', label: '断电' },
  { code: 'clear_materials', label: '清除原料' },
  { code: 'clear_products', label: '清除产品' },
  { code: 'clear_equipment', label: '清除设备' },
];

/** Seed 004 adds these where the township decides to demolish. */
export const SHUTDOWN_OPTIONAL_ITEMS: readonly ChecklistLine[] = [
  { code: 'remove_equipment', label: '拆除设备' },
  { code: 'restore_land', label: '恢复地貌' },
];

export const RELOCATION_ITEMS: readonly ChecklistLine[] = [
  { code: 'stop_production', label: '停止生产' },
  { code: 'remove_equipment', label: '搬离设备' },
  { code: 'cut_industrial_power', label: '断开工业用电' },
  { code: 'moved_into_park', label: '入园证明' },
];

export type OptionalShutdownCode = 'remove_equipment' | 'restore_land';

/** The checklist a new task starts with; a rectification checks the areas where problems were found. */
export function checklistFor(
  type: RemediationType,
  opts: { optional?: OptionalShutdownCode[]; areas?: InspectionArea[] },
): ChecklistLine[] {
  switch (type) {
    case 'shutdown':
      return [
        ...SHUTDOWN_ITEMS,
        ...SHUTDOWN_OPTIONAL_ITEMS.filter((i) => opts.optional?.includes(i.code as OptionalShutdownCode)),
      ];
    case 'rectify':
      return INSPECTION_AREAS.filter((a) => opts.areas?.includes(a)).map((a) => ({
        code: a,
        label: `${AREA_LABELS[a]}问题整改`,
      }));
    case 'relocate':
      return [...RELOCATION_ITEMS];
  }
}

// What the photos of each line must show, beside its camera button on the officer's phone. From
// seeds 002-004 (两断三清: 断水、断电、清除原料、清除产品、清除设备; 拆除设备、恢复地貌) and, for
// a rectification, the survey's eight areas of seed 000.
const SHUTDOWN_HINTS: Record<string, string> = {
  cut_water: '拍水表拆除或总阀关闭铅封后的照片；有自备井的，拍封井照片',
  cut_power: '拍电表拆除或封存、进户线剪断后的照片，最好有供电所人员在场',
  clear_materials: '拍原料运出的过程和原料堆放处已经清空的照片',
  clear_products: '拍成品、半成品运走或封存后，仓库已经清空的照片',
  clear_equipment: '拍生产设备搬出或拆解后，车间里已经没有设备的照片',
  remove_equipment: '拍设备切割拆除、装车运离现场的照片',
  restore_land: '拍厂棚拆除后场地平整、复绿或复耕的全景照片',
};

const RELOCATION_HINTS: Record<string, string> = {
  stop_production: '拍设备停机、车间无人作业的照片',
  remove_equipment: '拍设备搬离后原车间已经清空的照片',
  cut_industrial_power: '拍动力电（工业用电）线路断开或电表拆除的照片',
  moved_into_park: '拍入园协议或园区厂房租赁合同，以及设备在园区新厂房安装的照片',
};

const AREA_HINTS: Record<InspectionArea, string> = {
  licensing: '拍补办齐全的营业执照和许可证件，经营范围与实际生产相符',
  process: '拍淘汰工艺设备拆除，或更换后的新设备的照片',
  safety: '拍负责人、安全员、特种作业人员的上岗证件和整改后的作业现场',
  fire: '拍生产、仓储与住宿分开，通道畅通、灭火器配齐、电线规范后的照片',
  special: '拍特种设备的检验合格标志和操作人员证件；土制设备拍拆除照片',
  environment: '拍污染治理设施安装并运行、废气废水收集处理的照片',
  leasing: '拍厂房租赁合同和出租方与承租方签订的安全生产管理协议',
  site: '拍设备布局整理、物品堆放整齐、跑冒滴漏治理后的车间照片',
};

/** What the evidence of a checklist line must show; none for a code this version does not know. */
export function checklistHint(type: RemediationType, code: string): string | undefined {
  switch (type) {
    case 'shutdown':
      return SHUTDOWN_HINTS[code];
    case 'relocate':
      return RELOCATION_HINTS[code];
    case 'rectify':
      return (AREA_HINTS as Record<string, string>)[code];
  }
}
