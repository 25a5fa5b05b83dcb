import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, townships, villages } from '../../../db/schema.ts';
import { fail, type Result } from './result.ts';
import type { AtLevel } from './township-scope.ts';

type Reader = Pick<Db | Tx, 'select'>;

/** Whether an account may act in the township: a township account in its own, a county account in any. */
export const actsIn = (user: AtLevel, townshipId: number | null | undefined): townshipId is number =>
  townshipId != null && (user.townshipId == null || user.townshipId === townshipId);

/**
 * The township an action takes place in (an import, a plan, a draw): a township account's own, whatever it sent;
 * a county account's choice, which must exist. `field` names the form field in the refusal.
 */
export function workingTownship(
  db: Reader,
  user: AtLevel,
  chosen: number | null | undefined,
  field = '乡镇（街道）',
): Result<{ townshipId: number }> {
  if (user.townshipId != null) {
    if (chosen != null && chosen !== user.townshipId) return fail(403, `${field}：只能在本乡镇（街道）办理`);
    return { ok: true, townshipId: user.townshipId };
  }
  if (chosen == null) return fail(400, `请选择${field}`);
  const t = db.select({ id: townships.id }).from(townships).where(eq(townships.id, chosen)).get();
  return t ? { ok: true, townshipId: t.id } : fail(400, `${field}不存在`);
}

/** A village the account may work in, with its township; null when it does not exist or lies elsewhere. */
export function villageOfActor(db: Reader, user: AtLevel, villageId: number) {
  const v = db
    .select({ id: villages.id, townshipId: villages.townshipId })
    .from(villages)
    .where(eq(villages.id, villageId))
    .get();
  return v && actsIn(user, v.townshipId) ? v : null;
}

/** Whether a department may join work in the township: a county department anywhere, a 站所 in its own only. */
export function departmentServes(db: Reader, departmentId: number, townshipId: number): boolean {
  const d = db
    .select({ townshipId: departments.townshipId })
    .from(departments)
    .where(eq(departments.id, departmentId))
    .get();
  return !!d && (d.townshipId == null || d.townshipId === townshipId);
}

/** Townships for a county account's choices and filters; a township account's own only. */
export const townshipChoices = (db: Reader, user: AtLevel) =>
  db
    .select({ id: townships.id, code: townships.code, name: townships.name })
    .from(townships)
    .where(user.townshipId == null ? undefined : eq(townships.id, user.townshipId))
    .orderBy(townships.sort, townships.id)
    .all();

/**
 * The township a page or list of one township's data shows (亩产效益, 出租方, registers): a township account's own;
 * a county account's choice, else the first. Null only when the choice is not a township it may see.
 */
export function viewedTownship(db: Reader, user: AtLevel, chosen: number | null | undefined) {
  if (user.townshipId != null && chosen != null && chosen !== user.townshipId) return null;
  const id = user.townshipId ?? chosen;
  return (
    db
      .select({ id: townships.id, name: townships.name })
      .from(townships)
      .where(id == null ? undefined : eq(townships.id, id))
      .orderBy(townships.sort, townships.id)
      .get() ?? null
  );
}

/** The county's first township (by its order): it holds a report with no point until the office places it. */
export const firstTownshipId = (db: Reader): number | undefined =>
  db.select({ id: townships.id }).from(townships).orderBy(townships.sort, townships.id).limit(1).get()?.id;
