import { and, eq, exists, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { enterprises, revisits } from '../../../db/schema-enforcement.ts';
import { meters, powerFlags } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import { notify } from '../accounts/notifications.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { enterpriseFields } from '../enforcement/enterprise-input.ts';
import { insertEnterprise } from '../enforcement/enterprises.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { isOffice } from '../shared/roles.ts';
import { beijingDate, DAY_MS, endOfBeijingDay } from '../shared/time.ts';
import { flagScope } from './flags.ts';
import {
  DEFAULT_REVISIT_DAYS,
  FLAG_ACTION_LABELS,
  FLAG_STATUS_LABELS,
  type FlagActionInput,
  MAX_REVISIT_DAYS,
  nextFlagStatus,
} from './flag-workflow.ts';
import { RULE_LABELS } from './rule-params.ts';

type Decided = { status: 'confirmed' | 'dismissed'; revisitId: number | null; enterpriseId: number | null };
type Flag = typeof powerFlags.$inferSelect;

/** The name a meter's suspect file gets when a flag on a meter without a file is confirmed. */
export const suspectFileName = (accountNo: string) => `疑似作坊（户号 ${accountNo}）`;

/**
 * Confirms a flag (a 回头看 for the village with a deadline, the village officer told; or the file's 回头看 already
 * scheduled) or dismisses it with a reason, in one transaction, audited. A stale version or a flag already decided
 * is 409.
 */
export function decideFlag(db: Db, user: StaffUser, id: number, input: FlagActionInput, now: Date): Result<Decided> {
  if (!isOffice(user)) return fail(403, `只有整治办可以${FLAG_ACTION_LABELS[input.action]}`);
  const scope = flagScope(user);
  return atomically(db, (tx) => {
    const flag = tx
      .select()
      .from(powerFlags)
      .where(and(eq(powerFlags.id, id), scope))
      .get();
    if (!flag) return fail(404, '用电监测标记不存在或无权查看');
    if (flag.version !== input.version) return fail(409, '这条标记已被他人处理或已更新，请刷新后再操作');
    const to = nextFlagStatus(input.action, flag.status);
    if (!to) return fail(409, `这条标记${FLAG_STATUS_LABELS[flag.status]}，不能再${FLAG_ACTION_LABELS[input.action]}`);
    let decided: Decided = { status: 'dismissed', revisitId: null, enterpriseId: flag.enterpriseId };
    if (input.action === 'confirm') {
      const opened = openRevisit(tx, user, flag, input.dueOn, now);
      if (!opened.ok) return opened;
      decided = { status: 'confirmed', revisitId: opened.revisitId, enterpriseId: opened.enterpriseId };
    }
    const reason = input.action === 'dismiss' ? input.reason : (input.note ?? null);
    const r = tx
      .update(powerFlags)
      .set({
        status: decided.status,
        reason,
        revisitId: decided.revisitId,
        enterpriseId: decided.enterpriseId,
        decidedBy: user.id,
        decidedAt: now,
        version: flag.version + 1,
      })
      .where(and(eq(powerFlags.id, id), eq(powerFlags.version, flag.version)))
      .run();
    if (r.changes !== 1) return fail(409, '这条标记已被他人处理或已更新，请刷新后再操作');
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: `power_flag.${input.action}`,
        objectType: 'power_flag',
        objectId: id,
        reason,
        details: {
          rule: flag.rule,
          meterId: flag.meterId,
          revisitId: decided.revisitId,
          enterpriseId: decided.enterpriseId,
        },
      },
      now,
    );
    return { ok: true, ...decided };
  });
}

/** The deadline as the end of its Beijing day: today or later, and not past MAX_REVISIT_DAYS. */
function deadline(dueOn: string | undefined, now: Date): Result<{ dueAt: Date; dueOn: string }> {
  const today = beijingDate(now);
  const latest = beijingDate(new Date(now.getTime() + MAX_REVISIT_DAYS * DAY_MS));
  const day = dueOn ?? beijingDate(new Date(now.getTime() + DEFAULT_REVISIT_DAYS * DAY_MS));
  if (day < today) return fail(400, '回头看期限不能早于今天');
  if (day > latest) return fail(400, `回头看期限不能晚于 ${MAX_REVISIT_DAYS} 天后（${latest}）`);
  return { ok: true, dueAt: endOfBeijingDay(day), dueOn: day };
}

