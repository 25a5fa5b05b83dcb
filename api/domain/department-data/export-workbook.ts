import { Worker } from 'node:worker_threads';
import type { Db } from '../../../db/client.ts';

export type WorkbookJob = { file: string; townshipId: number; township: string; now: Date } & (
  | { kind: 'evaluation'; year: number }
  | { kind: 'landlords' }
);

const THREAD = new URL('./export-thread.ts', import.meta.url);

/**
 * The township's evaluation or landlords as .xlsx, read and built off the HTTP thread (export-thread.ts): the HTTP
 * thread only starts the thread and receives the bytes.
 */
export function workbookOffThread(db: Db, job: Omit<WorkbookJob, 'file'>): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(THREAD, { workerData: { ...job, file: db.$client.name } });
    worker.once('message', (bytes: Uint8Array<ArrayBuffer>) => resolve(bytes));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`导出线程意外退出（${code}）`)));
  });
}
