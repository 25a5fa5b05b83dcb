import { count, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { powerFlags, WATCH_RULES, type WatchRule } from '../../../db/schema-watch.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { flagScope } from './flags.ts';

export interface RuleStats {
  rule: WatchRule;
  open: number;
  confirmed: number;
  dismissed: number;
  /** Confirmed among the decided (0–1); null before any decision. What the county tunes each rule by. */
  confirmedShare: number | null;
}

/** Per rule: its flags by status and the share of decided ones staff confirmed. Every rule, even without flags. */
export function ruleStats(db: Db, user: Pick<StaffUser, 'role' | 'townshipId'>): RuleStats[] {
  const rows = db
    .select({
      rule: powerFlags.rule,
      open: sql<number>`sum(${powerFlags.status} = 'open')`,
      confirmed: sql<number>`sum(${powerFlags.status} = 'confirmed')`,
      dismissed: sql<number>`sum(${powerFlags.status} = 'dismissed')`,
      n: count(),
    })
    .from(powerFlags)
    .where(flagScope(user))
    .groupBy(powerFlags.rule)
    .all();
  const byRule = new Map(rows.map((r) => [r.rule, r]));
  return WATCH_RULES.map((rule) => {
    const r = byRule.get(rule);
    const open = r?.open ?? 0,
      confirmed = r?.confirmed ?? 0,
      dismissed = r?.dismissed ?? 0;
    const decided = confirmed + dismissed;
    return { rule, open, confirmed, dismissed, confirmedShare: decided ? confirmed / decided : null };
  });
}

/** "3 / 4（75%）": confirmed of decided, as the pages print it. */
export const shareText = (s: RuleStats) =>
  s.confirmedShare === null
    ? '尚无已处理的标记'
    : `${s.confirmed} / ${s.confirmed + s.dismissed}（${Math.round(s.confirmedShare * 100)}%）`;
