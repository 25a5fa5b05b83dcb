import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { townships } from '../../../../db/schema.ts';
import type { StaffScope } from '../../accounts/sessions.ts';
import { townshipCondition } from '../../shared/township-scope.ts';
import {
  progressSheetCells,
  progressTable,
  PROGRESS_COLUMNS,
  sumRows,
  type Period,
  type ProgressRow,
  type ProgressTable,
  type TableColumn,
} from './progress.ts';

export interface TableTownship {
  id: number;
  code: string;
  name: string;
}

/**
 * The townships a table covers for this account: a township account its own (whatever it asks), a county account
 * every township in the county's order, or the one it picks.
 */
export function tableTownships(db: Db, user: Pick<StaffScope, 'townshipId'>, pick?: number): TableTownship[] {
  return db
    .select({ id: townships.id, code: townships.code, name: townships.name })
    .from(townships)
    .where(
      and(
        townshipCondition(user, { township: townships.id }),
        pick === undefined || user.townshipId !== null ? undefined : eq(townships.id, pick),
      ),
    )
    .orderBy(asc(townships.sort), asc(townships.id))
    .all();
}

/** The county's name, for a compiled table's title (one installation serves one county). */
export const countyName = (db: Db) => db.select({ county: townships.county }).from(townships).get()?.county ?? '';

export interface CompiledProgress {
  /** One per township: its villages, then its subtotal (table.total). */
  sections: (ProgressTable & { townshipId: number })[];
  /** The county's total when more than one township is compiled, else the one township's. */
  total: ProgressRow;
  compiled: boolean;
}

/** Seed 002's progress summary compiled by 镇街: each township's villages with a subtotal, and the county's total. */
export async function compiledProgress(
  db: Db,
  list: TableTownship[],
  period: Period,
  now: Date,
): Promise<CompiledProgress> {
  const sections: CompiledProgress['sections'] = [];
  for (const t of list) {
    // A township's few grouped queries at a time: 25 townships at once held the HTTP thread ~200 ms.
    if (sections.length) await nextTurn();
    sections.push({ ...progressTable(db, period, now, t.id), townshipId: t.id });
  }
  const total = { ...sumRows(sections.map((s) => s.total)), village: sections.length > 1 ? '全县合计' : '合计' };
  return { sections, total, compiled: sections.length > 1 };
}

/** With more than one township the sheet gets a first column naming it, and a subtotal row after each. */
export function compiledProgressSheet(p: CompiledProgress): {
  columns: TableColumn[];
  rows: (string | number)[][];
  subtotals: number[];
  footer: (string | number)[];
} {
  if (!p.compiled) {
    const only = p.sections[0];
    return {
      columns: PROGRESS_COLUMNS,
      rows: only ? only.rows.map(progressSheetCells) : [],
      subtotals: [],
      footer: progressSheetCells(p.total),
    };
  }
  const rows: (string | number)[][] = [];
  const subtotals: number[] = [];
  for (const s of p.sections) {
    for (const r of s.rows) rows.push([s.township, ...progressSheetCells(r)]);
    subtotals.push(rows.length);
    rows.push([s.township, ...progressSheetCells({ ...s.total, village: '小计' })]);
  }
  return {
    columns: [{ header: '镇（街道）', width: 12 }, ...PROGRESS_COLUMNS],
    rows,
    subtotals,
    footer: ['全县', ...progressSheetCells({ ...p.total, village: '合计' })],
  };
}
