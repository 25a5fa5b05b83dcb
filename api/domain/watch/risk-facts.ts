import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../../../db/client.ts';
import { prepared } from '../../../db/prepared.ts';
import type { EnterpriseStatus, RemediationType } from '../../../db/schema-enforcement.ts';
import { DAY_MS } from '../shared/time.ts';
import { sortInTurns } from '../shared/sort-in-turns.ts';
import { PointGrid } from './complaint-grid.ts';
import { dayOf } from './days.ts';
import {
  byRisk,
  type ClosureKind,
  closureKind,
  RISK_WEIGHTS,
  type RiskFacts,
  type RiskScore,
  riskScore,
} from './risk.ts';

/** A ranked file with what the page says of it beside the points. */
export interface RiskRow extends RiskScore {
  name: string;
  villageId: number;
  villageName: string;
  address: string;
  kind: ClosureKind;
  closedAt: number | null;
  flagCount: number;
  complaintCount: number;
}

// Rows read at once: each step reads at most this many ids of a table; the files' scoring yields every SLICE_MS.
const ENTERPRISE_STEP = 2_500;
const COMPLAINT_STEP = 10_000;
const SLICE_MS = 20;
const COUNTED = "status NOT IN ('rejected', 'merged')";

const ENTERPRISES = `SELECT e.id, e.name, e.village_id AS villageId, v.name AS villageName, e.address, e.status,
  e.remediation_type AS remediationType, e.lat, e.lng FROM enterprises e JOIN villages v ON v.id = e.village_id
  WHERE e.id > ? AND e.id <= ? AND e.township_id = ? ORDER BY e.id`;
const ACCEPTED = `SELECT id, enterprise_id AS enterpriseId, type, accepted_at AS acceptedAt FROM tasks
  WHERE enterprise_id > ? AND enterprise_id <= ? AND status = 'accepted' ORDER BY accepted_at, id`;
const POWER_CUT = `SELECT DISTINCT i.task_id AS taskId FROM task_items i JOIN tasks t ON t.id = i.task_id
  WHERE t.enterprise_id > ? AND t.enterprise_id <= ? AND t.status = 'accepted'
  AND i.code IN ('cut_power', 'cut_industrial_power') AND i.done_at IS NOT NULL`;
// The grid has every report a linked one could be counted twice with: same township, window and statuses.
const LINKED = `SELECT ec.enterprise_id AS enterpriseId, c.lat, c.lng, c.needs_location AS unplaced
  FROM enterprise_complaints ec JOIN complaints c ON c.id = ec.complaint_id
  WHERE ec.enterprise_id > ? AND ec.enterprise_id <= ? AND c.township_id = ? AND c.created_at >= ? AND c.${COUNTED}`;
const COMPLAINTS = `SELECT lat, lng FROM complaints WHERE id > ? AND id <= ? AND township_id = ?
  AND created_at >= ? AND needs_location = 0 AND ${COUNTED}`;
// A house's flag has no file until confirmed: the meter's file, if it has one since, counts it.
const FLAGS = `SELECT coalesce(f.enterprise_id, m.enterprise_id) AS enterpriseId, f.status, f.strength
  FROM power_flags f JOIN meters m ON m.id = f.meter_id
  WHERE f.township_id = ? AND f.status IN ('open', 'confirmed') AND f.last_day >= ?`;

async function complaintGrid(db: Db, townshipId: number, since: number, refLat: number | null) {
  const grid = new PointGrid(RISK_WEIGHTS.complaintRadiusM, refLat);
  const max = (prepared(db.$client, 'SELECT max(id) AS m FROM complaints').get() as { m: number | null }).m ?? 0;
  for (let lo = 0; lo < max; lo += COMPLAINT_STEP) {
    const rows = prepared(db.$client, COMPLAINTS).all(lo, lo + COMPLAINT_STEP, townshipId, since) as {
      lat: number;
      lng: number;
    }[];
    for (const r of rows) grid.add(r.lat, r.lng);
    await nextTurn();
  }
  return grid;
}

