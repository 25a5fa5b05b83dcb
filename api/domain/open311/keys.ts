import { createHash, randomBytes } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { users } from '../../../db/schema.ts';
import { apiKeys, apiSubmissions } from '../../../db/schema-public.ts';
import { audit, type Actor } from '../accounts/audit.ts';
import { fail, type Result } from '../shared/result.ts';
import { freeText } from '../shared/text-input.ts';

const PREFIX_LENGTH = 8;

export const keyName = z.object({
  name: freeText('使用方名称', {
    min: 2,
    max: 60,
    required: '请填写使用方名称',
    tooShort: '请填写使用方名称（至少 2 个字）',
  }),
});
export const revokeInput = z.object({
  reason: freeText('吊销理由', { min: 2, max: 200, required: '请填写吊销理由', tooShort: '请填写吊销理由' }),
});

const hashOf = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  submissions: number;
}

/** Every key, newest first; the key itself is never stored, only its hash and first characters. */
export function listApiKeys(db: Db): ApiKeyRow[] {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      createdBy: users.displayName,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
      submissions: sql<number>`(select count(*) from ${apiSubmissions} where ${apiSubmissions.apiKeyId} =
        ${apiKeys.id})`,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .orderBy(desc(apiKeys.id))
    .all();
}

/** A new random key (32 bytes, base64url): returned this once, then only its SHA-256 is kept. */
export function issueApiKey(
  db: Db,
  actor: Actor & { id: number },
  name: string,
  now: Date,
): { id: number; name: string; prefix: string; key: string } {
  const key = randomBytes(32).toString('base64url');
  const prefix = key.slice(0, PREFIX_LENGTH);
  const id = db.transaction((tx) => {
    const row = tx
      .insert(apiKeys)
      .values({ name, prefix, keyHash: hashOf(key).toString('hex'), createdBy: actor.id, createdAt: now })
      .returning({ id: apiKeys.id })
      .get();
    audit(
      tx,
      actor,
      { action: 'api_key.issue', objectType: 'api_key', objectId: row.id, details: { name, prefix } },
      now,
    );
    return row.id;
  });
  return { id, name, prefix, key };
}

export function revokeApiKey(
  db: Db,
  actor: Actor & { id: number },
  id: number,
  reason: string,
  now: Date,
): Result<{ id: number }> {
  return db.transaction((tx) => {
    const row = tx
      .select({ revokedAt: apiKeys.revokedAt, name: apiKeys.name, prefix: apiKeys.prefix })
      .from(apiKeys)
      .where(eq(apiKeys.id, id))
      .get();
    if (!row) return fail(404, '接口密钥不存在');
    if (row.revokedAt) return fail(409, '该接口密钥已吊销');
    tx.update(apiKeys).set({ revokedAt: now, revokedBy: actor.id }).where(eq(apiKeys.id, id)).run();
    audit(
      tx,
      actor,
      {
        action: 'api_key.revoke',
        objectType: 'api_key',
        objectId: id,
        reason,
        details: { name: row.name, prefix: row.prefix },
      },
      now,
    );
    return { ok: true as const, id };
  });
}

export type KeyCheck =
  | { ok: true; id: number; name: string }
  | { ok: false; reason: 'missing' | 'invalid' | 'revoked' };

/** Finds a key by its hash: the index serves the lookup, and a match on the hash is the comparison. */
export function verifyApiKey(db: Db, key: string | undefined | null): KeyCheck {
  if (!key) return { ok: false, reason: 'missing' };
  if (key.length > 200) return { ok: false, reason: 'invalid' };
  const hash = hashOf(key);
  const row = db
    .select({ id: apiKeys.id, name: apiKeys.name, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash.toString('hex')))
    .get();
  if (!row) return { ok: false, reason: 'invalid' };
  if (row.revokedAt) return { ok: false, reason: 'revoked' };
  return { ok: true, id: row.id, name: row.name };
}
