import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as filing from '../../api/domain/complaints/filing-sql.ts';
import * as core from '../../db/schema.ts';
import * as enforcement from '../../db/schema-enforcement.ts';
import * as open from '../../db/schema-public.ts';

// The write thread files reports with hand-written SQL (drizzle is not loaded there, decision 009):
// these tests hold its statements to the drizzle schema, so that a column added, renamed or
// dropped there fails here rather than at a resident's first report.

const tables = new Map(
  [core, enforcement, open]
    .flatMap((m) => Object.values(m))
    .filter((v) => is(v, SQLiteTable))
    .map((t) => {
      const { name, columns } = getTableConfig(t);
      return [name, columns] as const;
    }),
);

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * What is wrong with an INSERT against the schema: unknown table or column, a required column left out, values not
 * matching columns.
 */
function insertProblems(sql: string): string[] {
  const m = /^\s*INSERT INTO (\w+) \(([^)]*)\)\s*VALUES \(([^)]*)\)/i.exec(sql);
  if (!m) return [`not an INSERT … VALUES: ${sql}`];
  const [, table, cols, values] = m as unknown as [string, string, string, string];
  const columns = tables.get(table);
  if (!columns) return [`${table}: no such table in the schema`];
  const named = list(cols);
  const problems = named.filter((c) => !columns.some((k) => k.name === c)).map((c) => `${table}.${c}: no such column`);
  // NOT NULL without a default (an integer primary key is the rowid: SQLite fills it).
  for (const k of columns)
    if (k.notNull && !k.hasDefault && !named.includes(k.name))
      problems.push(`${table}.${k.name}: required, not inserted`);
  if (list(values).length !== named.length)
    problems.push(`${table}: ${named.length} columns, ${list(values).length} values`);
  return problems;
}

function updateProblems(sql: string): string[] {
  const m = /^\s*UPDATE (\w+) SET (.*?) WHERE (\w+) =/i.exec(sql);
  if (!m) return [`not an UPDATE … SET … WHERE: ${sql}`];
  const [, table, set, key] = m as unknown as [string, string, string, string];
  const columns = tables.get(table);
  if (!columns) return [`${table}: no such table in the schema`];
  const named = [...list(set).map((a) => a.split('=')[0]!.trim()), key];
  return named.filter((c) => !columns.some((k) => k.name === c)).map((c) => `${table}.${c}: no such column`);
}

describe("the filing's SQL and the drizzle schema", () => {
  it('every INSERT names only columns that exist and every required one', () => {
    const inserts = [
      filing.INSERT_COMPLAINT,
      filing.INSERT_CONTACT,
      filing.INSERT_PHOTO,
      filing.INSERT_EVENT,
      filing.INSERT_API_SUBMISSION,
    ];
    expect(inserts.flatMap(insertProblems)).toEqual([]);
  });

  it("the API key's UPDATE names columns that exist", () => {
    expect(updateProblems(filing.KEY_USED)).toEqual([]);
  });

  it('checks what it claims: a missing required column, an unknown one and a short VALUES are caught', () => {
    expect(insertProblems('INSERT INTO complaints (tracking_code, no_such) VALUES (?, ?, ?)')).toEqual(
      expect.arrayContaining([
        'complaints.no_such: no such column',
        'complaints.description: required, not inserted',
        'complaints.due_at: required, not inserted',
        'complaints: 2 columns, 3 values',
      ]),
    );
    expect(insertProblems('INSERT INTO complaint_photoz (id) VALUES (?)')).toEqual([
      'complaint_photoz: no such table in the schema',
    ]);
    expect(updateProblems('UPDATE api_keys SET last_use = ? WHERE id = ?')).toEqual([
      'api_keys.last_use: no such column',
    ]);
  });
});
