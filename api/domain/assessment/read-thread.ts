// The assessment's read thread (off-thread.ts): scorecards, a score's records, the 通报 and the leader's dashboard
// read hundreds of thousands of rows on a county (0.3–1 s), which the HTTP thread must never spend. Its own
// connection only reads; the 通报's export is audited on the HTTP thread.
import { setPriority } from 'node:os';
import { threadConnection } from '../../../db/thread-connections.ts';
import { serveImports } from '../shared/thread-pool.ts';
import { unitBreakdown } from './breakdown.ts';
import { countyDashboard } from './dashboard.ts';
import { assessmentNotice, noticeWorkbook } from './notice.ts';
import type { ReadJob } from './off-thread.ts';
import { scorecards } from './scorecards.ts';

// When this thread and the HTTP thread both want a core, the HTTP thread gets it (Linux keeps a nice per thread).
if (process.platform === 'linux') setPriority(10);

serveImports<ReadJob, unknown>(async (job) => {
  const db = threadConnection(job.file);
  switch (job.kind) {
    case 'scorecards':
      return scorecards(db, job.scope, job.q, job.now);
    case 'breakdown':
      return unitBreakdown(db, job.scope, job.q, job.now);
    case 'dashboard':
      return countyDashboard(db, job.scope, job.now, job.opts);
    case 'notice': {
      const notice = assessmentNotice(db, job.user, job.q, job.now);
      if (!notice.ok || !job.xlsx) return { notice };
      return { notice, file: await noticeWorkbook(notice, job.now) };
    }
  }
});
