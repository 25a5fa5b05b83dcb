import { z } from 'zod';
import { currentPeriod, parsePeriod, periodParam, type AssessmentPeriod } from '../../api/domain/assessment/periods.ts';
import { defaultLevel } from '../../api/domain/assessment/scope.ts';
import type { StaffScope } from '../../api/domain/accounts/sessions.ts';
import { ASSESSED_LEVELS, type AssessedLevel } from '../../db/schema-county.ts';

const query = z.object({
  level: z.enum(ASSESSED_LEVELS, { error: '考核对象无效' }).optional(),
  period: periodParam,
});

/** The assessment pages' ?level=&period=: a bad value is said in Chinese and the defaults are shown instead. */
export function assessmentQuery(
  url: URL,
  user: StaffScope,
  now: Date,
): { level: AssessedLevel; period: AssessmentPeriod; error: string | null } {
  const parsed = query.safeParse({
    level: url.searchParams.get('level') || undefined,
    period: url.searchParams.get('period') || undefined,
  });
  const q = parsed.success ? parsed.data : {};
  return {
    level: q.level ?? defaultLevel(user),
    period: q.period ? parsePeriod(q.period)! : currentPeriod(now),
    error: parsed.success ? null : (parsed.error.issues[0]?.message ?? '查询条件有误'),
  };
}

/** The levels an account may pick: the county all three, a township its villages, 站所 and own card. */
export const levelsFor = (user: StaffScope): AssessedLevel[] =>
  user.role === 'department'
    ? ['department']
    : user.townshipId == null
      ? [...ASSESSED_LEVELS]
      : ['village', 'township', 'department'];
