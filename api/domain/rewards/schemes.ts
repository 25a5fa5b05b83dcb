import { and, asc, count, eq, isNull, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintCategories } from '../../../db/schema.ts';
import { rewardSchemes, rewards, rewardTiers } from '../../../db/schema-reporter.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { hasRole, ADMIN } from '../shared/roles.ts';
import { decimal, freeText, optionalDecimal, optionalText } from '../shared/text-input.ts';
import { fmtTime } from '../shared/time.ts';

/** 奖励方案 and 档次: the county's scheme as data, edited by the admin; every change is audited. */

// A form's box sends "0" from a hidden field before it, and "on" when ticked (admin/pages/rewards); absent is true.
const flag = z
  .union([
    z.boolean(),
    z.enum(['true', 'false', 'on', '1', '0']).transform((v) => v === 'true' || v === 'on' || v === '1'),
  ])
  .default(true);

// The scheme's last save, as the version a form read (the table keeps no counter of its own).
const version = decimal('版本号', { integer: true, min: 0, required: '缺少版本号，请刷新页面' });

export const schemeInput = z.object({
  name: freeText('方案名称', { min: 2, max: 60, required: '请填写方案名称', tooShort: '方案名称至少 2 个字' }),
  active: flag,
  claimDays: decimal('申领期限（天）', { integer: true, min: 1, max: 3650, range: '申领期限须在 1 到 3650 天之间' }),
  relapseEligible: flag,
  note: optionalText('说明', { max: 1000 }),
});
export const schemeUpdateInput = schemeInput.extend({ version });

const amount = decimal('奖励金额（元）', {
  min: 0.01,
  max: 1_000_000,
  range: '奖励金额须在 0.01 到 1,000,000 元之间',
}).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, '奖励金额最多精确到分');

export const tierInput = z.object({
  version,
  name: freeText('档次名称', { min: 1, max: 40, required: '请填写档次名称' }),
  // Empty: any category.
  categoryId: optionalDecimal('适用类别', {
    integer: true,
    min: 1,
    invalid: '适用类别不正确',
    range: '适用类别不正确',
  }),
  amountYuan: amount,
  sort: optionalDecimal('排序', { integer: true, min: 0, max: 1000 }),
  active: flag,
});
export const tierVersionInput = z.object({ version });

type SchemeRow = typeof rewardSchemes.$inferSelect;
type TierRow = typeof rewardTiers.$inferSelect;
const actor = (u: StaffUser) => ({ id: u.id, label: u.displayName });

export interface TierView extends TierRow {
  categoryName: string | null;
  /** Rewards that name it: such a tier is deactivated, never deleted, and keeps its amount. */
  used: number;
}
export interface SchemeView extends SchemeRow {
  tiers: TierView[];
}

/** Every scheme with its tiers, newest scheme first; inactive ones too (the admin edits them). */
export function listSchemes(db: Db): SchemeView[] {
  const schemes = db.select().from(rewardSchemes).orderBy(asc(rewardSchemes.id)).all().reverse();
  const tiers = db
    .select({ tier: rewardTiers, categoryName: complaintCategories.name })
    .from(rewardTiers)
    .leftJoin(complaintCategories, eq(complaintCategories.id, rewardTiers.categoryId))
    .orderBy(asc(rewardTiers.sort), asc(rewardTiers.id))
    .all();
  const uses = new Map(
    db
      .select({ tierId: rewards.tierId, n: count() })
      .from(rewards)
      .groupBy(rewards.tierId)
      .all()
      .map((r) => [r.tierId, r.n]),
  );
  return schemes.map((s) => ({
    ...s,
    tiers: tiers
      .filter((t) => t.tier.schemeId === s.id)
      .map((t) => ({ ...t.tier, categoryName: t.categoryName, used: uses.get(t.tier.id) ?? 0 })),
  }));
}

