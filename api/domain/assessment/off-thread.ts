import type { Db } from '../../../db/client.ts';
import type { AssessedLevel } from '../../../db/schema-county.ts';
import type { StaffScope, StaffUser } from '../accounts/sessions.ts';
import { ImportThreads } from '../shared/thread-pool.ts';
import { BusyError } from '../shared/busy.ts';
import type { Result } from '../shared/result.ts';
import type { UnitBreakdown } from './breakdown.ts';
import type { CountyDashboard } from './dashboard.ts';
import { type AssessmentNotice, auditNoticeExport, type noticeWorkbook } from './notice.ts';
import type { AssessmentPeriod } from './periods.ts';
import type { Scorecards } from './scorecards.ts';

type Q = { level: AssessedLevel; period: AssessmentPeriod };
export type ReadJob = { file: string; now: Date } & (
  | { kind: 'scorecards'; scope: StaffScope; q: Q }
  | { kind: 'breakdown'; scope: StaffScope; q: Q & { id: number } }
  | { kind: 'dashboard'; scope: StaffScope; opts: { townshipId?: number } }
  | { kind: 'notice'; user: StaffUser; q: Q; xlsx: boolean }
);
type Job = ReadJob extends infer J ? (J extends ReadJob ? Omit<J, 'file'> : never) : never;
type NoticeFile = Awaited<ReturnType<typeof noticeWorkbook>>;

// One pool per process, kept on globalThis: the Astro pages are bundled apart from the API, and only the API's
// (unbundled) copy of this module names the thread's file correctly; the server loads it before any page.
const KEY = Symbol.for('sanluanwu.assessment-threads');
type Holder = { [KEY]?: ImportThreads<ReadJob, unknown> };
const threads = ((globalThis as Holder)[KEY] ??= new ImportThreads(new URL('./read-thread.ts', import.meta.url), {
  // Two CPUs: two leaders' pages at once read side by side; a third waits its turn.
  max: 2,
  queue: 16,
  // Starting a thread (loading drizzle and zod) takes a second: kept a while for the next page.
  idleMs: 10 * 60_000,
  heapMb: 512,
}));
/** A read that takes this long on a county is stuck: its thread is ended. */
const READ_MS = 60_000;

/** A thread that cannot answer (every one busy, out of time or memory) is a 503: never a half result. */
async function run<T>(db: Db, job: Job): Promise<T> {
  const answer = await threads.run({ ...job, file: db.$client.name } as ReadJob, [], READ_MS);
  if (answer.kind === 'done') return answer.value as T;
  throw new BusyError(answer.kind === 'busy' ? '考核统计正忙，请稍后再试' : '考核统计未能完成，请稍后再试');
}

/** The assessment read off the HTTP thread (read-thread.ts), each as its synchronous namesake returns it. */
export const offThread = {
  scorecards: (db: Db, scope: StaffScope, q: Q, now: Date) =>
    run<Result<Scorecards>>(db, { kind: 'scorecards', scope: scopeOf(scope), q, now }),
  unitBreakdown: (db: Db, scope: StaffScope, q: Q & { id: number }, now: Date) =>
    run<Result<UnitBreakdown>>(db, { kind: 'breakdown', scope: scopeOf(scope), q, now }),
  countyDashboard: (db: Db, scope: StaffScope, now: Date, opts: { townshipId?: number } = {}) =>
    run<CountyDashboard>(db, { kind: 'dashboard', scope: scopeOf(scope), now, opts }),
  assessmentNotice: async (db: Db, user: StaffUser, q: Q, now: Date): Promise<Result<AssessmentNotice>> =>
    (await run<{ notice: Result<AssessmentNotice> }>(db, { kind: 'notice', user, q, now, xlsx: false })).notice,
  /** The 通报 as .xlsx, built on the thread; the export is audited here. */
  noticeXlsx: async (db: Db, user: StaffUser, q: Q, now: Date): Promise<Result<{ file: NoticeFile }>> => {
    const r = await run<{ notice: Result<AssessmentNotice>; file?: NoticeFile }>(db, {
      kind: 'notice',
      user,
      q,
      now,
      xlsx: true,
    });
    if (!r.notice.ok) return r.notice;
    auditNoticeExport(db, user, r.notice, now);
    return { ok: true, file: r.file! };
  },
};

/** Only the scope crosses to the thread (a session's user carries more than the reads need). */
const scopeOf = (s: StaffScope): StaffScope => ({
  role: s.role,
  townshipId: s.townshipId,
  villageId: s.villageId,
  departmentId: s.departmentId,
});
