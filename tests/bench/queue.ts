// The queue and the 200 m neighbour lookup at 1,000,000 complaints, beside the same on an empty database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type AppContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { INDEX_BATCH } from '../../api/domain/complaints/search-index.ts';
import { ALERTS_SHOWN, listQueue, queueCounts, queueQuery } from '../../api/domain/complaints/queue.ts';
import { nearbyComplaints } from '../../api/domain/complaints/neighbours.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { generateComplaints } from './generate-complaints.ts';

// `-- queue 200000`: the section's name is not a count
const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);

async function fresh(): Promise<AppContext> {
  const ctx = await createContext(parseEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-bench-')) }));
  await seedDemo(ctx, { samples: false });
  return ctx;
}

const staffUser = (ctx: AppContext, username: string) => staffByUsername(ctx.db, username)!;

function time(fn: () => unknown, runs: number): { p50: number; p99: number } {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(runs / 2)]!, p99: t[Math.floor(runs * 0.99)]! };
}

export async function benchQueue(row: (...cells: (string | number)[]) => void) {
  const empty = await fresh();
  const big = await fresh();
  const t0 = performance.now();
  generateComplaints(big, N);
  console.log(`generated ${N} complaints in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const cases: [string, string, Record<string, string>][] = [
    ['queue first page + counts (triage, newest)', 'shouli', {}],
    [
      'queue filtered: status+category+village, most overdue',
      'shouli',
      { status: 'accepted', category: '2', village: '3', sort: 'overdue' },
    ],
    ['queue text search "电镀作坊" (trigram)', 'shouli', { q: '电镀作坊' }],
    ['queue first page, village officer', 'zhulin', {}],
    [
      'queue filtered: closed+category+village, newest (rare mix)',
      'shouli',
      { status: 'closed', category: '3', village: '4' },
    ],
    ['queue text search "电镀" (2 chars: scan)', 'shouli', { q: '电镀' }],
  ];
  const runCase = ([label, username, params]: (typeof cases)[number], suffix = '') => {
    const run = (ctx: AppContext) => {
      const user = staffUser(ctx, username);
      const q = queueQuery.parse(params);
      return time(() => {
        listQueue(ctx.db, user, q);
        queueCounts(ctx.db, user);
      }, 200);
    };
    const a = run(big),
      b = run(empty);
    row(
      `${label}${suffix}: p50/p99 ms`,
      `${a.p50.toFixed(2)}/${a.p99.toFixed(2)}`,
      `${b.p50.toFixed(2)}/${b.p99.toFixed(2)} empty`,
      (a.p99 / Math.max(b.p99, 0.01)).toFixed(1),
      'p99 < 50 ms',
    );
  };
  for (const c of cases) runCase(c);
  const areas = big.villageAreas();
  const points = Array.from({ length: 500 }, (_, i) => {
    const [minX, minY, maxX, maxY] = areas[i % areas.length]!.bbox;
    return { lat: (minY + maxY) / 2 + (i % 7) * 0.001, lng: (minX + maxX) / 2 };
  });
  let k = 0;
  const near = (ctx: AppContext) =>
    time(() => nearbyComplaints(ctx.db.$client, points[k++ % points.length]!, 200, Date.now() - 90 * 86_400_000), 2000);
  const nearRow = (suffix = '') => {
    const a = near(big),
      b = near(empty);
    row(
      `200 m neighbours, last 90 days${suffix}: p50/p99 ms`,
      `${a.p50.toFixed(3)}/${a.p99.toFixed(3)}`,
      `${b.p50.toFixed(3)}/${b.p99.toFixed(3)} empty`,
      (a.p99 / Math.max(b.p99, 0.001)).toFixed(1),
      '< 2 ms',
    );
  };
  nearRow();

  // The worst the write thread leaves between its batches (decision 010): a full batch of the
  // newest reports above the watermark, which readers scan directly.
  big.db.$client.prepare('UPDATE search_watermark SET complaints_indexed = complaints_indexed - ?').run(INDEX_BATCH);
  const tail = ` (${INDEX_BATCH} newest not yet indexed)`;
  runCase(cases[2]!, tail);
  nearRow(tail);

  // Reporters came back to some (issue 17): the first page lists them above the rest, read by id from their
  // partial index. As many as the page shows, spread over the two years, on both databases.
  for (const ctx of [big, empty]) {
    const n = (ctx.db.$client.prepare('SELECT count(*) AS n FROM complaints').get() as { n: number }).n;
    ctx.db.$client
      .prepare(`UPDATE complaints SET reporter_alert = 'relapse', reporter_alert_at = created_at
        WHERE id % ? = 0`)
      .run(Math.max(1, Math.floor(n / ALERTS_SHOWN)));
  }
  const flagged = ` (${ALERTS_SHOWN} flagged by reporters)`;
  for (const c of [cases[0]!, cases[1]!, cases[3]!]) runCase(c, flagged);
}

// Run alone: node tests/bench/queue.ts [count]
if (import.meta.url === `file://${process.argv[1]}`) await benchQueue((...cells) => console.log(cells.join(' | ')));