/** The tiers the office may propose for a complaint of this category: active tiers of active schemes. */
export function tiersFor(db: Db, categoryId: number) {
  return db
    .select({
      id: rewardTiers.id,
      name: rewardTiers.name,
      amountYuan: rewardTiers.amountYuan,
      schemeId: rewardSchemes.id,
      schemeName: rewardSchemes.name,
      relapseEligible: rewardSchemes.relapseEligible,
    })
    .from(rewardTiers)
    .innerJoin(rewardSchemes, eq(rewardSchemes.id, rewardTiers.schemeId))
    .where(
      and(
        eq(rewardSchemes.active, true),
        eq(rewardTiers.active, true),
        or(isNull(rewardTiers.categoryId), eq(rewardTiers.categoryId, categoryId)),
      ),
    )
    .orderBy(asc(rewardSchemes.id), asc(rewardTiers.sort), asc(rewardTiers.id))
    .all();
}

/** A yuan amount as the office writes it: 1,000 元, 12.50 元. */
export const yuan = (n: number) =>
  `${n.toLocaleString('zh-CN', { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 })} 元`;

function adminOnly(user: StaffUser): Result<object> {
  return hasRole(user, ADMIN) ? { ok: true } : fail(403, '奖励方案只能由系统管理员修改');
}

/** The scheme as the form read it, or the 409 that says who changed it since. */
function schemeForWrite(tx: Tx, id: number, read: number): Result<{ row: SchemeRow }> {
  const row = tx.select().from(rewardSchemes).where(eq(rewardSchemes.id, id)).get();
  if (!row) return fail(404, '奖励方案不存在');
  if (row.updatedAt.getTime() !== read)
    return fail(409, `这个奖励方案已于 ${fmtTime(row.updatedAt)} 被他人修改，请刷新后再操作`);
  return { ok: true, row };
}

function categoryProblem(tx: Tx, id: number | null | undefined): string | null {
  if (id == null) return null;
  return tx.select({ id: complaintCategories.id }).from(complaintCategories).where(eq(complaintCategories.id, id)).get()
    ? null
    : '适用类别不存在';
}

export function createScheme(
  db: Db,
  user: StaffUser,
  input: z.infer<typeof schemeInput>,
  now: Date,
): Result<{ id: number; version: number }> {
  const allowed = adminOnly(user);
  if (!allowed.ok) return allowed;
  return atomically(db, (tx) => {
    const { id } = tx
      .insert(rewardSchemes)
      .values({ ...input, note: input.note ?? '', createdBy: user.id, createdAt: now, updatedAt: now })
      .returning({ id: rewardSchemes.id })
      .get();
    audit(
      tx,
      actor(user),
      { action: 'reward_scheme.create', objectType: 'reward_scheme', objectId: id, details: input },
      now,
    );
    return { ok: true, id, version: now.getTime() };
  });
}

export function updateScheme(
  db: Db,
  user: StaffUser,
  id: number,
  input: z.infer<typeof schemeUpdateInput>,
  now: Date,
): Result<{ version: number }> {
  const allowed = adminOnly(user);
  if (!allowed.ok) return allowed;
  return atomically(db, (tx) => {
    const r = schemeForWrite(tx, id, input.version);
    if (!r.ok) return r;
    const { version: _, ...fields } = input;
    const set = { ...fields, note: fields.note ?? '' };
    tx.update(rewardSchemes)
      .set({ ...set, updatedAt: now })
      .where(eq(rewardSchemes.id, id))
      .run();
    const before = {
      name: r.row.name,
      active: r.row.active,
      claimDays: r.row.claimDays,
      relapseEligible: r.row.relapseEligible,
      note: r.row.note,
    };
    audit(
      tx,
      actor(user),
      { action: 'reward_scheme.update', objectType: 'reward_scheme', objectId: id, details: { before, after: set } },
      now,
    );
    return { ok: true, version: now.getTime() };
  });
}

const touch = (tx: Tx, schemeId: number, now: Date) =>
  tx.update(rewardSchemes).set({ updatedAt: now }).where(eq(rewardSchemes.id, schemeId)).run();

export function addTier(
  db: Db,
  user: StaffUser,
  schemeId: number,
  input: z.infer<typeof tierInput>,
  now: Date,
): Result<{ id: number; version: number }> {
  const allowed = adminOnly(user);
  if (!allowed.ok) return allowed;
  return atomically(db, (tx) => {
    const r = schemeForWrite(tx, schemeId, input.version);
    if (!r.ok) return r;
    const problem = categoryProblem(tx, input.categoryId);
    if (problem) return fail(400, problem);
    const values = {
      schemeId,
      name: input.name,
      categoryId: input.categoryId ?? null,
      amountYuan: input.amountYuan,
      sort: input.sort ?? 0,
      active: input.active,
    };
    const { id } = tx.insert(rewardTiers).values(values).returning({ id: rewardTiers.id }).get();
    touch(tx, schemeId, now);
    audit(
      tx,
      actor(user),
      { action: 'reward_tier.create', objectType: 'reward_tier', objectId: id, details: values },
      now,
    );
    return { ok: true, id, version: now.getTime() };
  });
}

