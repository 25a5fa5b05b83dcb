// Reads and builds one of the county's tables on a thread of its own (table-export.ts), with a connection of its own:
// exceljs renders a whole sheet in one turn, and a county's compiled list has a line per file of every township.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../../db/client.ts';
import { tableWorkbook, type TableJob } from './table-workbooks.ts';

const job = workerData as TableJob & { file: string };
const db = openDatabase(job.file);
try {
  const out = await tableWorkbook(db, job);
  parentPort!.postMessage(out, out ? [out.bytes.buffer] : []);
} finally {
  db.$client.close();
}
