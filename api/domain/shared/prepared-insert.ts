import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../../db/client.ts';

/**
 * One INSERT prepared once and run per row, for bulk writes: drizzle's builder prepares a fresh
 * statement each call, which for an import of 10,000 lines was most of its time. Values go
 * through drizzle's own column mappers (booleans, JSON, timestamps), so rows read back the same.
 * Run it inside the caller's transaction: the statement shares the connection.
 */
export function preparedInsert<T extends SQLiteTable>(
  db: Db,
  table: T,
  keys: readonly (keyof T['$inferInsert'] & string)[],
) {
  const columns = getTableColumns(table);
  const cols = keys.map((k) => columns[k]!);
  const stmt = db.$client.prepare(
    `INSERT INTO "${getTableName(table)}" (${cols.map((c) => `"${c.name}"`).join(', ')}) VALUES
      (${cols.map(() => '?').join(', ')})`,
  );
  return (row: T['$inferInsert']): number => {
    const values = cols.map((c, i) => {
      const v = (row as Record<string, unknown>)[keys[i]!];
      return v == null ? null : c.mapToDriverValue(v);
    });
    return Number(stmt.run(values).lastInsertRowid);
  };
}
