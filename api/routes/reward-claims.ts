import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { jsonBody, type JsonLimits } from '../http/body.ts';
import { clientIp } from '../http/client-ip.ts';
import { ApiError } from '../http/errors.ts';
import { claimWithCode } from '../domain/rewards/claims.ts';
import { claimInput } from '../domain/rewards/reward-workflow.ts';

// A code and a phone or e-mail: nothing more.
const CLAIM_JSON: JsonLimits = { maxBytes: 2048, maxDepth: 1, maxItems: 4 };

/** Public: the reporter claims an approved reward with the tracking code and the contact given at filing. */
export function rewardClaimRoutes(ctx: AppContext) {
  return new Hono().post('/reward-claim', async (c) => {
    const input = await jsonBody(c, claimInput, CLAIM_JSON);
    const r = claimWithCode(ctx, clientIp(c, ctx.env.TRUST_PROXY), input);
    c.header('Cache-Control', 'no-store');
    if (!r.ok)
      throw new ApiError(
        r.status,
        r.message,
        undefined,
        r.retryAfterS ? { 'Retry-After': String(r.retryAfterS) } : undefined,
      );
    return c.json({ status: 'claimed', amountYuan: r.amountYuan });
  });
}
