import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import { followToken, similarOpenNearby } from '../complaints/follow.ts';
import { DUPLICATE_RULE } from '../complaints/neighbours.ts';
import { STATUS_LABELS } from '../complaints/tracking.ts';
import { decimal } from '../shared/text-input.ts';
import { CELL_M } from '../shared/public-grid.ts';
import { monthOf } from '../shared/months.ts';

// Public code: what the report form shows while a resident places his pin. For each similar report being worked on
// near it: its category, status in /track's words, how far in whole hundreds of metres (to its public grid cell) and
// its month, with an opaque token to follow it (follow.ts). No id, no text, no photo, no contact.

export const nearbyQuery = z.object({
  lat: decimal('纬度', { min: -90, max: 90, required: '请提供纬度', invalid: '纬度必须是数字' }),
  lng: decimal('经度', { min: -180, max: 180, required: '请提供经度', invalid: '经度必须是数字' }),
  category: z
    .string({ error: '问题类别不正确' })
    .trim()
    .max(40, { error: '问题类别不正确' })
    .optional()
    .transform((v) => v || undefined),
});

export interface NearbyItem {
  /** For "这是同一个作坊，关注办理进展": good for one to two hours, at this pin only. */
  token: string;
  categoryCode: string;
  category: string;
  status: string;
  /** "约 100 米内", "约 200 米内". */
  distance: string;
  month: string;
}

export interface NearbyHint {
  count: number;
  items: NearbyItem[];
  /** DUPLICATE_RULE, so the page can say what "nearby" means. */
  rule: { metres: number; days: number };
}

/** At most this many listed; the count says how many there are. */
export const NEARBY_SHOWN = 5;

const CATEGORIES = 'SELECT id, code, name FROM complaint_categories';

/** The similar reports being handled near a pin: every one counted, the nearest listed. */
export function nearbyHint(db: Db, q: z.output<typeof nearbyQuery>, now: Date): NearbyHint | { unknownCategory: true } {
  const categories = prepared(db.$client, CATEGORIES).all() as { id: number; code: string; name: string }[];
  const byId = new Map(categories.map((c) => [c.id, c]));
  const chosen = q.category === undefined ? null : categories.find((c) => c.code === q.category);
  if (chosen === undefined) return { unknownCategory: true };
  const similar = similarOpenNearby(db.$client, q, chosen?.id ?? null, now.getTime());
  return {
    count: similar.length,
    items: similar.slice(0, NEARBY_SHOWN).map((s) => ({
      token: followToken(s.id, now.getTime()),
      categoryCode: byId.get(s.categoryId)?.code ?? '',
      category: byId.get(s.categoryId)?.name ?? '',
      status: STATUS_LABELS[s.status],
      distance: `约 ${Math.max(1, Math.ceil(s.distanceM / CELL_M)) * CELL_M} 米内`,
      month: monthOf(new Date(s.createdAt)),
    })),
    rule: { metres: DUPLICATE_RULE.metres, days: DUPLICATE_RULE.days },
  };
}
