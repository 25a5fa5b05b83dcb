import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { sessions, users, type Role } from '../../../db/schema.ts';

export const SESSION_COOKIE = 'sid';

export interface SessionConfig {
  idleMs: number;
  absoluteMs: number;
}

export interface StaffUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Null for a county account (sees every township); see users.townshipId. */
  townshipId: number | null;
  villageId: number | null;
  departmentId: number | null;
  mustChangePassword: boolean;
}

/** What decides the rows an account may see: its role and its township, village or department. */
export type StaffScope = Pick<StaffUser, 'role' | 'townshipId' | 'villageId' | 'departmentId'>;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new random token; only its hash is stored. */
export function createSession(
  db: Db,
  userId: number,
  now: Date,
  cfg: SessionConfig,
): { token: string; expiresAt: Date } {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + cfg.absoluteMs);
  db.insert(sessions)
    .values({ id: hashToken(token), userId, createdAt: now, lastSeenAt: now, expiresAt })
    .run();
  return { token, expiresAt };
}

const staffColumns = {
  id: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  townshipId: users.townshipId,
  villageId: users.villageId,
  departmentId: users.departmentId,
  mustChangePassword: users.mustChangePassword,
};

/** A staff member acting without a browser (the demo seed, scripts, tests), as a session would see him. */
export function staffByUsername(db: Db, username: string): StaffUser | null {
  return db.select(staffColumns).from(users).where(eq(users.username, username)).get() ?? null;
}

/** The user behind a cookie, or null when the session is unknown, idle too long, too old, or the user disabled. */
export function validateSession(
  db: Db,
  token: string | undefined,
  now: Date,
  cfg: SessionConfig,
): { user: StaffUser; sessionId: string } | null {
  if (!token || token.length > 100) return null;
  const id = hashToken(token);
  const row = db
    .select({
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      disabled: users.disabled,
      ...staffColumns,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
    .get();
  if (!row) return null;
  const t = now.getTime();
  if (row.disabled || t >= row.expiresAt.getTime() || t - row.lastSeenAt.getTime() >= cfg.idleMs) {
    db.delete(sessions).where(eq(sessions.id, id)).run();
    return null;
  }
  // Touch at most once a minute: a page load should not always be a write.
  if (t - row.lastSeenAt.getTime() > 60_000)
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)).run();
  const { lastSeenAt: _l, expiresAt: _e, disabled: _d, ...user } = row;
  return { user, sessionId: id };
}

/** How long after logging in with a one-time password the password form takes that login as proof of it. */
export const ONE_TIME_LOGIN_PROOF_MS = 30 * 60_000;

/**
 * Whether this session was opened moments ago by typing the account's one-time password, so that
 * the password form need not ask for it again; nothing of the password is kept. It is read from
 * the session itself: an account that must still change its password has only sessions opened by
 * logging in with that password (only a login opens one, and a reset ends them all), and a young
 * one was opened just now.
 */
export function openedWithOneTimePassword(db: Db, token: string | undefined, now: Date): boolean {
  if (!token || token.length > 100) return false;
  const row = db
    .select({ createdAt: sessions.createdAt, must: users.mustChangePassword })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, hashToken(token)))
    .get();
  return !!row?.must && now.getTime() - row.createdAt.getTime() < ONE_TIME_LOGIN_PROOF_MS;
}

export function endSession(db: Db, token: string): void {
  db.delete(sessions)
    .where(eq(sessions.id, hashToken(token)))
    .run();
}

/** Logout everywhere: password change, role change, disabling. */
export function endUserSessions(db: Pick<Db, 'delete'>, userId: number): void {
  db.delete(sessions).where(eq(sessions.userId, userId)).run();
}
