import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { dataImports } from '../../../db/schema-watch.ts';
import type { TableLimits } from '../shared/table-rows.ts';

/** What an import of the utility's files is: its job, its progress, its result, and its row once it ends. */
export interface ImportJob {
  importId: number;
  townshipId: number;
  path: string;
  limits: TableLimits;
  /** Epoch ms: dates after today are refused. */
  now: number;
}
export interface ImportProgress {
  phase: 'reading' | 'writing';
  done: number;
  total: number;
}
export interface LineError {
  line: number;
  message: string;
}
export interface ImportCounts {
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
}
export type ImportResult =
  | { ok: true; kind: 'daily' | 'interval' | 'meters'; counts: ImportCounts; errors: LineError[] }
  | { ok: false; rowsRead: number; errors: LineError[] };

/** Errors kept and shown; reading stops once there are this many. */
export const MAX_ERRORS = 100;

/** The import's row once it ends: its counts, or its errors. */
export function finish(
  db: Db,
  importId: number,
  r: {
    status: 'done' | 'failed';
    kind?: 'daily' | 'interval' | 'meters';
    rowsRead: number;
    counts?: Omit<ImportCounts, 'rowsRead'>;
    errors: LineError[];
  },
) {
  db.update(dataImports)
    .set({
      status: r.status,
      ...(r.kind ? { kind: r.kind } : {}),
      rowsRead: r.rowsRead,
      rowsInserted: r.counts?.inserted ?? 0,
      rowsUpdated: r.counts?.updated ?? 0,
      rowsUnchanged: r.counts?.unchanged ?? 0,
      errors: r.errors.slice(0, MAX_ERRORS),
      finishedAt: new Date(),
    })
    .where(and(eq(dataImports.id, importId), eq(dataImports.status, 'running')))
    .run();
}
