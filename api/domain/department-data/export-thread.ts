// Reads and builds an .xlsx of department data on a thread of its own (export-workbook.ts), with a connection of its
// own: exceljs renders a whole sheet in one turn (~0.5 s for 2,000 files), which the HTTP thread must never spend.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../../db/client.ts';
import { evaluate } from './evaluation.ts';
import { evaluationWorkbook, landlordsWorkbook } from './exports.ts';
import type { WorkbookJob } from './export-workbook.ts';
import { landlords } from './landlords.ts';

const job = workerData as WorkbookJob;
const db = openDatabase(job.file);
try {
  const bytes =
    job.kind === 'evaluation'
      ? await evaluationWorkbook(evaluate(db, job.townshipId, job.year), job.township, job.year, job.now)
      : await landlordsWorkbook(landlords(db, job.townshipId), job.township, job.now);
  parentPort!.postMessage(bytes, [bytes.buffer]);
} finally {
  db.$client.close();
}
