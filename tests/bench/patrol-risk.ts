// The relapse-risk ranking and a night-patrol plan at a county's scale (issue 15): 20,000 files (a third shut down
// with accepted tasks), 2,000 power flags and 200,000 complaints over two years. Reported, never asserted: how long the
// whole ranking and a plan take, and the longest the main thread ran without a turn of the event loop (target < 50 ms),
// beside a bare single read of the same files in one statement.
// `node tests/bench/patrol-risk.ts` alone, or `npm run bench -- patrol`.
import { mkdtempSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContext, type AppContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import type { StaffUser } from '../../api/domain/accounts/sessions.ts';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { dayOf } from '../../api/domain/watch/days.ts';
import { createPlan, verifyPlan } from '../../api/domain/watch/patrol-plan.ts';
import { getPlan } from '../../api/domain/watch/patrol-plan-view.ts';
import { riskRanking } from '../../api/domain/watch/risk-facts.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { generateComplaints } from './generate-complaints.ts';

type Row = (...cells: (string | number)[]) => void;
const FILES = 20_000;
const COMPLAINTS = 200_000;
const FLAGS = 2_000;

function fill(ctx: AppContext, now: number) {
  const c = ctx.db.$client;
  const areas = ctx.villageAreas();
  const township = areas[0]!.townshipId;
  // Positions: around the complaints' own points, so that the radius finds some.
  const points = c.prepare('SELECT lat, lng FROM complaints ORDER BY random() LIMIT ?').all(FILES) as {
    lat: number;
    lng: number;
  }[];
  const file = c.prepare(`INSERT INTO enterprises (township_id, village_id, name, status, remediation_type, lat, lng,
    updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const task = c.prepare(`INSERT INTO tasks (enterprise_id, village_id, type, status, origin, village_lead,
    township_lead, due_at, accepted_at, updated_at) VALUES (?, ?, ?, 'accepted', 'survey', '周', '王', ?, ?, ?)`);
  const item = c.prepare(`INSERT INTO task_items (task_id, seq, code, label, done_at) VALUES (?, 1, 'cut_power',
    '断电', ?)`);
  const meter = c.prepare(`INSERT INTO meters (township_id, village_id, enterprise_id, account_no, tariff, updated_at)
    VALUES (?, ?, ?, ?, 'commercial', ?)`);
  const flag = c.prepare(`INSERT INTO power_flags (rule, meter_id, enterprise_id, township_id, village_id, first_day,
    last_day, strength, evidence, status, detected_at) VALUES ('jump_after_closure', ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)`);
  const today = dayOf(now);
  c.transaction(() => {
    for (let i = 0; i < FILES; i++) {
      const v = areas[i % areas.length]!.id;
      const p = points[i % points.length]!;
      const kind = i % 10;
      const [status, type] =
        kind < 3
          ? ['done', 'shutdown']
          : kind < 4
            ? ['done', 'relocate']
            : kind < 5
              ? ['done', 'rectify']
              : kind < 7
                ? ['in_progress', 'rectify']
                : ['listed', null];
      const id = Number(file.run(township, v, `作坊${i}`, status, type, p.lat, p.lng, now).lastInsertRowid);
      if (status === 'done') {
        const at = now - (i % 700) * DAY_MS;
        const t = Number(task.run(id, v, type, at, at, at).lastInsertRowid);
        item.run(t, i % 2 ? at : null);
      }
      if (i % (FILES / FLAGS) === 0) {
        const m = Number(meter.run(township, v, id, `B${i}`, now).lastInsertRowid);
        const last = today - (i % 200);
        flag.run(m, id, township, v, last - 5, last, 1 + (i % 5), i % 3 ? 'open' : 'confirmed', now);
      }
    }
  })();
  return township;
}

/** The longest the main thread ran between two 5 ms ticks (on-CPU time, from schedstat), and the loop's delay. */
async function stall<T>(work: () => Promise<T>) {
  const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
  const onCpu = () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
  const h = monitorEventLoopDelay({ resolution: 5 });
  let last = onCpu(),
    maxRun = 0;
  const tick = setInterval(() => {
    const cpu = onCpu();
    maxRun = Math.max(maxRun, cpu - last);
    last = cpu;
  }, 5);
  h.enable();
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  maxRun = Math.max(maxRun, onCpu() - last);
  h.disable();
  clearInterval(tick);
  return { result, ms, maxRun, loopMax: h.max / 1e6 };
}

export async function benchPatrolRisk(row: Row) {
  const ctx = await createContext(parseEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-bench-risk-')) }));
  await seedDemo(ctx, { samples: false });
  const now = Date.now();
  generateComplaints(ctx, COMPLAINTS, now);
  const township = fill(ctx, now);
  const office = { id: 1, role: 'triage', displayName: '基准', villageId: null, departmentId: null } as StaffUser;
  await riskRanking(ctx.db, township, new Date(now)); // warm: statements prepared, pages cached
  const rounds = [];
  for (let i = 0; i < 3; i++) rounds.push(await stall(() => riskRanking(ctx.db, township, new Date(now))));
  rounds.sort((a, b) => a.ms - b.ms);
  const median = rounds[1]!;
  const t0 = performance.now();
  ctx.db.$client.prepare('SELECT id, status, remediation_type, lat, lng FROM enterprises').all();
  const bare = performance.now() - t0;
  row(
    `risk ranking of ${FILES} files, ${COMPLAINTS} complaints (ms)`,
    median.ms.toFixed(0),
    `${bare.toFixed(1)} bare read of the files`,
    (median.ms / bare).toFixed(1),
    '—',
  );
  row(
    'risk ranking: longest main-thread run (ms)',
    Math.max(...rounds.map((r) => r.maxRun)).toFixed(1),
    `loop delay max ${Math.max(...rounds.map((r) => r.loopMax)).toFixed(1)}`,
    '',
    '< 50',
  );
  const plan = await stall(() =>
    createPlan(ctx.db, office, { title: '基准夜查', size: 50, randomPercent: 30 }, new Date(now)),
  );
  if (!plan.result.ok) throw new Error(plan.result.message);
  row(
    'night-patrol plan of 50 from 20,000 (ms)',
    plan.ms.toFixed(0),
    `longest run ${plan.maxRun.toFixed(1)}, loop delay max ${plan.loopMax.toFixed(1)}`,
    '',
    '< 50 a run',
  );
  const id = plan.result.id;
  const page = await stall(async () => [getPlan(ctx.db, office, id), await verifyPlan(ctx.db, office, id)]);
  row(
    "a plan's page: its list and the re-run of 20,000 candidates (ms)",
    page.ms.toFixed(0),
    `longest run ${page.maxRun.toFixed(1)}, loop delay max ${page.loopMax.toFixed(1)}`,
    '',
    '< 50 a run',
  );
  ctx.db.$client.close();
}

if (import.meta.url === `file://${process.argv[1]}`)
  await benchPatrolRisk((...cells) => console.log(cells.join(' | ')));
