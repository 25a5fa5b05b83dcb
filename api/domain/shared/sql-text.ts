import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

/**
 * `column` contains `text` literally: % and _ typed by a user are characters, not wildcards.
 * SQLite's LIKE has no escape character unless one is named, hence the ESCAPE clause.
 */
export const contains = (column: AnyColumn, text: string): SQL =>
  sql`${column} like ${`%${text.replace(/[%_\\]/g, (m) => `\\${m}`)}%`} escape '\\'`;
