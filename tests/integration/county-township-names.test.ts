import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDraw } from '../../api/domain/enforcement/draws.ts';
import { listRevisits } from '../../api/domain/enforcement/revisits.ts';
import { listRewards } from '../../api/domain/rewards/rewards.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { revisits } from '../../db/schema-enforcement.ts';
import { rewardSchemes, rewards, rewardTiers } from '../../db/schema-reporter.ts';
import { freshContext } from '../helpers/context.ts';
import { addQingxiStation, SHIQIAO_AT, townshipRecords } from '../helpers/two-townships.ts';

// Issue 14: a county account's 回头看 list, a draw's page and the rewards list span townships, so each row says
// which township it is in, as the enterprise register and the task list do.
const { ctx, app } = await freshContext();
await addQingxiStation(ctx);
const SHIQIAO = await townshipRecords(ctx, app, SHIQIAO_AT);
const user = (name: string) => staffByUsername(ctx.db, name)!;
const now = ctx.clock();

describe('township names on lists that span townships', () => {
  it('each 回头看 names its township', () => {
    const status = ctx.db.select().from(revisits).where(eq(revisits.id, SHIQIAO.revisit)).get()!.status;
    const rows = listRevisits(ctx.db, user('xianban'), status === 'done' ? 'done' : 'scheduled', now);
    expect(rows.find((r) => r.id === SHIQIAO.revisit)?.townshipName).toBe('石桥镇');
  });

  it('each drawn enterprise names its township', () => {
    const draw = getDraw(ctx.db, user('xianban'), SHIQIAO.draw)!;
    expect(draw.items.length).toBeGreaterThan(0);
    expect(new Set(draw.items.map((i) => i.townshipName))).toEqual(new Set(['石桥镇']));
  });

  it('each reward names the township of its report', () => {
    const scheme = ctx.db.insert(rewardSchemes).values({ name: '有奖举报', updatedAt: now }).returning().get();
    const tier = ctx.db
      .insert(rewardTiers)
      .values({ schemeId: scheme.id, name: '一般', amountYuan: 200 })
      .returning()
      .get();
    ctx.db
      .insert(rewards)
      .values({
        complaintId: SHIQIAO.complaint,
        schemeId: scheme.id,
        tierId: tier.id,
        amountYuan: 200,
        reason: '核实属实',
        proposedBy: user('shiqiao').id,
        proposedAt: now,
        updatedAt: now,
      })
      .run();
    const listed = listRewards(ctx.db, user('xianban'), now).proposed;
    expect(listed.find((r) => r.complaintId === SHIQIAO.complaint)?.townshipName).toBe('石桥镇');
  });
});
