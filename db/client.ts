import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import * as base from './schema.ts';
import * as enforcement from './schema-enforcement.ts';
import * as publicSchema from './schema-public.ts';
import * as supervision from './schema-supervision.ts';
import * as reporter from './schema-reporter.ts';
import * as messages from './schema-messages.ts';
import * as watch from './schema-watch.ts';
import * as county from './schema-county.ts';
import { openConnection } from './connection.ts';

const schema = {
  ...base,
  ...enforcement,
  ...publicSchema,
  ...supervision,
  ...reporter,
  ...messages,
  ...watch,
  ...county,
};

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** The connection with drizzle over it, for everything but the write thread. */
export function openDatabase(file: string): Db {
  const db = drizzle({ client: openConnection(file), schema }) as Db;
  // Transactions take the write lock at BEGIN. A deferred one that reads first and then writes
  // fails at once with SQLITE_BUSY (busy_timeout cannot help: its snapshot is stale) whenever the
  // write thread committed in between; an immediate one waits its turn instead.
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn, config) => transaction(fn, { behavior: 'immediate', ...config })) as Db['transaction'];
  return db;
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder });
  // No PRAGMA optimize here: statistics taken of an empty database made FTS5's own inserts
  // degrade quadratically (measured: 50k rows 5 s, next 50k 36 s, next 115 s).
}

/** A transaction handle; services that compose take either, and nest as savepoints. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
