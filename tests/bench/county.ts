// The county (issue 14): 25 townships × 20 villages, 20,000 enterprise files and 2,000,000 complaints over five years
// with their work items, events, 回头看 and ratings. A township office's queue, the county dashboard and a quarter's
// scorecards, each beside the same call on an empty database (same schema, no rows) in the same run.
// `npm run bench -- county [count] [dir]`; the generated database is kept (by default in the system's temporary
// directory) and reused by the next run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { createContext, type AppContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { staffByUsername, type StaffUser } from '../../api/domain/accounts/sessions.ts';
import { offThread } from '../../api/domain/assessment/off-thread.ts';
import { parsePeriod } from '../../api/domain/assessment/periods.ts';
import { listQueue, queueCounts, queueQuery } from '../../api/domain/complaints/queue.ts';
import { indexAllComplaints } from '../../api/domain/complaints/search-index.ts';
import { seeded } from '../../api/seed/demo-watch-curves.ts';
import { fillComplaints } from './county-complaints.ts';
import { fillPlaces } from './county-places.ts';

type Row = (...cells: (string | number)[]) => void;
const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 2_000_000);
const DIR = args.find((a) => a.includes('/')) ?? join(tmpdir(), `sanluanwu-bench-county-${N}`);

/** The generated county, made once and kept: a marker written last says the database is whole. */
async function county(): Promise<{ ctx: AppContext; madeAt: number }> {
  const marker = join(DIR, 'generated-at');
  if (!existsSync(marker)) {
    rmSync(DIR, { recursive: true, force: true });
    const ctx = await createContext(parseEnv({ DATA_DIR: DIR }));
    const now = Date.now();
    const rand = seeded(14);
    const t0 = performance.now();
    const c = ctx.db.$client;
    const towns = fillPlaces(ctx.db, rand, now);
    fillComplaints(c, towns, N, rand, now);
    const t1 = performance.now();
    indexAllComplaints(c);
    c.exec('analyze');
    c.pragma('wal_checkpoint(TRUNCATE)');
    const s = (a: number, b: number) => ((b - a) / 1000).toFixed(0);
    console.log(`generated the county in ${s(t0, t1)} s, indexed and analysed in ${s(t1, performance.now())} s`);
    writeFileSync(marker, String(now));
    return { ctx, madeAt: now };
  }
  return { ctx: await createContext(parseEnv({ DATA_DIR: DIR })), madeAt: Number(readFileSync(marker, 'utf8')) };
}

/**
 * p50/p99 of up to `runs` calls, stopping after 10 s (at least 10 calls): a call that misses its target by far; and
 * the main thread's longest block meanwhile (an event-loop delay histogram, 1 ms resolution).
 */
async function time(fn: () => unknown, runs: number) {
  const t: number[] = [];
  const stop = performance.now() + 10_000;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  while (t.length < runs && (t.length < 10 || performance.now() < stop)) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  loop.disable();
  t.sort((a, b) => a - b);
  const blocked = loop.max / 1e6;
  return { p50: t[Math.floor(t.length / 2)]!, p99: t[Math.floor(t.length * 0.99)]!, runs: t.length, blocked };
}

const count = (ctx: AppContext, table: string) =>
  ctx.db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

export async function benchCounty(row: Row) {
  const { ctx: big, madeAt } = await county();
  const empty = await createContext(parseEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-bench-')) }));
  const tables = [
    'complaints',
    'complaint_events',
    'assignments',
    'assignment_events',
    'complaint_followups',
    'enterprises',
    'tasks',
    'revisits',
    'villages',
    'townships',
  ];
  console.log(`county database ${DIR}, made ${new Date(madeAt).toISOString()}:`);
  console.log(`  ${tables.map((t) => `${t} ${count(big, t).toLocaleString()}`).join(', ')}`);
  const now = new Date();
  const office = staffByUsername(big.db, 't13-shouli')!; // the middle township: four neighbours, border reports
  const village = big.db.$client
    .prepare('SELECT id FROM villages WHERE township_id = ? ORDER BY id LIMIT 1 OFFSET 7')
    .pluck()
    .get(office.townshipId) as number;
  const pair = async (label: string, target: string, runs: number, call: (ctx: AppContext) => unknown) => {
    await call(big); // statements prepared, pages cached, threads started: not what an office waits for
    await call(empty);
    const a = await time(() => call(big), runs),
      b = await time(() => call(empty), runs);
    row(
      `${label}: p50/p99 ms${a.runs < runs ? ` (${a.runs} calls)` : ''}`,
      `${a.p50.toFixed(2)}/${a.p99.toFixed(2)}`,
      `${b.p50.toFixed(2)}/${b.p99.toFixed(2)} empty`,
      (a.p99 / Math.max(b.p99, 0.01)).toFixed(1),
      target,
      // Off-thread calls: how long the main thread was held at most while they ran (a sync call holds it throughout).
      `main thread's longest block ${a.blocked.toFixed(1)} ms`,
    );
  };
  const queue = (user: StaffUser, params: Record<string, string>) => (ctx: AppContext) => {
    listQueue(ctx.db, user, queueQuery.parse(params), now);
    queueCounts(ctx.db, user, now);
  };
  const n = `${(N / 1e6).toLocaleString()} M`;
  await pair(`county ${n}: township office's queue, first page + counts`, 'p99 < 50 ms', 200, queue(office, {}));
  await pair(
    `county ${n}: township office's queue filtered (assigned+category+village, most overdue)`,
    'p99 < 50 ms',
    200,
    queue(office, { status: 'assigned', category: '2', village: String(village), sort: 'overdue' }),
  );
  await pair(
    `county ${n}: township office's queue, overdue only`,
    'p99 < 50 ms',
    200,
    queue(office, { overdue: 'yes' }),
  );
  await pair(
    `county ${n}: county office's queue, first page + counts`,
    'p99 < 50 ms',
    200,
    queue(staffByUsername(big.db, 'xianban')!, {}),
  );
  // The leader's pages: each call reads the records (nothing cached), the first one prepares the statements.
  const leader = staffByUsername(big.db, 'xianzhang')!;
  const township = staffByUsername(big.db, 't13-lingdao')!;
  // Read on the assessment's thread (off-thread.ts), as the pages do: the time includes the hand-over.
  await pair(`county ${n}: county dashboard, county leader`, 'p99 < 500 ms', 20, (ctx) =>
    offThread.countyDashboard(ctx.db, leader, now),
  );
  await pair(`county ${n}: dashboard, a township's leader`, 'p99 < 500 ms', 20, (ctx) =>
    offThread.countyDashboard(ctx.db, township, now),
  );
  const quarter = parsePeriod('2026-Q3')!;
  for (const level of ['township', 'village'] as const)
    await pair(`county ${n}: ${level} scorecards for 2026-Q3, county leader`, 'p99 < 500 ms', 20, (ctx) =>
      offThread.scorecards(ctx.db, leader, { level, period: quarter }, now),
    );
}

if (import.meta.main) await benchCounty((...cells) => console.log(cells.join(' | ')));
