import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { seedDemo, type DemoAccount } from '../../api/seed/demo.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory with a migrated, demo-seeded database and its accounts, made once per run (global-setup.ts). */
    dbTemplate: string;
  }
}

// The file createContext opens in its data directory.
const DB_FILE = 'portal.sqlite';
const ACCOUNTS_FILE = 'accounts.json';

/**
 * Migrates and seeds (no samples) a database in dir, as every test file's starts, and stores the demo accounts beside
 * it.
 */
export async function buildDbTemplate(dir: string): Promise<void> {
  const ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
  const accounts = await seedDemo(ctx, { samples: false });
  // Everything into the main file, so that copying that one file copies the whole database.
  ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  ctx.db.$client.close();
  await ctx.filings.close();
  const wal = join(dir, `${DB_FILE}-wal`);
  if (existsSync(wal) && statSync(wal).size > 0) throw new Error(`${wal} still holds pages after the checkpoint`);
  writeFileSync(join(dir, ACCOUNTS_FILE), JSON.stringify(accounts));
}

/** Puts a copy of the template's database in dataDir, for createContext to open; gives the accounts seeded in it. */
export function copyDbTemplate(template: string, dataDir: string): DemoAccount[] {
  copyFileSync(join(template, DB_FILE), join(dataDir, DB_FILE));
  return JSON.parse(readFileSync(join(template, ACCOUNTS_FILE), 'utf8')) as DemoAccount[];
}
