// The bench county's places and people: 25 townships on a 5×5 grid, each 5×4 villages (rectangles that tile), the
// county's departments and a 站所 per township, one account per level, 20,000 enterprise files with their tasks and
// 回头看 over five years, and one campaign with its targets. Raw prepared inserts, one transaction.
import type Database from 'better-sqlite3';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { seedCategories } from '../../api/seed/categories.ts';
import { seedDepartments } from '../../api/seed/departments.ts';
import type { Db } from '../../db/client.ts';
import { CAMPAIGN_METRICS } from '../../db/schema-county.ts';

export const GRID = 5; // townships a side
export const VILLAGE_COLS = 5;
export const VILLAGE_ROWS = 4;
const WEST = 119.3,
  SOUTH = 30.6,
  CELL_X = 0.02, // a village ≈ 1.9 km × 1.8 km
  CELL_Y = 0.016;
export const FILES = 20_000;

/** A township's rectangle, its villages and its neighbours: what the complaint generator places points with. */
export interface BenchTownship {
  id: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** West, east, south, north neighbours' ids (null at the county's edge). */
  sides: [number | null, number | null, number | null, number | null];
  villages: { id: number; x0: number; y0: number }[];
  /** How many reports it draws, relative to the others: some townships are busier. */
  weight: number;
}
export const VILLAGE_SIZE = { x: CELL_X, y: CELL_Y };

const rect = (x0: number, y0: number, x1: number, y1: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ].map(([x, y]) => [Math.round(x! * 1e6) / 1e6, Math.round(y! * 1e6) / 1e6]),
  ],
});
const two = (n: number) => String(n).padStart(2, '0');

export function fillPlaces(db: Db, rand: () => number, now: number): BenchTownship[] {
  const c = db.$client;
  seedCategories(db);
  seedDepartments(db);
  const township = c.prepare(`INSERT INTO townships (code, name, county, province, kind, boundary, sort)
    VALUES (?, ?, '基准县', '浙江省', ?, ?, ?)`);
  const village = c.prepare('INSERT INTO villages (township_id, code, name, boundary) VALUES (?, ?, ?, ?)');
  const dept = c.prepare('INSERT INTO departments (code, name, sort, township_id) VALUES (?, ?, ?, ?)');
  const user = c.prepare(`INSERT INTO users (username, display_name, role, township_id, village_id, department_id,
    password_hash, must_change_password, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'bench', 0, ?)`);
  const out: BenchTownship[] = [];
  c.transaction(() => {
    for (const [name, role] of [
      ['admin', 'admin'],
      ['xianban', 'triage'],
      ['xianzhang', 'leader'],
    ] as const)
      user.run(name, name, role, null, null, null, now);
    const w = VILLAGE_COLS * CELL_X,
      h = VILLAGE_ROWS * CELL_Y;
    for (let k = 0; k < GRID * GRID; k++) {
      const [tx, ty] = [k % GRID, Math.floor(k / GRID)];
      const [x0, y0] = [WEST + tx * w, SOUTH + ty * h];
      const kind = k === 12 ? 'subdistrict' : k === 24 ? 'zone' : 'town';
      const label = `${two(k + 1)}${kind === 'town' ? '镇' : kind === 'zone' ? '开发区' : '街道'}`;
      const id = Number(
        township.run(`t${two(k + 1)}`, `基准${label}`, kind, JSON.stringify(rect(x0, y0, x0 + w, y0 + h)), k)
          .lastInsertRowid,
      );
      const t: BenchTownship = {
        id,
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
        sides: [null, null, null, null],
        villages: [],
        weight: 0.5 + rand(),
      };
      for (let v = 0; v < VILLAGE_COLS * VILLAGE_ROWS; v++) {
        const [vx, vy] = [x0 + (v % VILLAGE_COLS) * CELL_X, y0 + Math.floor(v / VILLAGE_COLS) * CELL_Y];
        const code = `t${two(k + 1)}-v${two(v + 1)}`;
        const boundary = JSON.stringify(rect(vx, vy, vx + CELL_X, vy + CELL_Y));
        const vid = Number(village.run(id, code, `${label}${two(v + 1)}村`, boundary).lastInsertRowid);
        t.villages.push({ id: vid, x0: vx, y0: vy });
        user.run(code, `${code}网格员`, 'village', id, vid, null, now);
      }
      const station = Number(dept.run(`t${two(k + 1)}-zhan`, `${label}环保站`, 100 + k, id).lastInsertRowid);
      user.run(`t${two(k + 1)}-shouli`, `${label}受理员`, 'triage', id, null, null, now);
      user.run(`t${two(k + 1)}-lingdao`, `${label}领导`, 'leader', id, null, null, now);
      user.run(`t${two(k + 1)}-zhan`, `${label}站所`, 'department', id, null, station, now);
      out.push(t);
    }
    for (const [k, t] of out.entries()) {
      const [tx, ty] = [k % GRID, Math.floor(k / GRID)];
      t.sides = [
        tx > 0 ? out[k - 1]!.id : null,
        tx < GRID - 1 ? out[k + 1]!.id : null,
        ty > 0 ? out[k - GRID]!.id : null,
        ty < GRID - 1 ? out[k + GRID]!.id : null,
      ];
    }
    fillFiles(c, out, rand, now);
    const campaign = c.prepare(`INSERT INTO campaigns (name, starts_on, due_on, created_at, updated_at)
      VALUES ('基准县“低小散”专项整治', '2026-01-01', '2026-12-31', ?, ?)`);
    const cid = Number(campaign.run(now, now).lastInsertRowid);
    const target = c.prepare(`INSERT INTO campaign_targets (campaign_id, metric, township_id, target, updated_at)
      VALUES (?, ?, ?, ?, ?)`);
    for (const [m, metric] of CAMPAIGN_METRICS.entries()) {
      const each = [24, 16, 3, 17][m]!;
      target.run(cid, metric, null, each * out.length, now);
      for (const t of out) target.run(cid, metric, t.id, each, now);
    }
  })();
  return out;
}

