import type { Statement } from 'better-sqlite3';
import type { Db } from './client.ts';

const cache = new WeakMap<Db['$client'], Map<string, Statement>>();

/** Hand-written SQL prepared once per connection (preparing costs more than running, here). */
export function prepared(db: Db, sql: string): Statement {
  let byText = cache.get(db.$client);
  if (!byText) cache.set(db.$client, (byText = new Map()));
  let stmt = byText.get(sql);
  if (!stmt) byText.set(sql, (stmt = db.$client.prepare(sql)));
  return stmt;
}
