import Database from 'better-sqlite3';
import { eq, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../../api/context.ts';
import { enforcementConfig, parseEnv } from '../../api/env.ts';
import type { StaffScope } from '../../api/domain/accounts/sessions.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { assignmentScope } from '../../api/domain/complaints/assignment-scope.ts';
import { complaintScope } from '../../api/domain/complaints/scope.ts';
import { drawScope } from '../../api/domain/enforcement/draws.ts';
import { patrolScope } from '../../api/domain/enforcement/patrols.ts';
import { enterpriseScope, revisitScope, taskScope } from '../../api/domain/enforcement/scope.ts';
import { createTask } from '../../api/domain/enforcement/tasks.ts';
import { flagScope } from '../../api/domain/watch/flags.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { recomputeRollups, sortedEntries, storedRollups } from '../helpers/public-rollups.ts';
import { complaints, departments, townships, users, villages } from '../../db/schema.ts';
import { assignments } from '../../db/schema-supervision.ts';
import { enterprises, inspectionDraws, nightPatrols, revisits, tasks } from '../../db/schema-enforcement.ts';
import { powerFlags } from '../../db/schema-watch.ts';

const MIGRATIONS = fileURLToPath(new URL('../../db/migrations', import.meta.url));
const COUNTY_MIGRATION = '0016_county';

/** The migrations as they stood before the county: every one up to 0015, with the journal saying so. */
function migrationsBeforeCounty(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.filter((e: { tag: string }) => e.tag < COUNTY_MIGRATION);
  for (const e of journal.entries) copyFileSync(join(MIGRATIONS, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  return dir;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const columnsOf = (db: Database.Database, table: string) =>
  (db.pragma(`table_info(${quote(table)})`) as { name: string }[]).map((c) => quote(c.name)).join(', ');

/** The tables that hold rows (virtual tables keep theirs in their shadow tables, which are listed). */
function storedTables(db: Database.Database): string[] {
  return (
    db
      .prepare(
        `select name from sqlite_master where type = 'table' and sql not like 'CREATE VIRTUAL%'
          and name not in ('__drizzle_migrations', 'sqlite_sequence') order by name`,
      )
      .all() as { name: string }[]
  ).map((t) => t.name);
}

/**
 * Every row of src's tables into old, as the previous schema has them: triggers dropped for the copy (the counts and
 * indexes they keep are copied themselves), put back after, and no foreign key left dangling.
 */
function copyRows(old: Database.Database, srcFile: string): void {
  const triggers = old.prepare(`select name, sql from sqlite_master where type = 'trigger'`).all() as {
    name: string;
    sql: string;
  }[];
  old.pragma('foreign_keys = off');
  // The full-text and spatial indexes' own tables are written directly, as a file copy would.
  old.unsafeMode(true);
  old.prepare('attach database ? as src').run(srcFile);
  old.transaction(() => {
    for (const t of triggers) old.exec(`drop trigger ${quote(t.name)}`);
    for (const table of [...storedTables(old), 'sqlite_sequence']) {
      const cols = columnsOf(old, table);
      old.exec(`delete from main.${quote(table)}`);
      old.exec(
        `insert into main.${quote(table)} (${cols}) ${OLD_ROLLUPS[table] ?? `select ${cols} from src.${quote(table)}`}`,
      );
    }
    for (const t of triggers) old.exec(t.sql);
  })();
  old.exec('detach database src');
  old.unsafeMode(false);
  old.pragma('foreign_keys = on');
  expect(old.pragma('foreign_key_check')).toEqual([]);
}

// Counts the triggers keep for the public statistics, which a later migration rebuilds by township from the
// complaints (0018): the same totals by month, category and status (empty ones dropped), whatever village key.
const ROLLUPS: Record<string, (hasTownship: boolean) => string> = {
  public_complaint_counts: () =>
    'select month, category_id, status, sum(n) from public_complaint_counts group by 1, 2, 3 having sum(n) <> 0',
  // 0018 keeps the county's histogram (township 0) beside each township's.
  public_complaint_durations: (t) =>
    `select kind, month, hours, n from public_complaint_durations where n <> 0${t ? ' and township_id = 0' : ''}`,
  public_complaint_actions: () =>
    'select month, action, sum(n) from public_complaint_actions group by 1, 2 having sum(n) <> 0',
};

// The rollups as the previous schema kept them, from the demo's (0018's, by township) for the copy.
const OLD_ROLLUPS: Record<string, string> = {
  public_complaint_counts:
    'select month, village_id, category_id, status, sum(n) from src.public_complaint_counts group by 1, 2, 3, 4',
  public_complaint_durations: 'select kind, month, hours, n from src.public_complaint_durations where township_id = 0',
  public_complaint_actions: 'select month, action, sum(n) from src.public_complaint_actions group by 1, 2',
};

/** Each table's row count and a digest of its rows, over the columns the previous schema had. */
function fingerprint(db: Database.Database, tables: Map<string, string>) {
  return Object.fromEntries(
    [...tables].map(([table, cols]) => {
      const rows = (
        db
          .prepare(
            ROLLUPS[table]?.(columnsOf(db, table).includes('township_id')) ?? `select ${cols} from ${quote(table)}`,
          )
          .raw()
          .all() as unknown[][]
      ).map((r) => JSON.stringify(r, (_, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
      return [table, { rows: rows.length, digest: createHash('sha256').update(rows.sort().join('\n')).digest('hex') }];
    }),
  );
}

// A one-township installation as the demo made it, with a task a department joins, so each scope has rows to show.
async function oneTownshipInstallation(dir: string): Promise<void> {
  const ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
  await seedDemo(ctx, { samples: true, oneTownship: true });
  const admin = staffByUsername(ctx.db, 'admin')!;
  const eco = ctx.db.select().from(departments).where(eq(departments.code, 'eco')).get()!;
  const untasked = ctx.db.select().from(enterprises).where(eq(enterprises.name, '张三塑料造粒作坊')).get()!;
  const joined = createTask(
    ctx.db,
    admin,
    {
      enterpriseId: untasked.id,
      type: 'shutdown',
      departmentIds: [eco.id],
      villageLead: '张村长',
      townshipLead: '陈副镇长',
      departmentLead: '林科长',
      dueOn: '2099-01-01',
      measures: '',
      optionalItems: [],
      areas: ['environment'],
      complaintIds: [],
    },
    enforcementConfig(ctx.env),
    new Date(),
  );
  expect(joined.ok).toBe(true);
  ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  ctx.db.$client.close();
  await ctx.filings.close();
}

const SCOPES: [string, SQLiteTable & { id: unknown }, (u: StaffScope) => SQL | undefined][] = [
  ['complaints', complaints, complaintScope],
  ['assignments', assignments, assignmentScope],
  ['enterprises', enterprises, enterpriseScope],
  ['tasks', tasks, taskScope],
  ['revisits', revisits, revisitScope],
  ['inspection_draws', inspectionDraws, drawScope],
  ['night_patrols', nightPatrols, patrolScope],
  ['power_flags', powerFlags, flagScope],
];

describe('migrating a one-township database to the county (0016)', () => {
  let ctx: AppContext;
  let before: ReturnType<typeof fingerprint>;
  let oldColumns: Map<string, string>;

  beforeAll(async () => {
    const srcDir = mkdtempSync(join(tmpdir(), 'sanluanwu-src-'));
    await oneTownshipInstallation(srcDir);
    const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-old-'));
    const old = new Database(join(dir, 'portal.sqlite'));
    migrate(drizzle({ client: old }), { migrationsFolder: migrationsBeforeCounty() });
    expect(columnsOf(old, 'users')).not.toContain('township_id');
    copyRows(old, join(srcDir, 'portal.sqlite'));
    oldColumns = new Map(storedTables(old).map((t) => [t, columnsOf(old, t)]));
    before = fingerprint(old, oldColumns);
    old.close();
    // Opening the portal on it runs the real migrations, as an upgrade does.
    ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
  });
  afterAll(async () => {
    ctx?.db.$client.close();
    await ctx?.filings.close();
  });

  it('keeps every row of every table as it was, and is recorded as applied', () => {
    expect(before.complaints!.rows).toBe(6);
    for (const t of ['users', 'assignments', 'tasks', 'revisits', 'cases', 'audit_log', 'night_patrols'])
      expect(before[t]!.rows, t).toBeGreaterThan(0);
    expect(fingerprint(ctx.db.$client, oldColumns)).toEqual(before);
    const applied = ctx.db.$client.prepare('select count(*) n from __drizzle_migrations').get() as { n: number };
    const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta/_journal.json'), 'utf8'));
    // drizzle's migrator skips a migration whose journal time ("when") is not after the latest applied one's.
    expect(applied.n, 'every migration applied to an existing database').toBe(journal.entries.length);
    expect(ctx.db.$client.pragma('foreign_key_check')).toEqual([]);
  });

  it('puts the office, leaders and village officers in the township, admin and departments at county level', () => {
    const [township] = ctx.db.select().from(townships).all();
    expect(ctx.db.select().from(townships).all()).toHaveLength(1);
    expect(township).toMatchObject({ code: 'qingxi', kind: 'town', boundary: null });
    const levels = ctx.db
      .select({ username: users.username, role: users.role, townshipId: users.townshipId })
      .from(users)
      .all();
    const expected = (role: string) => (role === 'admin' || role === 'department' ? null : township!.id);
    expect(levels.length).toBeGreaterThanOrEqual(5);
    expect(new Set(levels.map((u) => u.role))).toEqual(new Set(['admin', 'triage', 'village', 'department', 'leader']));
    for (const u of levels) expect(u.townshipId, u.username).toBe(expected(u.role));
    const zhulin = ctx.db.select().from(users).where(eq(users.username, 'zhulin')).get()!;
    const village = ctx.db.select().from(villages).where(eq(villages.id, zhulin.villageId!)).get()!;
    expect(zhulin.townshipId).toBe(village.townshipId);
    expect(
      ctx.db
        .select()
        .from(departments)
        .all()
        .every((d) => d.townshipId === null),
    ).toBe(true);
  });

  it('gives draws and night patrols their township, and complaints keep theirs with no border flag', () => {
    const id = ctx.db.select().from(townships).get()!.id;
    const draws = ctx.db.select().from(inspectionDraws).all();
    const patrols = ctx.db.select().from(nightPatrols).all();
    expect(draws.length).toBeGreaterThan(0);
    expect(patrols.length).toBeGreaterThan(0);
    expect(draws.every((d) => d.townshipId === id)).toBe(true);
    expect(patrols.every((p) => p.townshipId === id)).toBe(true);
    const rows = ctx.db.select().from(complaints).all();
    expect(rows.every((c) => c.townshipId === id && c.borderTownshipId === null)).toBe(true);
  });

  it('fills the public statistics by township (0018) as a recomputation from the complaints gives them', () => {
    const want = recomputeRollups(ctx.db.$client),
      have = storedRollups(ctx.db.$client);
    expect(want.counts.size).toBeGreaterThan(0);
    expect(want.actions.size).toBeGreaterThan(0);
    expect(sortedEntries(have.counts)).toEqual(sortedEntries(want.counts));
    expect(sortedEntries(have.durations)).toEqual(sortedEntries(want.durations));
    expect(sortedEntries(have.actions)).toEqual(sortedEntries(want.actions));
  });

  it('shows each account exactly the rows it saw before (no township condition then)', () => {
    const accounts = ctx.db.select().from(users).all();
    for (const [name, table, scope] of SCOPES) {
      const ids = (user: StaffScope) =>
        ctx.db
          .select({ id: table.id as never })
          .from(table)
          .where(scope(user))
          .all()
          .map((r: { id: number }) => r.id)
          .sort((a, b) => a - b);
      const all = ids({ role: 'admin', townshipId: null, villageId: null, departmentId: null });
      expect(all.length, name).toBeGreaterThan(0);
      for (const u of accounts) {
        const then = { ...u, townshipId: null };
        expect(ids(u), `${u.username} ${name}`).toEqual(ids(then));
        if (u.role === 'triage' || u.role === 'leader') expect(ids(u), `${u.username} ${name}`).toEqual(all);
      }
    }
    const shengtai = accounts.find((u) => u.username === 'shengtai')!;
    expect(ctx.db.select().from(tasks).where(taskScope(shengtai)).all()).toHaveLength(1);
  });
});
