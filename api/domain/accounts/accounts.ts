import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { departments, townships, users, villages, type Role } from '../../../db/schema.ts';
import { audit, type Actor } from './audit.ts';
import { dummyHash, hashPassword, oneTimePassword, passwordProblem, verifyPassword } from './passwords.ts';
import { endUserSessions, type StaffUser } from './sessions.ts';

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  triage: '整治办受理员',
  village: '村/社区负责人',
  department: '职能部门人员',
  leader: '领导小组（只读）',
};

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  villageId?: number | null;
  departmentId?: number | null;
  /** A triage or leader account's township; null or absent = the county. Others take it from their place. */
  townshipId?: number | null;
}

export type AccountResult<T> = { ok: true; value: T } | { ok: false; message: string };

function scopeProblem(a: { role: Role; villageId?: number | null; departmentId?: number | null }): string | null {
  if (a.role === 'village' && !a.villageId) return '村/社区负责人必须绑定一个村';
  if (a.role === 'department' && !a.departmentId) return '职能部门人员必须绑定一个部门';
  return null;
}

/**
 * The level an account works at: a village officer's is his village's township, a department officer's his
 * department's (null for a county department), an admin's the county; a triage or leader account's as chosen. A
 * township given that contradicts the village or department, or any township for an admin, is refused.
 */
function accountTownship(
  db: Db,
  input: Pick<NewAccount, 'role' | 'villageId' | 'departmentId' | 'townshipId'>,
): AccountResult<number | null> {
  const given = input.townshipId ?? null;
  const implied = (t: number | null, what: string): AccountResult<number | null> =>
    given === null || given === t
      ? { ok: true, value: t }
      : { ok: false, message: `所属乡镇（街道）与${what}所在的不一致：${what}决定账号的层级` };
  if (input.role === 'village') {
    const v = db.select({ t: villages.townshipId }).from(villages).where(eq(villages.id, input.villageId!)).get();
    return v ? implied(v.t, '所属村') : { ok: false, message: '所属村不存在' };
  }
  if (input.role === 'department') {
    const d = db
      .select({ t: departments.townshipId })
      .from(departments)
      .where(eq(departments.id, input.departmentId!))
      .get();
    return d ? implied(d.t, '所属部门') : { ok: false, message: '所属部门不存在' };
  }
  if (input.role === 'admin')
    return given === null
      ? { ok: true, value: null }
      : { ok: false, message: '系统管理员是县级账号，不能选所属乡镇（街道）' };
  if (given === null) return { ok: true, value: null };
  const t = db.select({ id: townships.id }).from(townships).where(eq(townships.id, given)).get();
  return t ? { ok: true, value: t.id } : { ok: false, message: '所属乡镇（街道）不存在' };
}

/** A new account with a one-time password, to be changed at first login. No default credentials. */
export async function createAccount(
  db: Db,
  actor: Actor,
  input: NewAccount,
  now = new Date(),
): Promise<AccountResult<{ id: number; oneTimePassword: string }>> {
  const problem = scopeProblem(input);
  if (problem) return { ok: false, message: problem };
  const township = accountTownship(db, input);
  if (!township.ok) return township;
  if (db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).get())
    return { ok: false, message: '用户名已存在' };
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  const id = db.transaction((tx) => {
    const row = tx
      .insert(users)
      .values({
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        townshipId: township.value,
        villageId: input.role === 'village' ? input.villageId! : null,
        departmentId: input.role === 'department' ? input.departmentId! : null,
        passwordHash,
        mustChangePassword: true,
        updatedAt: now,
      })
      .returning({ id: users.id })
      .get();
    audit(
      tx,
      actor,
      {
        action: 'user.create',
        objectType: 'user',
        objectId: row.id,
        details: { username: input.username, role: input.role, townshipId: township.value },
      },
      now,
    );
    return row.id;
  });
  return { ok: true, value: { id, oneTimePassword: password } };
}

/** Checks a login; the same answer for an unknown user, a wrong password and a disabled account. */
export async function checkLogin(db: Db, username: string, password: string): Promise<StaffUser | null> {
  const row = db.select().from(users).where(eq(users.username, username)).get();
  if (!row) {
    await verifyPassword(await dummyHash(), password);
    return null;
  }
  if (!(await verifyPassword(row.passwordHash, password)) || row.disabled) return null;
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    role: row.role,
    townshipId: row.townshipId,
    villageId: row.villageId,
    departmentId: row.departmentId,
    mustChangePassword: row.mustChangePassword,
  };
}

/**
 * A new password, proved by the current one, or by a login with the one-time password moments
 * ago (openedWithOneTimePassword in sessions.ts), when `current` is null.
 */
