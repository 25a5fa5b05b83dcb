import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// The FTS5 table made by migration 0001, described for the query builder only. It stays out of
// schema.ts so that drizzle-kit never tries to create it as an ordinary table.
export const complaintsFts = sqliteTable('complaints_fts', {
  rowid: integer('rowid').notNull(),
  match: text('complaints_fts'),
});
