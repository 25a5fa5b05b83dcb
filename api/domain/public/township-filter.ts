import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships } from '../../../db/schema.ts';

export interface PublicTownship {
  id: number;
  code: string;
  name: string;
}

/** The county's townships in its own order: what the public pages' township selector offers. */
export const publicTownships = (db: Pick<Db, 'select'>): PublicTownship[] =>
  db
    .select({ id: townships.id, code: townships.code, name: townships.name })
    .from(townships)
    .orderBy(asc(townships.sort), asc(townships.id))
    .all();

export type TownshipChoice = { ok: true; township: PublicTownship | null } | { ok: false; message: string };

/**
 * `?township=<code>` on the public pages and their JSON and feeds (decision 024): none (or empty) is the whole
 * county, an unknown code is refused in Chinese (400 on the APIs, a plain message on the pages).
 */
export function townshipChoice(db: Pick<Db, 'select'>, raw: string | null | undefined): TownshipChoice {
  if (raw == null || raw === '') return { ok: true, township: null };
  const known = /^[a-z0-9-]{1,40}$/.test(raw)
    ? db
        .select({ id: townships.id, code: townships.code, name: townships.name })
        .from(townships)
        .where(eq(townships.code, raw))
        .get()
    : undefined;
  return known
    ? { ok: true, township: known }
    : { ok: false, message: '没有这个乡镇（街道）：请从列表中选择，或去掉 township 参数查看全县' };
}