export async function changePassword(
  db: Db,
  user: StaffUser,
  current: string | null,
  next: string,
  now = new Date(),
): Promise<AccountResult<null>> {
  const row = db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, user.id)).get();
  if (!row) return { ok: false, message: '当前密码不正确' };
  if (current !== null && !(await verifyPassword(row.passwordHash, current)))
    return { ok: false, message: '当前密码不正确' };
  const problem = passwordProblem(next, user.username);
  if (problem) return { ok: false, message: problem };
  const same = current !== null ? current === next : await verifyPassword(row.passwordHash, next);
  if (same) return { ok: false, message: '新密码不能与当前密码相同' };
  const passwordHash = await hashPassword(next);
  db.transaction((tx) => {
    tx.update(users)
      .set({ passwordHash, mustChangePassword: false, updatedAt: now })
      .where(eq(users.id, user.id))
      .run();
    endUserSessions(tx, user.id);
    audit(
      tx,
      { id: user.id, label: user.displayName },
      { action: 'user.password_change', objectType: 'user', objectId: user.id },
      now,
    );
  });
  return { ok: true, value: null };
}

/** Role, scope or disabling: the user's sessions end at once. */
export function updateAccount(
  db: Db,
  actor: Actor,
  id: number,
  change: Partial<Pick<NewAccount, 'role' | 'villageId' | 'departmentId' | 'townshipId'>> & { disabled?: boolean },
  reason: string,
  now = new Date(),
): AccountResult<null> {
  const row = db.select().from(users).where(eq(users.id, id)).get();
  if (!row) return { ok: false, message: '用户不存在' };
  // Locking oneself out could leave the township without an administrator.
  if (actor.id === id && ((change.role && change.role !== row.role) || change.disabled))
    return { ok: false, message: '不能停用自己的账号或更改自己的角色，请由另一位管理员操作' };
  const next = {
    role: change.role ?? row.role,
    villageId: change.villageId !== undefined ? change.villageId : row.villageId,
    departmentId: change.departmentId !== undefined ? change.departmentId : row.departmentId,
    // A triage or leader account keeps its township unless told; a village or department officer's follows his place.
    townshipId:
      change.townshipId !== undefined
        ? change.townshipId
        : (change.role ?? row.role) === 'triage' || (change.role ?? row.role) === 'leader'
          ? row.townshipId
          : null,
  };
  const problem = scopeProblem(next);
  if (problem) return { ok: false, message: problem };
  const township = accountTownship(db, next);
  if (!township.ok) return township;
  db.transaction((tx) => {
    tx.update(users)
      .set({
        role: next.role,
        townshipId: township.value,
        villageId: next.role === 'village' ? next.villageId : null,
        departmentId: next.role === 'department' ? next.departmentId : null,
        disabled: change.disabled ?? row.disabled,
        updatedAt: now,
      })
      .where(eq(users.id, id))
      .run();
    endUserSessions(tx, id);
    audit(
      tx,
      actor,
      {
        action: 'user.update',
        objectType: 'user',
        objectId: id,
        reason,
        details: {
          before: {
            role: row.role,
            townshipId: row.townshipId,
            villageId: row.villageId,
            departmentId: row.departmentId,
            disabled: row.disabled,
          },
          after: { ...next, townshipId: township.value, disabled: change.disabled ?? row.disabled },
        },
      },
      now,
    );
  });
  return { ok: true, value: null };
}

/** A forgotten password: a new one-time password, the old sessions ended; never self-service. */
export async function resetPassword(
  db: Db,
  actor: Actor,
  id: number,
  reason: string,
  now = new Date(),
): Promise<AccountResult<{ oneTimePassword: string }>> {
  if (!db.select({ id: users.id }).from(users).where(eq(users.id, id)).get())
    return { ok: false, message: '用户不存在' };
  if (actor.id === id) return { ok: false, message: '请在“修改密码”页修改自己的密码' };
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  db.transaction((tx) => {
    tx.update(users).set({ passwordHash, mustChangePassword: true, updatedAt: now }).where(eq(users.id, id)).run();
    endUserSessions(tx, id);
    audit(tx, actor, { action: 'user.password_reset', objectType: 'user', objectId: id, reason }, now);
  });
  return { ok: true, value: { oneTimePassword: password } };
}

/** Every account as the admin's list shows it: never a password hash. */
export function listAccounts(db: Db) {
  return db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      townshipId: users.townshipId,
      villageId: users.villageId,
      departmentId: users.departmentId,
      disabled: users.disabled,
      mustChangePassword: users.mustChangePassword,
    })
    .from(users)
    .orderBy(asc(users.id))
    .all();
}
