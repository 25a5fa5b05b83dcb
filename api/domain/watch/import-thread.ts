// The import thread's entry (import-jobs.ts): each file is read, checked and written here with a connection of its
// own, so the HTTP thread never parses a row; progress goes back as messages. The thread serves job after job.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { threadConnection } from '../../../db/thread-connections.ts';
import { importMeterList } from './meter-list-import.ts';
import type { ImportJob, ImportProgress } from './import-run.ts';
import { importReadings } from './readings-import.ts';

// Linux keeps a nice value per thread: when this thread and the HTTP thread both want a core, HTTP gets it.
if (process.platform === 'linux') setPriority(10);

export type ThreadJob = ImportJob & { file: string; list: 'readings' | 'meters'; userId: number; userLabel: string };

const port = parentPort!;
port.on('message', async (job: ThreadJob) => {
  const progress = (p: ImportProgress) => port.postMessage({ type: 'progress', id: job.importId, progress: p });
  try {
    const db = threadConnection(job.file);
    const result =
      job.list === 'meters' ? await importMeterList(db, job, progress) : await importReadings(db, job, progress);
    port.postMessage({ type: 'done', id: job.importId, result });
  } catch (e) {
    port.postMessage({ type: 'error', id: job.importId, message: String((e as Error).message ?? e).slice(0, 200) });
  }
});
