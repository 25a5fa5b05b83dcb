import { createHash } from 'node:crypto';
import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, users } from '../../../db/schema.ts';
import { dataImports, type ImportKind } from '../../../db/schema-watch.ts';
import { fail, type Result } from '../shared/result.ts';
import { pause, type LineError } from './table-columns.ts';
import { importColumns } from '../watch/import-jobs.ts';

export interface UploadedFile {
  fileName: string;
  bytes: Uint8Array;
}
export interface ImportCounts {
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

/** An import still "running" after this long died with its process: another may start. */
const STALE_MS = 30 * 60_000;

/**
 * The import's own row, written before any data: one at a time per kind and township (two uploads of one register
 * would race to insert the same rows). `sameAs`: an earlier finished import of the very same bytes.
 */
export function startImport(
  db: Db,
  input: { townshipId: number; kind: ImportKind; departmentId?: number; file: UploadedFile; userId: number },
  now: Date,
): Result<{ id: number; sameAs: number | null }> {
  const sha256 = createHash('sha256').update(input.file.bytes).digest('hex');
  const running = db
    .select({ id: dataImports.id })
    .from(dataImports)
    .where(
      and(
        eq(dataImports.townshipId, input.townshipId),
        eq(dataImports.kind, input.kind),
        eq(dataImports.status, 'running'),
        gt(dataImports.createdAt, new Date(now.getTime() - STALE_MS)),
      ),
    )
    .get();
  if (running) return fail(409, '已有同类文件正在导入，请等它完成后再上传');
  const same = db
    .select({ id: dataImports.id })
    .from(dataImports)
    .where(
      and(
        eq(dataImports.townshipId, input.townshipId),
        eq(dataImports.kind, input.kind),
        eq(dataImports.sha256, sha256),
        eq(dataImports.status, 'done'),
      ),
    )
    .orderBy(desc(dataImports.id))
    .get();
  const row = db
    .insert(dataImports)
    .values({
      townshipId: input.townshipId,
      kind: input.kind,
      departmentId: input.departmentId ?? null,
      fileName: input.file.fileName.slice(0, 200),
      sha256,
      bytes: input.file.bytes.byteLength,
      createdBy: input.userId,
      createdAt: now,
    })
    .returning({ id: dataImports.id })
    .get();
  return { ok: true, id: row.id, sameAs: same?.id ?? null };
}

/** A refused file: its first errors by line, and nothing else written. */
export function failImport(db: Db, id: number, rowsRead: number, errors: LineError[], now: Date): void {
  db.update(dataImports)
    .set({ status: 'failed', rowsRead, errors, finishedAt: now })
    .where(eq(dataImports.id, id))
    .run();
}

/** `notes`: lines read but not written (unmatched figures), said on the import's page. */
export function finishImport(db: Db, id: number, c: ImportCounts, notes: LineError[], now: Date): void {
  db.update(dataImports)
    .set({
      status: 'done',
      rowsRead: c.rowsRead,
      rowsInserted: c.inserted,
      rowsUpdated: c.updated,
      rowsUnchanged: c.unchanged,
      errors: notes,
      finishedAt: now,
    })
    .where(eq(dataImports.id, id))
    .run();
}

/**
 * Writes validated rows in transactions of at most ~10 ms each, letting other requests run between them: a register
 * of 20,000 rows never holds the event loop. Every row was checked before the first is written, and each write is an
 * upsert, so an import cut short by a crash is finished by importing the same file again.
 */
export async function writeInChunks<T>(db: Db, items: T[], write: (tx: Tx, item: T) => void, sliceMs = 10) {
  for (let i = 0; i < items.length; ) {
    const start = performance.now();
    db.transaction((tx) => {
      do write(tx, items[i++]!);
      while (i < items.length && (i % 16 !== 0 || performance.now() - start < sliceMs));
    });
    if (i < items.length) await pause();
  }
}

export interface ImportView {
  id: number;
  kind: ImportKind;
  department: string | null;
  fileName: string;
  status: 'running' | 'done' | 'failed';
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  errors: LineError[];
  by: string;
  createdAt: Date;
}

/** The township's last imports of these kinds, newest first. */
export function listImports(db: Db, townshipId: number, kinds: ImportKind[], limit = 30): ImportView[] {
  return db
    .select({ ...importColumns, department: departments.name })
    .from(dataImports)
    .leftJoin(departments, eq(departments.id, dataImports.departmentId))
    .innerJoin(users, eq(users.id, dataImports.createdBy))
    .where(and(eq(dataImports.townshipId, townshipId), inArray(dataImports.kind, kinds)))
    .orderBy(desc(dataImports.id))
    .limit(limit)
    .all();
}