function tierForWrite(tx: Tx, id: number, read: number): Result<{ tier: TierRow; used: number }> {
  const tier = tx.select().from(rewardTiers).where(eq(rewardTiers.id, id)).get();
  if (!tier) return fail(404, '奖励档次不存在');
  const r = schemeForWrite(tx, tier.schemeId, read);
  if (!r.ok) return r;
  const used = tx.select({ n: count() }).from(rewards).where(eq(rewards.tierId, id)).get()!.n;
  return { ok: true, tier, used };
}

export function updateTier(
  db: Db,
  user: StaffUser,
  id: number,
  input: z.infer<typeof tierInput>,
  now: Date,
): Result<{ version: number }> {
  const allowed = adminOnly(user);
  if (!allowed.ok) return allowed;
  return atomically(db, (tx) => {
    const r = tierForWrite(tx, id, input.version);
    if (!r.ok) return r;
    const problem = categoryProblem(tx, input.categoryId);
    if (problem) return fail(400, problem);
    const set = {
      name: input.name,
      categoryId: input.categoryId ?? null,
      amountYuan: input.amountYuan,
      sort: input.sort ?? 0,
      active: input.active,
    };
    // What a reward was proposed under stays what the tier says: a new amount or category is a new tier.
    if (r.used > 0 && (set.amountYuan !== r.tier.amountYuan || set.categoryId !== r.tier.categoryId))
      return fail(409, '这个档次已用于奖励，金额和适用类别不能再改：请停用它，另设新档次');
    tx.update(rewardTiers).set(set).where(eq(rewardTiers.id, id)).run();
    touch(tx, r.tier.schemeId, now);
    const { id: _, schemeId: __, ...before } = r.tier;
    audit(
      tx,
      actor(user),
      { action: 'reward_tier.update', objectType: 'reward_tier', objectId: id, details: { before, after: set } },
      now,
    );
    return { ok: true, version: now.getTime() };
  });
}

/** Only a tier no reward ever named; one in use is deactivated instead. */
export function deleteTier(db: Db, user: StaffUser, id: number, read: number, now: Date): Result<{ version: number }> {
  const allowed = adminOnly(user);
  if (!allowed.ok) return allowed;
  return atomically(db, (tx) => {
    const r = tierForWrite(tx, id, read);
    if (!r.ok) return r;
    if (r.used > 0) return fail(409, '这个档次已用于奖励，不能删除，只能停用');
    tx.delete(rewardTiers).where(eq(rewardTiers.id, id)).run();
    touch(tx, r.tier.schemeId, now);
    audit(
      tx,
      actor(user),
      { action: 'reward_tier.delete', objectType: 'reward_tier', objectId: id, details: r.tier },
      now,
    );
    return { ok: true, version: now.getTime() };
  });
}

/** A tier with its scheme, for a proposal: both must be active, and the tier for this category or any. */
export function tierForProposal(
  tx: Tx,
  tierId: number,
  categoryId: number,
): Result<{ tier: TierRow; scheme: SchemeRow }> {
  const row = tx
    .select({ tier: rewardTiers, scheme: rewardSchemes })
    .from(rewardTiers)
    .innerJoin(rewardSchemes, eq(rewardSchemes.id, rewardTiers.schemeId))
    .where(eq(rewardTiers.id, tierId))
    .get();
  if (!row) return fail(400, '奖励档次不存在');
  if (!row.scheme.active) return fail(400, `奖励方案「${row.scheme.name}」已停用`);
  if (!row.tier.active) return fail(400, `奖励档次「${row.tier.name}」已停用`);
  if (row.tier.categoryId != null && row.tier.categoryId !== categoryId)
    return fail(400, `奖励档次「${row.tier.name}」不适用于这一类别的举报`);
  return { ok: true, ...row };
}
