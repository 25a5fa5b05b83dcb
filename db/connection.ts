import Database from 'better-sqlite3';

/** A raw better-sqlite3 connection: what the write thread uses, without drizzle (decision 009). */
export type Connection = Database.Database;

/** Opens the SQLite file with the settings every connection needs for durable writes. */
export function openConnection(file: string): Connection {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit acknowledged to a resident survives power loss, not just a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}
