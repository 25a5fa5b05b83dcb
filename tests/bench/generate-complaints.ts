import type { AppContext } from '../../api/context.ts';
import { indexAllComplaints } from '../../api/domain/complaints/search-index.ts';
import { newTrackingCode } from '../../api/domain/complaints/tracking-code.ts';
import { COMPLAINT_STATUSES } from '../../db/schema.ts';

export const PHRASES = [
  '塑料颗粒作坊冒黑烟',
  '电镀作坊偷排废水',
  '夜里冲床噪声很大',
  '露天焚烧废旧电线',
  '无证小作坊生产家具',
  '三合一民房堆放油漆',
  '关停的铸造作坊又开工',
  '石料加工粉尘很大',
  '河道发黑发臭',
  '酸洗作坊排放刺鼻气体',
];

// Years of work: what is older than ~75 days has been decided; a few stragglers are overdue.
const OLD: (typeof COMPLAINT_STATUSES)[number][] = [
  'closed',
  'closed',
  'closed',
  'closed',
  'closed',
  'closed',
  'resolved',
  'rejected',
  'rejected',
  'merged',
];

/**
 * Fills the database with `n` plausible complaints filed over two years, in order, 50k per transaction, and indexes
 * them.
 */
export function generateComplaints(ctx: AppContext, n: number, now = Date.now()): void {
  const villages = ctx.villageAreas();
  const township = villages[0]!.townshipId;
  const insert = ctx.db.$client.prepare(
    `INSERT INTO complaints (tracking_code, township_id, village_id, outside_villages, category_id, lat, lng,
       description, status, due_at, has_photos, possible_duplicate, version, source, created_at, updated_at)
     VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'seed', ?, ?)`,
  );
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const batch = ctx.db.$client.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const v = villages[Math.floor(rand() * villages.length)]!;
      const [minX, minY, maxX, maxY] = v.bbox;
      const created = now - Math.floor(((n - i) / n) * 730 * 86_400_000); // ids grow with time, as in life
      const old = now - created > 75 * 86_400_000;
      const status =
        old && rand() > 0.002
          ? OLD[Math.floor(rand() * OLD.length)]!
          : COMPLAINT_STATUSES[Math.floor(rand() * COMPLAINT_STATUSES.length)]!;
      const text = `${PHRASES[i % PHRASES.length]}，编号${i}，${PHRASES[(i * 7) % PHRASES.length]}`;
      insert.run(
        newTrackingCode(),
        township,
        v.id,
        1 + Math.floor(rand() * 8),
        minY + rand() * (maxY - minY),
        minX + rand() * (maxX - minX),
        text,
        status,
        created + 15 * 86_400_000,
        i % 3 === 0 ? 1 : 0,
        i % 17 === 0 ? 1 : 0,
        created,
        created,
      );
    }
  });
  for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
  indexAllComplaints(ctx.db.$client);
}
