import { and, asc, desc, eq, inArray, isNull, ne, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, users, villages } from '../../../db/schema.ts';
import { patrolParticipants } from '../../../db/schema-supervision.ts';
import { ROLE_LABELS } from '../accounts/accounts.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { fail } from '../shared/result.ts';

type Refusal = ReturnType<typeof fail>;
import { recordId } from '../shared/text-input.ts';

export const MAX_PARTICIPANTS = 20;

/** Staff accounts by id: a JSON list, or a form's one field of ids separated by commas. */
export const participantIds = z
  .union([z.array(z.union([z.string(), z.number()])).max(100), z.string().max(2000)], {
    error: '请选择参加人员（至少两人）',
  })
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\s,，]+/).filter(Boolean)))
  .pipe(z.array(recordId('参加人员')))
  .transform((ids) => [...new Set(ids)])
  .pipe(
    z
      .array(z.number())
      .min(2, { error: '夜查至少两人参加：请在参加人员中选择至少两个账号' })
      .max(MAX_PARTICIPANTS, { error: `参加人员最多 ${MAX_PARTICIPANTS} 人` }),
  );

/**
 * Each id an active account that may join a patrol of this village and township: the county's and the township's
 * accounts and that village's own officers (of a township-wide patrol: any of the township's).
 */
export function participantsProblem(
  db: Db | Tx,
  ids: number[],
  villageId: number | null,
  townshipId: number | null,
): Refusal | null {
  const found = db
    .select({
      id: users.id,
      disabled: users.disabled,
      role: users.role,
      villageId: users.villageId,
      townshipId: users.townshipId,
    })
    .from(users)
    .where(inArray(users.id, ids))
    .all();
  if (found.length < ids.length || found.some((u) => u.disabled))
    return fail(400, '参加人员中有账号不存在或已停用，请重新选择');
  if (villageId !== null && found.some((u) => u.role === 'village' && u.villageId !== villageId))
    return fail(400, '参加人员只能是镇级账号或本村（社区）的账号');
  if (townshipId !== null && found.some((u) => u.townshipId !== null && u.townshipId !== townshipId))
    return fail(400, '参加人员：有账号属于其他乡镇（街道），只能选择县级或本乡镇（街道）的账号');
  return null;
}

export function insertParticipants(tx: Tx, patrolId: number, ids: number[]) {
  tx.insert(patrolParticipants)
    .values(ids.map((userId) => ({ patrolId, userId })))
    .run();
}

/** The accounts of some patrols, by patrol, in the order of their ids. */
export function participantsOf(db: Db, patrolIds: number[]): Map<number, { id: number; name: string }[]> {
  const out = new Map<number, { id: number; name: string }[]>();
  if (!patrolIds.length) return out;
  const rows = db
    .select({ patrolId: patrolParticipants.patrolId, id: users.id, name: users.displayName })
    .from(patrolParticipants)
    .innerJoin(users, eq(users.id, patrolParticipants.userId))
    .where(inArray(patrolParticipants.patrolId, patrolIds))
    .orderBy(asc(users.id))
    .all();
  for (const { patrolId, ...who } of rows) out.set(patrolId, [...(out.get(patrolId) ?? []), who]);
  return out;
}

/**
 * The accounts the patrol form offers: active, and for a village officer only the township's and his own village's
 * (the office may choose any; the server checks them against the patrol's village).
 */
export function participantOptions(db: Db, user: Pick<StaffUser, 'role' | 'villageId' | 'townshipId'>) {
  return db
    .select({
      id: users.id,
      name: users.displayName,
      role: users.role,
      villageId: users.villageId,
      villageName: villages.name,
      departmentName: departments.name,
    })
    .from(users)
    .leftJoin(villages, eq(villages.id, users.villageId))
    .leftJoin(departments, eq(departments.id, users.departmentId))
    .where(
      and(
        eq(users.disabled, false),
        user.townshipId == null ? undefined : or(isNull(users.townshipId), eq(users.townshipId, user.townshipId)),
        user.role === 'village' ? or(ne(users.role, 'village'), eq(users.villageId, user.villageId ?? -1)) : undefined,
      ),
    )
    .orderBy(desc(isNull(users.villageId)), asc(users.villageId), asc(users.role), asc(users.displayName))
    .all()
    .map((u) => ({
      id: u.id,
      name: u.name,
      villageId: u.villageId,
      // Where the account belongs: its village, department or office role.
      group: u.villageName ?? (u.role === 'village' ? '村（社区）' : '镇级'),
      detail: u.departmentName ?? u.villageName ?? ROLE_LABELS[u.role],
    }));
}
