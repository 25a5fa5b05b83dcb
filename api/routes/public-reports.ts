import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { clientIp } from '../http/client-ip.ts';
import { RateLimiter } from '../domain/shared/rate-limit.ts';
import { cachedReportMap } from '../domain/public/report-map.ts';
import { townshipReportMap } from '../domain/public/township-map.ts';
import { townshipChoice } from '../domain/public/township-filter.ts';
import { countyAreas } from '../domain/shared/county-routing.ts';
import { nearbyHint, nearbyQuery } from '../domain/public/nearby-hint.ts';

/** The public map of accepted reports, as GeoJSON: grid cells, categories, statuses, months (report-map.ts). */
export function reportMapRoutes(ctx: AppContext) {
  return new Hono().get('/', async (c) => {
    // ?township=<code>: that township's cells (decision 024); an unknown code is a 400 in Chinese.
    const choice = townshipChoice(ctx.db, c.req.query('township'));
    if (!choice.ok) throw new ApiError(400, choice.message);
    const map = choice.township
      ? await townshipReportMap(ctx.db, ctx.clock(), countyAreas(ctx.db, ctx.villageAreas()), choice.township.id)
      : await cachedReportMap(ctx.db, ctx.clock());
    return c.body(map.json, 200, {
      'Content-Type': 'application/json; charset=UTF-8',
      'Cache-Control': 'public, max-age=60',
    });
  });
}

// A resident dragging his pin asks a few times a minute; a script walking the map asks far more.
const NEARBY_PER_MINUTE = 60;
const limiters = new WeakMap<AppContext, RateLimiter>();
const limiterOf = (ctx: AppContext) => {
  let l = limiters.get(ctx);
  if (!l) limiters.set(ctx, (l = new RateLimiter(NEARBY_PER_MINUTE, 60_000, () => ctx.clock().getTime())));
  return l;
};

/** "附近 N 条同类举报正在处理" for a pin on the report form (nearby-hint.ts). */
export function nearbyReportRoutes(ctx: AppContext) {
  return new Hono().get('/', (c) => {
    const limited = limiterOf(ctx).hit(clientIp(c, ctx.env.TRUST_PROXY));
    if (!limited.ok)
      throw new ApiError(429, '查询过于频繁，请稍后再试', undefined, { 'Retry-After': String(limited.retryAfterS) });
    const q = nearbyQuery.safeParse(c.req.query());
    if (!q.success) {
      const issue = q.error.issues[0]!;
      const field = String(issue.path[0] ?? 'lat') as 'lat' | 'lng' | 'category';
      throw new ApiError(400, issue.message, { [field]: issue.message });
    }
    const hint = nearbyHint(ctx.db, q.data, ctx.clock());
    if ('unknownCategory' in hint) throw new ApiError(400, '问题类别不正确', { category: '问题类别不正确' });
    // Tokens are minted per hour and per pin: nothing here is for a shared cache.
    return c.json(hint, 200, { 'Cache-Control': 'no-store' });
  });
}