function flagsByFile(db: Db, townshipId: number, sinceDay: number) {
  const out = new Map<number, RiskFacts['flags']>();
  const rows = prepared(db.$client, FLAGS).all(townshipId, sinceDay) as {
    enterpriseId: number | null;
    status: 'open' | 'confirmed';
    strength: number;
  }[];
  for (const r of rows) {
    if (r.enterpriseId === null) continue;
    const list = out.get(r.enterpriseId) ?? [];
    list.push({ status: r.status, strength: r.strength });
    out.set(r.enterpriseId, list);
  }
  return out;
}

interface Linked {
  enterpriseId: number;
  lat: number;
  lng: number;
  unplaced: number;
}

/** Reports within the radius, and those linked to the file that are not: each counted once. */
function nearOrLinked(grid: PointGrid, f: { lat: number | null; lng: number | null }, linked: Linked[]): number {
  if (f.lat === null || f.lng === null) return linked.length;
  const at = { lat: f.lat, lng: f.lng };
  return grid.count(f.lat, f.lng) + linked.filter((c) => c.unplaced || !grid.within(at, c)).length;
}

interface FileRow {
  id: number;
  name: string;
  villageId: number;
  villageName: string;
  address: string;
  status: EnterpriseStatus;
  remediationType: RemediationType | null;
  lat: number | null;
  lng: number | null;
}

/**
 * Every file of the township with its relapse-risk score and parts, highest first. Read a few thousand files at a
 * time with a turn of the event loop between: a county's 20,000 files never hold it for long.
 */
export async function riskRanking(db: Db, townshipId: number, now: Date): Promise<RiskRow[]> {
  const t = now.getTime();
  const since = t - RISK_WEIGHTS.complaintWindowDays * DAY_MS;
  const first = prepared(db.$client, 'SELECT lat FROM enterprises WHERE township_id = ? AND lat IS NOT NULL').get(
    townshipId,
  ) as { lat: number } | undefined;
  const grid = await complaintGrid(db, townshipId, since, first?.lat ?? null);
  const flags = flagsByFile(db, townshipId, dayOf(now) - RISK_WEIGHTS.flagWindowDays);
  const max = (prepared(db.$client, 'SELECT max(id) AS m FROM enterprises').get() as { m: number | null }).m ?? 0;
  const out: RiskRow[] = [];
  let slice = performance.now();
  for (let lo = 0; lo < max; lo += ENTERPRISE_STEP) {
    const hi = lo + ENTERPRISE_STEP;
    const files = prepared(db.$client, ENTERPRISES).all(lo, hi, townshipId) as FileRow[];
    if (files.length) {
      const last = new Map<number, { id: number; type: RemediationType; acceptedAt: number }>();
      for (const r of prepared(db.$client, ACCEPTED).all(lo, hi) as {
        id: number;
        enterpriseId: number;
        type: RemediationType;
        acceptedAt: number;
      }[])
        last.set(r.enterpriseId, r);
      const cut = new Set((prepared(db.$client, POWER_CUT).all(lo, hi) as { taskId: number }[]).map((r) => r.taskId));
      const linked = new Map<number, Linked[]>();
      for (const r of prepared(db.$client, LINKED).all(lo, hi, townshipId, since) as Linked[])
        linked.set(r.enterpriseId, [...(linked.get(r.enterpriseId) ?? []), r]);
      for (const f of files) {
        if (performance.now() - slice > SLICE_MS) {
          await nextTurn();
          slice = performance.now();
        }
        const task = last.get(f.id);
        const near = nearOrLinked(grid, f, linked.get(f.id) ?? []);
        const facts: RiskFacts = {
          enterpriseId: f.id,
          status: f.status,
          closureType: task?.type ?? f.remediationType,
          closedAt: f.status === 'done' ? (task?.acceptedAt ?? null) : null,
          powerCutProven: !!task && cut.has(task.id),
          flags: flags.get(f.id) ?? [],
          complaints: near,
        };
        out.push({
          ...riskScore(facts, t),
          name: f.name,
          villageId: f.villageId,
          villageName: f.villageName,
          address: f.address,
          kind: closureKind(facts),
          closedAt: facts.closedAt,
          flagCount: facts.flags.length,
          complaintCount: near,
        });
      }
    }
    await nextTurn();
    slice = performance.now();
  }
  return sortInTurns(out, byRisk);
}
