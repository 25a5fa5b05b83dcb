// Reads and builds an .xlsx of department data on the read thread (shared/read-thread.ts), with its own connection:
// exceljs renders a whole sheet in one turn (~0.5 s for 2,000 files), which the HTTP thread must never spend.
import type { Db } from '../../../db/client.ts';
import { evaluate } from './evaluation.ts';
import { evaluationWorkbook, landlordsWorkbook } from './exports.ts';
import type { WorkbookJob } from './export-workbook.ts';
import { landlords } from './landlords.ts';

export function buildWorkbook(db: Db, job: WorkbookJob): Promise<Uint8Array<ArrayBuffer>> {
  return job.kind === 'evaluation'
    ? evaluationWorkbook(evaluate(db, job.townshipId, job.year), job.township, job.year, job.now)
    : landlordsWorkbook(landlords(db, job.townshipId), job.township, job.now);
}
