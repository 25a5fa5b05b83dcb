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
