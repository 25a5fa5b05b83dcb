import { eq } from 'drizzle-orm';
import type { AppContext } from '../../api/context.ts';
import { townships, users, villages } from '../../db/schema.ts';

const square = (x: number, y: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x, y],
      [x + 0.01, y],
      [x + 0.01, y + 0.01],
      [x, y + 0.01],
      [x, y],
    ],
  ],
});

/**
 * A second township with a village and a triage account, for tests that compile or scope tables across townships:
 * the demo's 石桥镇 (code shiqiao-zhen) when the seed has it, else one made here under that code (or another code, for a
 * township only the test fills).
 */
export function secondTownship(ctx: AppContext, code = 'shiqiao-zhen', name = '石桥镇') {
  const db = ctx.db;
  const first = db.select().from(townships).orderBy(townships.id).get()!;
  let t2 = db.select().from(townships).where(eq(townships.code, code)).get();
  if (!t2) {
    t2 = db
      .insert(townships)
      .values({ code, name, county: first.county, province: first.province, sort: 90 })
      .returning()
      .get();
  }
  let village = db.select().from(villages).where(eq(villages.townshipId, t2.id)).get();
  if (!village) {
    village = db
      .insert(villages)
      .values({ townshipId: t2.id, code: `${code}-cun`, name: `${name}测试村`, boundary: square(120.5, 29.5) })
      .returning()
      .get();
  }
  const username = `${code}-triage`;
  if (!db.select().from(users).where(eq(users.username, username)).get())
    db.insert(users)
      .values({
        username,
        displayName: `${name}受理员`,
        role: 'triage',
        townshipId: t2.id,
        passwordHash: 'x',
        mustChangePassword: false,
        updatedAt: new Date(0),
      })
      .run();
  return { first, second: t2, village, triage: username };
}
