import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { type GeoJsonPolygonal, townships, villages } from '../../../db/schema.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { addMonths, monthOf, monthRange } from '../shared/months.ts';
import { type TargetProgressRow, targetProgress } from '../targets/progress.ts';
import {
  type Cell,
  type Counts,
  filedByMonth,
  noCounts,
  openNow,
  overdueList,
  type OverdueRow,
  overdueNow,
} from './dashboard-counts.ts';
import { currentPeriod } from './periods.ts';
import { type Scorecards, scorecards } from './scorecards.ts';

export interface Area extends Counts {
  id: number;
  code: string;
  name: string;
  boundary: GeoJsonPolygonal | null;
}

export interface CountyDashboard {
  /** The township the account works in, or the one a county account chose to look into; null: the county. */
  township: { id: number; name: string } | null;
  /** The last 12 months, oldest first: filed in the month, of those finished now, and past due unfinished now. */
  months: ({ month: string } & Counts)[];
  /** Townships (a county account) with filed in the last 12 months, open and overdue now. */
  townships: Area[];
  /** The villages of the township looked into (none for the county as a whole). */
  villages: Area[];
  overdue: { total: number; rows: OverdueRow[] };
  /** This month's ranking: the townships for the county, the villages for a township. */
  ranking: Scorecards | null;
  targets: TargetProgressRow[];
}

export const OVERDUE_SHOWN = 20;

/**
 * The leader's dashboard (issue 14): trends by month, the map by township and village, the overdue list, this
 * month's ranking and the campaign's targets, for the county or, for a township's account, its township only.
 */
export function countyDashboard(
  db: Db,
  scope: StaffScope,
  now: Date,
  opts: { townshipId?: number } = {},
): CountyDashboard {
  const own = scope.townshipId;
  const lookInto = own ?? opts.townshipId ?? null;
  const township =
    lookInto === null
      ? null
      : (db
          .select({ id: townships.id, name: townships.name })
          .from(townships)
          .where(eq(townships.id, lookInto))
          .get() ?? null);
  const last = monthOf(now);
  const months = monthRange(addMonths(last, -11), last);
  const byMonth = new Map(months.map((m) => [m, noCounts()]));
  const byTownship = new Map<number, Counts>();
  const byVillage = new Map<number, Counts>();
  const bump = (map: Map<number, Counts>, id: number, key: keyof Counts, n: number) => {
    const c = map.get(id) ?? noCounts();
    map.set(id, c);
    c[key] += n;
  };
  // A township-held complaint (village 0) counts for its township and the county, in no village.
  const add = (cell: Cell, key: keyof Counts, n: number) => {
    const m = byMonth.get(cell.month);
    if (m) m[key] += n;
    bump(byTownship, cell.townshipId, key, n);
    if (cell.villageId && cell.townshipId === township?.id) bump(byVillage, cell.villageId, key, n);
  };
  filedByMonth(db, months[0]!, last, own, add);
  openNow(db, own, add);
  overdueNow(db, now, own, add);

  const areaOf = (counts: Map<number, Counts>) => (a: Omit<Area, keyof Counts>) => ({
    ...a,
    ...(counts.get(a.id) ?? noCounts()),
  });
  const townshipAreas = db
    .select({ id: townships.id, code: townships.code, name: townships.name, boundary: townships.boundary })
    .from(townships)
    .where(own == null ? undefined : eq(townships.id, own))
    .orderBy(asc(townships.sort), asc(townships.id))
    .all()
    .map(areaOf(byTownship));
  const villageAreas = township
    ? db
        .select({ id: villages.id, code: villages.code, name: villages.name, boundary: villages.boundary })
        .from(villages)
        .where(eq(villages.townshipId, township.id))
        .orderBy(asc(villages.id))
        .all()
        .map(areaOf(byVillage))
    : [];
  const ranking = scorecards(
    db,
    scope,
    { level: own == null ? 'township' : 'village', period: currentPeriod(now) },
    now,
  );
  return {
    township,
    months: months.map((month) => ({ month, ...byMonth.get(month)! })),
    townships: townshipAreas,
    villages: villageAreas,
    overdue: {
      total: townshipAreas.reduce((n, t) => n + t.overdue, 0),
      rows: overdueList(db, now, own, OVERDUE_SHOWN),
    },
    ranking: ranking.ok ? ranking : null,
    targets: targetProgress(db, scope, { townshipId: lookInto ?? undefined }, now),
  };
}
