import { Worker } from 'node:worker_threads';
import type { Db } from '../../../db/client.ts';
import type { TableFile, TableJob } from './table-workbooks.ts';

const THREAD = new URL('./table-thread.ts', import.meta.url);

/** The table read and built off the HTTP thread (table-thread.ts); null when the township picked does not exist. */
export function tableOffThread(db: Db, job: TableJob): Promise<TableFile | null> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(THREAD, { workerData: { ...job, file: db.$client.name } });
    worker.once('message', (out: TableFile | null) => resolve(out));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`报表线程意外退出（${code}）`)));
  });
}
