import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { fieldSubmissions } from '../../../db/schema-supervision.ts';
import { atomically, fail, type Result } from './result.ts';

// What the phone sends with a field-work save besides the form itself (decision 017): an idempotency key, and for
// each photo the hash, time and position it recorded when the photo was taken into the app.

/** Header `Idempotency-Key`: the offline queue's UUID for one piece of work, the same on every retry. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{16,100}$/;
export const BAD_IDEMPOTENCY_KEY = 'Idempotency-Key 格式无效';
export const KEY_USED_ELSEWHERE = 'Idempotency-Key 已用于另一项提交，请勿重复使用';

const range = (label: string) => ({ error: `${label}超出范围` });
// A phone's clock may be wrong (that is what the clock offset shows), but not before 2000 or after 2100.
const phoneTime = (label: string) =>
  z
    .number({ error: `${label}应为毫秒数` })
    .min(Date.UTC(2000, 0, 1), range(label))
    .max(Date.UTC(2100, 0, 1), range(label))
    .transform(Math.round);
const absent = <S extends z.ZodType>(s: S) => s.nullish().transform((v) => v ?? undefined);

/** One photo's `photoMeta`: what the phone recorded when the photo was taken or chosen in the app. */
export const photoMetaInput = z
  .object(
    {
      sha256: z
        .string({ error: '缺少校验值（sha256）' })
        .regex(/^[0-9a-f]{64}$/, { error: '校验值（sha256）应为 64 位小写十六进制' }),
      takenAt: absent(phoneTime('拍摄时间（takenAt）')),
      lat: absent(
        z.number({ error: '纬度（lat）应为数字' }).min(-90, range('纬度（lat）')).max(90, range('纬度（lat）')),
      ),
      lng: absent(
        z.number({ error: '经度（lng）应为数字' }).min(-180, range('经度（lng）')).max(180, range('经度（lng）')),
      ),
      accuracy: absent(
        z
          .number({ error: '定位精度（accuracy）应为数字' })
          .min(0, range('定位精度（accuracy）'))
          .max(100_000, range('定位精度（accuracy）')),
      ),
    },
    { error: '应为一个 JSON 对象' },
  )
  .refine((m) => (m.lat === undefined) === (m.lng === undefined), {
    error: '纬度（lat）和经度（lng）须同时提供',
    path: ['lat'],
  });
export type PhotoMeta = z.output<typeof photoMetaInput>;

export const photoMetaCountProblem = (photos: number, meta: number) =>
  `照片校验信息（photoMeta）应与照片一一对应：收到 ${photos} 张照片、${meta} 条校验信息`;

/** Multipart field `sentAt`: the phone's clock when it sent this request. */
export const sentAtInput = z.coerce
  .number({ error: '发送时间（sentAt）应为毫秒数' })
  .pipe(phoneTime('发送时间（sentAt）'));

/** What came with the form: all optional (an older page sends none of it). */
export interface FieldSubmission {
  key?: string | undefined;
  /** One per photo, in the photos' order. */
  photoMeta?: PhotoMeta[] | undefined;
  sentAt?: number | undefined;
  /** When the server got the request, by its own clock. */
  receivedAt?: Date | undefined;
}

/** A save made at most once per user and key; `scope` names the save, so a key reused for another is refused. */
export interface Once {
  userId: number;
  key: string;
  scope: string;
  at: Date;
}

/** A field-work save as the domain runs it: its key (if sent) and when the server got it. */
export interface Submitted extends FieldSubmission {
  once: Once | null;
  receivedAt: Date;
}

export function submitted(user: { id: number }, sent: FieldSubmission | undefined, scope: string, now: Date) {
  const receivedAt = sent?.receivedAt ?? now;
  const once = sent?.key ? { userId: user.id, key: sent.key, scope, at: receivedAt } : null;
  return { ...sent, once, receivedAt } satisfies Submitted;
}

interface Stored {
  scope: string;
  answer: unknown;
}

function storedAnswer<T extends object>(db: Db | Tx, once: Once): Result<T> | null {
  const row = db
    .select({ result: fieldSubmissions.result })
    .from(fieldSubmissions)
    .where(and(eq(fieldSubmissions.userId, once.userId), eq(fieldSubmissions.clientKey, once.key)))
    .get();
  if (!row) return null;
  const stored = row.result as Stored;
  return stored.scope === once.scope ? (stored.answer as Result<T>) : fail(409, KEY_USED_ELSEWHERE);
}

/** The first answer given to this key, if there was one: asked before any work (photos) is done. */
export const answeredBefore = <T extends object>(db: Db | Tx, once: Once | null): Result<T> | null =>
  once ? storedAnswer<T>(db, once) : null;

const isKeyClash = (err: unknown): boolean => {
  const e = err as { code?: unknown; cause?: unknown } | null;
  return !!e && (e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || isKeyClash(e.cause));
};

/**
 * Runs `save` in one transaction, unless this key was answered before: then its stored answer, and nothing is
 * saved (`fresh` false). A success is stored with the key in the same transaction; a refusal is not stored (it
 * saved nothing). Two requests racing with one key: the second finds the first's row, or fails on its primary key
 * and reads it; either way it gets the first's answer.
 */
export function saveOnce<T extends object>(
  db: Db,
  once: Once | null,
  save: (tx: Tx) => Result<T>,
): { result: Result<T>; fresh: boolean } {
  if (!once) return { result: atomically(db, save), fresh: true };
  try {
    return db.transaction((tx) => {
      const before = storedAnswer<T>(tx, once);
      if (before) return { result: before, fresh: false };
      const result = atomically(tx, save);
      if (result.ok)
        tx.insert(fieldSubmissions)
          .values({
            userId: once.userId,
            clientKey: once.key,
            result: { scope: once.scope, answer: result } satisfies Stored,
            createdAt: once.at,
          })
          .run();
      return { result, fresh: true };
    });
  } catch (err) {
    const first = isKeyClash(err) ? storedAnswer<T>(db, once) : null;
    if (first) return { result: first, fresh: false };
    throw err;
  }
}
