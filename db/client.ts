import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import * as base from './schema.ts';
import * as enforcement from './schema-enforcement.ts';
import * as publicSchema from './schema-public.ts';

const schema = { ...base, ...enforcement, ...publicSchema };

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens the SQLite file with the settings every connection needs for durable writes. */
export function openDatabase(file: string): Db {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit acknowledged to a resident survives power loss, not just a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return drizzle({ client: sqlite, schema }) as Db;
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder });
  // No PRAGMA optimize here: statistics taken of an empty database made FTS5's own inserts
  // degrade quadratically (measured: 50k rows 5 s, next 50k 36 s, next 115 s).
}

/** A transaction handle; services that compose take either, and nest as savepoints. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
