import type { Statement } from 'better-sqlite3';
import type { Connection } from './connection.ts';

const cache = new WeakMap<Connection, Map<string, Statement>>();

/** Hand-written SQL prepared once per connection (preparing costs more than running, here). */
export function prepared(conn: Connection, sql: string): Statement {
  let byText = cache.get(conn);
  if (!byText) cache.set(conn, (byText = new Map()));
  let stmt = byText.get(sql);
  if (!stmt) byText.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}
