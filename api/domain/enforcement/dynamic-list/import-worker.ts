// The import thread's entry (decision 011): an uploaded dynamic list is read, planned and, for a
// commit, written here, with a connection of its own, so the HTTP thread never runs any of it.
import { setPriority } from 'node:os';
import { threadConnection } from '../../../../db/thread-connections.ts';
import { commitRead, previewRead, type ImportJob, type ImportOutcome } from './import.ts';
import { readDynamicList } from './sheet.ts';
import { serveImports } from '../../shared/thread-pool.ts';
import { setReadLimits } from '../../shared/xlsx/read.ts';

// Linux keeps a nice value per thread (elsewhere it would be the whole process's): when this
// thread and the HTTP thread both want a core, the HTTP thread gets it.
if (process.platform === 'linux') setPriority(10);

serveImports<ImportJob, ImportOutcome | null>(
  (job, leaveRead) => {
    setReadLimits(job.read);
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const read = readDynamicList(bytes, job.now);
    if (!leaveRead()) return null; // out of time: the HTTP thread has answered and is ending this thread
    const db = threadConnection(job.file);
    return job.kind === 'commit'
      ? commitRead(db, job.actor!, job.areas, read, job.now, job.townshipId)
      : previewRead(db, job.areas, read, job.townshipId);
  },
  (outcome) => (outcome?.reportJson ? [outcome.reportJson.buffer] : []),
);
