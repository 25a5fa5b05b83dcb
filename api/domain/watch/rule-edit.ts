import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { watchRules, type WatchRule } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { ADMIN, hasRole } from '../shared/roles.ts';
import { decimal } from '../shared/text-input.ts';
import { paramsOf, RULE_LABELS, RULE_SCHEMAS } from './rule-params.ts';

/** The rules page's form: whether the rule runs, its numbers, and the version read (0: the defaults, never saved). */
export const ruleEditInput = z.object({
  version: decimal('版本号', { integer: true, min: 0, required: '缺少版本号，请刷新页面' }),
  enabled: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], {
    error: '请选择启用或停用',
  }),
  params: z.record(z.string(), z.unknown(), { error: '缺少规则参数' }),
});
export type RuleEditInput = z.infer<typeof ruleEditInput>;

/**
 * Saves a rule's numbers and whether it runs, for the next detection pass; audited with the numbers before and
 * after, so a change in a rule's confirmed share can be read against it. A stale version is 409.
 */
export function saveRule(
  db: Db,
  user: StaffUser,
  rule: WatchRule,
  input: RuleEditInput,
  now: Date,
): Result<{ version: number }> {
  if (!hasRole(user, ADMIN)) return fail(403, '只有系统管理员可以修改监测规则');
  const parsed = RULE_SCHEMAS[rule].safeParse(input.params);
  if (!parsed.success) return fail(400, parsed.error.issues[0]?.message ?? '规则参数有误');
  const params = parsed.data as Record<string, number>;
  return atomically(db, (tx) => {
    const stored = tx.select().from(watchRules).where(eq(watchRules.rule, rule)).get();
    const before = {
      enabled: stored?.enabled ?? true,
      params: paramsOf(rule, stored?.params),
      version: stored?.version ?? 0,
    };
    if (before.version !== input.version) return fail(409, '这条规则已被他人修改，请刷新后再改');
    const version = before.version + 1;
    const row = { enabled: input.enabled, params, version, updatedBy: user.id, updatedAt: now };
    if (!stored)
      tx.insert(watchRules)
        .values({ rule, ...row })
        .run();
    else tx.update(watchRules).set(row).where(eq(watchRules.rule, rule)).run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'watch_rule.update',
        objectType: 'watch_rule',
        objectId: rule,
        details: {
          label: RULE_LABELS[rule],
          before: { enabled: before.enabled, ...before.params },
          after: { enabled: input.enabled, ...params },
        },
      },
      now,
    );
    return { ok: true, version };
  });
}
