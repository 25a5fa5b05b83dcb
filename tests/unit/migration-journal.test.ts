import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Drizzle's migrator applies to an existing database only the migrations whose journal time is later than the
// newest one it applied: a migration stamped earlier than any before it is skipped there, though a fresh database
// gets it. 0009's time was set by hand ahead of 0010–0015; from 0016 on, each must be later than all before it.
const entries: { idx: number; when: number; tag: string }[] = JSON.parse(
  readFileSync('db/migrations/meta/_journal.json', 'utf8'),
).entries;

describe('migration journal', () => {
  it('stamps every migration from 0016 on later than all the migrations before it', () => {
    const late = entries.filter(
      (e) => e.idx >= 16 && e.when <= Math.max(...entries.filter((b) => b.idx < e.idx).map((b) => b.when)),
    );
    expect(late.map((e) => e.tag)).toEqual([]);
    expect(entries.filter((e) => e.idx >= 16).length).toBeGreaterThan(0);
  });
});
