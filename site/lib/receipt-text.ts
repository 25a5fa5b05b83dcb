import { officeOf } from '../../api/domain/shared/office-name.ts';

/**
 * Where a filed report went (the township's office: a 街道's is not a 镇's) and by when the office decides on it: the
 * same words on /report/done and in the form's own receipt.
 */
export const queuedNotice = (townshipName: string, villageName: string | null, acceptDays: number) =>
  `${villageName ? `位置属于${villageName}，` : '位置不在各村范围内，'}` +
  `已进入${officeOf(townshipName)}受理队列。` +
  `整治办将在 ${acceptDays} 日内决定是否受理。`;