/** The 回头看 a confirmation opens: on the flag's file, or on a suspect file made first for a meter without one. */
function openRevisit(tx: Tx, user: StaffUser, flag: Flag, dueOn: string | undefined, now: Date) {
  const due = deadline(dueOn, now);
  if (!due.ok) return due;
  const meter = tx.select().from(meters).where(eq(meters.id, flag.meterId)).get()!;
  const file = fileOf(tx, user, flag, meter, now);
  if (!file.ok) return file;
  const ent = tx
    .select({ id: enterprises.id, name: enterprises.name, villageId: enterprises.villageId })
    .from(enterprises)
    .where(and(eq(enterprises.id, file.id), eq(enterprises.townshipId, flag.townshipId)))
    .get();
  // The file moved to another township since: its office, not this one, sends the village.
  if (!ent) return fail(409, '企业档案已不在该标记所在的乡镇（街道），不能从这里安排回头看');
  // Another flag of the file (the foundry's cut, jump and night use) already sent the village: one visit checks all.
  // Only a visit a flag opened: the routine ones an acceptance scheduled may be months away, or already overdue.
  const scheduled = tx
    .select({ id: revisits.id })
    .from(revisits)
    .where(
      and(
        eq(revisits.enterpriseId, ent.id),
        eq(revisits.status, 'scheduled'),
        exists(tx.select({ one: sql`1` }).from(powerFlags).where(eq(powerFlags.revisitId, revisits.id))),
      ),
    )
    .get();
  if (scheduled) return { ok: true as const, revisitId: scheduled.id, enterpriseId: ent.id };
  const visit = tx
    .insert(revisits)
    .values({ enterpriseId: ent.id, villageId: ent.villageId, dueAt: due.dueAt, createdAt: now })
    .returning({ id: revisits.id })
    .get();
  notify(
    tx,
    { villageId: ent.villageId },
    {
      kind: 'assigned',
      text: `新的回头看：${ent.name}，请于 ${due.dueOn} 前到现场查看并记录`,
      link: '/admin/revisits',
      dedupeKey: `power-flag:${flag.id}`,
    },
    now,
  );
  return { ok: true as const, revisitId: visit.id, enterpriseId: ent.id };
}

/** The flag's file, else the meter's, else a new suspect file in the meter's village linked to the meter. */
function fileOf(
  tx: Tx,
  user: StaffUser,
  flag: Flag,
  meter: typeof meters.$inferSelect,
  now: Date,
): Result<{ id: number }> {
  const known = flag.enterpriseId ?? meter.enterpriseId;
  if (known) return { ok: true, id: known };
  const name = suspectFileName(meter.accountNo);
  const existing = tx
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(and(eq(enterprises.villageId, meter.villageId), eq(enterprises.name, name)))
    .get();
  const made = existing
    ? { ok: true as const, id: existing.id }
    : insertEnterprise(
        tx,
        user,
        enterpriseFields.parse({
          name,
          villageId: meter.villageId,
          // Within the file's own limit, whatever the meter list once stored.
          address: meter.address.slice(0, 200),
          lat: meter.lat,
          lng: meter.lng,
          // 第四类: newly found, never on the list.
          revisitType: 4,
          remediationReason: `用电监测：${RULE_LABELS[flag.rule]}（标记 #${flag.id}），待回头看核实`,
        }),
        [],
        now,
        'power_flag',
      );
  if (!made.ok) return made;
  tx.update(meters)
    .set({ enterpriseId: made.id, version: meter.version + 1, updatedBy: user.id, updatedAt: now })
    .where(eq(meters.id, meter.id))
    .run();
  return made;
}
