import type { Db } from '../../db/client.ts';
import { complaintCategories } from '../../db/schema.ts';

/** What residents can report; data, so staff can edit the list later. */
export const RESIDENT_CATEGORIES = [
  { code: 'air', name: '废气/异味/烟尘', hint: '冒黑烟、刺鼻气味、粉尘' },
  { code: 'water', name: '废水', hint: '偷排污水、河道变色发臭' },
  { code: 'noise', name: '噪声', hint: '机器轰鸣、夜间施工生产' },
  { code: 'waste', name: '固体废物/焚烧', hint: '乱堆乱倒、露天焚烧' },
  { code: 'unlicensed', name: '无证无照经营', hint: '没有营业执照的小作坊' },
  { code: 'safety', name: '安全/消防隐患（含“三合一”）', hint: '生产、仓储、住人在同一栋楼' },
  { code: 'resumed', name: '关停后又复产', hint: '已被关停的作坊又开工' },
  { code: 'other', name: '其他', hint: '' },
] as const;

export function seedCategories(db: Db): void {
  db.insert(complaintCategories)
    .values(RESIDENT_CATEGORIES.map((c, i) => ({ ...c, sort: i + 1 })))
    .onConflictDoNothing()
    .run();
}
