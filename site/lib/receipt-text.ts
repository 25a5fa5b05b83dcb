/**
 * Where a filed report went and by when the office decides on it: the same words on /report/done and in the form's own
 * receipt.
 */
export const queuedNotice = (villageName: string | null, acceptDays: number) =>
  `${villageName ? `位置属于${villageName}，` : '位置不在各村范围内，'}已进入镇整治办受理队列。整治办将在 ${acceptDays} 日内决定是否受理。`;
