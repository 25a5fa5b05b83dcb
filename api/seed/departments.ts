import type { Db } from '../../db/client.ts';
import { departments } from '../../db/schema.ts';

/** The departments that join enforcement (data: a county can rename or add). */
export const DEPARTMENTS = [
  { code: 'eco', name: '生态环境' },
  { code: 'market', name: '市场监管' },
  { code: 'emergency', name: '应急管理' },
  { code: 'fire', name: '消防' },
  { code: 'land', name: '自然资源和规划' },
  { code: 'water', name: '水利/供水' },
  { code: 'power', name: '供电' },
  { code: 'police', name: '派出所' },
] as const;

export function seedDepartments(db: Db): void {
  db.insert(departments)
    .values(DEPARTMENTS.map((d, i) => ({ ...d, sort: i + 1 })))
    .onConflictDoNothing()
    .run();
}