const pick = <T>(rand: () => number, xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;

/** 800 files a township (40 a village): listed, in work, or remediated with an accepted task and its 回头看. */
function fillFiles(c: Database.Database, towns: BenchTownship[], rand: () => number, now: number) {
  const file = c.prepare(`INSERT INTO enterprises (township_id, village_id, name, industry, lat, lng, premises,
    remediation_type, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const task = c.prepare(`INSERT INTO tasks (enterprise_id, village_id, type, status, origin, village_lead,
    township_lead, due_at, submitted_at, accepted_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, '村干部', '镇干部', ?, ?, ?, ?, ?)`);
  const event = c.prepare(`INSERT INTO task_events (task_id, action, from_status, to_status, at)
    VALUES (?, ?, ?, ?, ?)`);
  const item = c.prepare(`INSERT INTO task_items (task_id, seq, code, label, done_at) VALUES (?, 1, ?, ?, ?)`);
  const revisit = c.prepare(`INSERT INTO revisits (enterprise_id, village_id, task_id, due_at, status, outcome,
    done_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const span = 5 * 365 * DAY_MS;
  const industries = ['塑料', '电镀', '家具', '铸造', '石料', '纺织', '废品回收'] as const;
  const perVillage = FILES / (towns.length * VILLAGE_COLS * VILLAGE_ROWS);
  for (const t of towns)
    for (const v of t.villages)
      for (let n = 0; n < perVillage; n++) {
        const created = now - Math.floor(span * rand());
        const r = rand();
        const status = r < 0.25 ? 'listed' : r < 0.45 ? 'in_progress' : 'done';
        const type =
          status === 'listed' ? null : pick(rand, ['shutdown', 'shutdown', 'rectify', 'rectify', 'relocate']);
        const lat = v.y0 + rand() * CELL_Y,
          lng = v.x0 + rand() * CELL_X;
        const premises = rand() < 0.45 ? 'rented' : 'owned';
        const id = Number(
          file.run(
            t.id,
            v.id,
            `${pick(rand, industries)}作坊${v.id}-${n}`,
            pick(rand, industries),
            lat,
            lng,
            premises,
            type,
            status,
            created,
            created,
          ).lastInsertRowid,
        );
        if (!type) continue;
        const opened = created + Math.floor(rand() * Math.min(90 * DAY_MS, now - created));
        const due = opened + 30 * DAY_MS;
        const done = status === 'done';
        const accepted = done ? Math.min(now - DAY_MS, opened + Math.floor((10 + 60 * rand()) * DAY_MS)) : null;
        const taskId = Number(
          task.run(id, v.id, type, done ? 'accepted' : 'open', 'survey', due, accepted, accepted, opened, opened)
            .lastInsertRowid,
        );
        event.run(taskId, 'create', null, 'open', opened);
        if (type === 'shutdown') item.run(taskId, 'cut_power', '断电', accepted);
        if (!accepted) continue;
        event.run(taskId, 'submit', 'open', 'submitted', accepted);
        event.run(taskId, 'accept', 'submitted', 'accepted', accepted);
        for (const days of [30, 90, 180]) {
          const rdue = accepted + days * DAY_MS;
          const late = rand() < 0.05;
          if (rdue > now || (late && rdue > now - 20 * DAY_MS)) {
            revisit.run(id, v.id, taskId, rdue, 'scheduled', null, null, accepted);
            continue;
          }
          const o = rand();
          const outcome =
            o < 0.9
              ? 'fine'
              : o < 0.94
                ? 'relapsed'
                : o < 0.97
                  ? 'resumed'
                  : o < 0.99
                    ? 'new_in_vacated'
                    : 'newly_found';
          const at = Math.min(now - DAY_MS, rdue + Math.floor((late ? 10 + 20 * rand() : 5 * rand() - 3) * DAY_MS));
          revisit.run(id, v.id, taskId, rdue, 'done', outcome, at, accepted);
        }
      }
}
