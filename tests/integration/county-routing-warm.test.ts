import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  countyAreas,
  countyRoutingWarm,
  currentCountyAreas,
  warmCountyRouting,
} from '../../api/domain/shared/county-routing.ts';
import { townships } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';

// The county's outlines are parsed once when the server starts, before it listens: the first filing and the first
// staff action (确定位置, 移交) then route with what is ready instead of paying the parse (67–374 ms) themselves.
const { ctx } = await freshContext();

describe('county routing warmed at start', () => {
  it('the start path warms it before the server listens', () => {
    const main = readFileSync('api/portal.ts', 'utf8');
    const warm = main.indexOf('warmCountyRouting(ctx.db, ctx.villageAreas())');
    expect(warm).toBeGreaterThan(-1);
    expect(warm).toBeLessThan(main.indexOf('server.listen('));
  });

  it('after warming, the filing and the staff actions read the one parsed county', () => {
    warmCountyRouting(ctx.db, ctx.villageAreas());
    expect(countyRoutingWarm(ctx.db, ctx.villageAreas())).toBe(true);
    const county = countyAreas(ctx.db, ctx.villageAreas());
    expect(currentCountyAreas(ctx.db)).toBe(county);
    expect(county.townships.map((t) => t.name)).toContain('石桥镇');
  });

  it('an outline drawn since is read again at the next staff action', () => {
    const t = ctx.db.select().from(townships).where(eq(townships.code, 'chengdong')).get()!;
    const box = [
      [120, 30],
      [120.001, 30],
      [120.001, 30.001],
      [120, 30],
    ];
    ctx.db
      .update(townships)
      .set({ boundary: { type: 'Polygon', coordinates: [box] } })
      .where(eq(townships.id, t.id))
      .run();
    expect(countyRoutingWarm(ctx.db, ctx.villageAreas())).toBe(false);
  });
});
