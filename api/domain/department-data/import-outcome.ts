import type { Db } from '../../../db/client.ts';
import { failImport, type ImportCounts } from './import-record.ts';
import type { LineError, ReadTable } from './table-columns.ts';

/** What an import answers: the counts, or why the file was refused with its errors by line. */
export type ImportOutcome =
  | { ok: true; importId: number; counts: ImportCounts; unmatched: number; notes: LineError[]; sameAs: number | null }
  | { ok: false; status: 400 | 409; message: string; importId?: number; errors: LineError[]; errorCount: number };

/** The refusal of a file with errors: recorded on its import, nothing else written. */
export function refuse(
  db: Db,
  importId: number,
  t: Pick<ReadTable<string>, 'errors' | 'errorCount' | 'rowsRead'>,
  now: Date,
): ImportOutcome {
  failImport(db, importId, t.rowsRead, t.errors, now);
  const first = t.errors[0]!;
  return {
    ok: false,
    status: 400,
    importId,
    errors: t.errors,
    errorCount: t.errorCount,
    message: `文件有 ${t.errorCount} 处错误，没有导入任何一行。第 ${first.line} 行：${first.message}`,
  };
}

/** Runs an import's reading and writing; one cut short by an error is marked failed, never left running. */
export async function guarded(db: Db, importId: number, now: Date, load: () => Promise<ImportOutcome>) {
  try {
    return await load();
  } catch (e) {
    failImport(db, importId, 0, [{ line: 0, message: '导入中断：请重新上传同一文件（已写入的行不会重复）' }], now);
    throw e;
  }
}
