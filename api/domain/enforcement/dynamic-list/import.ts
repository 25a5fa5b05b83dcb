import { and, eq, getTableColumns } from 'drizzle-orm';
import type { Db, Tx } from '../../../../db/client.ts';
import { auditLog } from '../../../../db/schema.ts';
import { enterprises } from '../../../../db/schema-enforcement.ts';
import { audit } from '../../accounts/audit.ts';
import { enterpriseFields } from '../enterprise-input.ts';
import { preparedInsert } from '../../shared/prepared-insert.ts';
import type { StaffUser } from '../../accounts/sessions.ts';
import { basisStamp, importCounts, planWith, readBasis, type ImportRowReport, type PlannedRow } from './plan.ts';
import { forgetDynamicList, type readDynamicList, type ParsedSheet } from './sheet.ts';
import { ImportThreads } from '../../shared/thread-pool.ts';
import type { ReadLimits } from '../../shared/xlsx/read.ts';
import type { VillageArea } from '../../shared/village-routing.ts';

export type ImportCounts = ReturnType<typeof importCounts>;
/**
 * What an import did or would do. The line-by-line report comes as the UTF-8 JSON of
 * { rows, counts }, made on the import thread and handed over without a copy: 10,000 lines as
 * objects cost the HTTP thread 40–140 ms to receive (structured clone), and as a string ~35 ms
 * more to become a response body.
 */
export type ImportOutcome =
  | { ok: true; counts: ImportCounts; reportJson?: Uint8Array<ArrayBuffer> }
  | {
      ok: false;
      status: 400 | 409 | 422 | 429;
      message: string;
      reportJson?: Uint8Array<ArrayBuffer>;
      retryAfterS?: number;
    };

type Actor = Pick<StaffUser, 'id' | 'displayName'>;
type SheetResult = ReturnType<typeof readDynamicList>;

/** What an import may cost (api/env.ts importLimits). */
export interface ImportLimits {
  read: Partial<ReadLimits>;
  /** Reading the file (unzip, scan, the lines' fields) on its thread; then the thread is ended. */
  readMs: number;
}

const report = (rows: ImportRowReport[], counts = importCounts(rows)) => ({
  counts,
  reportJson: new TextEncoder().encode(JSON.stringify({ rows, counts })),
});

/**
 * The plan of the last file previewed, kept on the import thread for the commit that usually
 * follows: checking every line (zod) is most of an import's time, and the commit needs it again
 * only if the database, the sheet, the villages' areas or the stamp of what the plan read differ.
 */
let lastPlan: { file: string; sha256: string; areas: string; stamp: string; planned: PlannedRow[] } | null = null;

/**
 * The sheet's lines planned on a snapshot (a read transaction), with the stamp of what they were planned on. A
 * township's office plans in its township's villages only (`townshipId`; null: a county account's, any).
 */
function planOnSnapshot(
  db: Db,
  areas: VillageArea[],
  sheet: ParsedSheet,
  townshipId: number | null,
): { stamp: string; planned: PlannedRow[] } {
  const file = db.$client.name;
  const areasKey = `${townshipId} ${JSON.stringify(areas)}`;
  const kept =
    lastPlan?.file === file && lastPlan.sha256 === sheet.sha256 && lastPlan.areas === areasKey ? lastPlan : null;
  return db.transaction(
    (tx) => {
      const stamp = basisStamp(tx, sheet, townshipId);
      if (kept?.stamp === stamp) return kept;
      const planned = planWith(readBasis(tx, sheet, townshipId), areas, sheet);
      lastPlan = { file, sha256: sheet.sha256, areas: areasKey, stamp, planned };
      return lastPlan;
    },
    { behavior: 'deferred' },
  );
}

/** What an import of this file would do, line by line; writes nothing. Runs on the import thread. */
export function previewRead(db: Db, areas: VillageArea[], read: SheetResult, townshipId: number | null): ImportOutcome {
  if (!read.ok) return { ok: false, status: 400, message: read.message };
  return { ok: true, ...report(planOnSnapshot(db, areas, read.sheet, townshipId).planned.map((r) => r.report)) };
}

/** Thrown inside the transaction to roll it back; its message is the answer. */
class Abort extends Error {}

const COLUMNS = getTableColumns(enterprises);
const ENTERPRISE_KEYS = [
  ...Object.keys(enterpriseFields.shape),
  'townshipId',
  'status',
  'createdBy',
  'updatedBy',
  'updatedAt',
].filter((k) => k in COLUMNS) as (keyof typeof enterprises.$inferInsert & string)[];
const AUDIT_KEYS = ['at', 'actorId', 'actorLabel', 'action', 'objectType', 'objectId', 'details'] as const;

/**
 * New files through one prepared statement: one drizzle insert a line, as insertEnterprise
 * does, prepared 20,000 statements for 10,000 lines and took 3.5 s. The village was resolved
 * and every (village, name) checked unique by the plan, inside this same transaction; the
 * audit rows are insertEnterprise's own ('enterprise.create', how 'import').
 */
function createAll(db: Db, actor: Actor, rows: PlannedRow[], now: Date) {
  if (rows.length === 0) return;
  const insert = preparedInsert(db, enterprises, ENTERPRISE_KEYS);
  const log = preparedInsert(db, auditLog, AUDIT_KEYS);
  for (const r of rows) {
    const id = insert({
      ...r.input!,
      townshipId: r.townshipId,
      status: r.status,
      createdBy: actor.id,
      updatedBy: actor.id,
      updatedAt: now,
    });
    log({
      at: now,
      actorId: actor.id,
      actorLabel: actor.displayName,
      action: 'enterprise.create',
      objectType: 'enterprise',
      objectId: String(id),
      details: { how: 'import', name: r.input!.name },
    });
  }
}

function updateOne(tx: Tx, actor: Actor, r: PlannedRow, now: Date) {
  const input = r.input!;
  const { id, version } = r.existing!;
  const set = Object.fromEntries(r.changed.map((f) => [f, f === 'status' ? r.status : input[f as keyof typeof input]]));
  const done = tx
    .update(enterprises)
    .set({ ...set, version: version + 1, updatedBy: actor.id, updatedAt: now })
    .where(and(eq(enterprises.id, id), eq(enterprises.version, version)))
    .run();
  if (done.changes !== 1) throw new Abort(`第 ${r.report.row} 行：“${r.report.name}”的档案刚被他人修改，请重新导入`);
  audit(
    tx,
    { id: actor.id, label: actor.displayName },
    {
      action: 'enterprise.import_update',
      objectType: 'enterprise',
      objectId: id,
      details: { row: r.report.row, fields: r.changed },
    },
    now,
  );
}

/**
 * Checks the file again against the database as it is now and writes every line in one
 * transaction: a single bad line and nothing is written, the report says which and why.
 * Runs on the import thread, with its own connection, so the HTTP thread never waits on it;
 * other writers wait for SQLite's write lock while it is held (decision 011). To hold it
 * briefly, the lines are planned first on a snapshot (or the preview's plan is taken, if
 * nothing it read has changed), and inside the transaction only a stamp of what the plan read
 * is read again: the plan is redone there only if that changed.
 */
export function commitRead(
  db: Db,
  actor: Actor,
  areas: VillageArea[],
  read: SheetResult,
  now: Date,
  townshipId: number | null,
): ImportOutcome {
  if (!read.ok) return { ok: false, status: 400, message: read.message };
  const { sheet } = read;
  const { stamp, planned } = planOnSnapshot(db, areas, sheet, townshipId);
  try {
    const done: ImportOutcome = db.transaction((tx) => {
      const plan =
        basisStamp(tx, sheet, townshipId) === stamp
          ? planned
          : planWith(readBasis(tx, sheet, townshipId), areas, sheet);
      const rows = plan.map((r) => r.report);
      const counts = importCounts(rows);
      if (counts.errors > 0)
        return {
          ok: false as const,
          status: 400 as const,
          message: `有 ${counts.errors} 行有错误，未导入任何数据`,
          reportJson: report(rows, counts).reportJson,
        };
      createAll(
        db,
        actor,
        plan.filter((r) => !r.existing),
        now,
      );
      for (const r of plan) if (r.existing && r.changed.length) updateOne(tx, actor, r, now);
      audit(
        tx,
        { id: actor.id, label: actor.displayName },
        {
          action: 'enterprise.import',
          objectType: 'enterprise_import',
          objectId: sheet.sha256.slice(0, 16),
          details: { ...counts, sha256: sheet.sha256 },
        },
        now,
      );
      return { ok: true as const, counts };
    });
    if (done.ok) {
      forgetDynamicList(sheet.sha256);
      lastPlan = null;
    }
    return done;
  } catch (e) {
    if (e instanceof Abort) return { ok: false, status: 409, message: e.message };
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE')
      return { ok: false, status: 409, message: '导入期间有同名企业被他人建档，请重新导入' };
    if (code?.startsWith('SQLITE_BUSY'))
      return { ok: false, status: 409, message: '其他人正在写入数据，未导入任何数据，请稍后重新导入' };
    throw e;
  }
}

/** One job for the import thread (import-worker.ts). */
export interface ImportJob {
  kind: 'preview' | 'commit';
  /** The SQLite file: the thread opens its own connection to it. */
  file: string;
  bytes: Uint8Array;
  areas: VillageArea[];
  now: Date;
  actor?: Actor;
  /** The importing account's township: its lines lie in that township's villages; null for a county account. */
  townshipId: number | null;
  read: Partial<ReadLimits>;
}

let threads: ImportThreads<ImportJob, ImportOutcome> | undefined;
const importThreads = () =>
  (threads ??= new ImportThreads(new URL('./import-worker.ts', import.meta.url), {
    // One: a thread costs ~150 MB of memory once it has loaded drizzle and zod (most of it stays
    // with the process after the thread ends), and imports are a few a day. A second import
    // waits its turn; more than four waiting are told to come back.
    max: 1,
    queue: 4,
    // Kept a while: the commit that follows a preview finds the file already read (dynamic-list-sheet.ts).
    idleMs: 5 * 60_000,
    heapMb: 512,
  }));

/** Ends the import threads (tests, shutdown). */
export const closeImportThreads = () => threads?.close();

const seconds = (ms: number) => String(Number((ms / 1000).toFixed(2)));

async function onThread(job: ImportJob, limits: ImportLimits): Promise<ImportOutcome> {
  // Its whole buffer goes with it (the view keeps its offset and length): the caller gives it up.
  const answer = await importThreads().run(job, [job.bytes.buffer as ArrayBuffer], limits.readMs);
  switch (answer.kind) {
    case 'done':
      return answer.value;
    case 'timeout':
      return {
        ok: false,
        status: 422,
        message: `文件过于复杂，无法在 ${seconds(limits.readMs)} 秒内读完：请只保留清单所在的工作表后重新保存`,
      };
    case 'memory':
      return {
        ok: false,
        status: 422,
        message: '文件过于复杂，读取它需要的内存超过上限：请只保留清单所在的工作表后重新保存',
      };
    case 'busy':
      return { ok: false, status: 429, message: '正在处理其他导入，请稍后再试', retryAfterS: 10 };
  }
}

function fileOf(db: Db): string {
  const file = db.$client.name;
  if (!file || file === ':memory:')
    throw new Error('imports need a database file: the import thread opens its own connection');
  return file;
}

/** Previews an upload on the import thread. `bytes` is handed over to it: its buffer, whole, is detached here. */
export function previewImport(
  db: Db,
  areas: VillageArea[],
  bytes: Uint8Array,
  now: Date,
  limits: ImportLimits,
  townshipId: number | null = null,
): Promise<ImportOutcome> {
  return onThread({ kind: 'preview', file: fileOf(db), bytes, areas, now, townshipId, read: limits.read }, limits);
}

/** Imports an upload all-or-nothing on the import thread. `bytes` is handed over to it, as for a preview. */
export function commitImport(
  db: Db,
  actor: Actor & Pick<StaffUser, 'townshipId'>,
  areas: VillageArea[],
  bytes: Uint8Array,
  now: Date,
  limits: ImportLimits,
): Promise<ImportOutcome> {
  return onThread(
    {
      kind: 'commit',
      file: fileOf(db),
      bytes,
      areas,
      now,
      actor: { id: actor.id, displayName: actor.displayName },
      townshipId: actor.townshipId,
      read: limits.read,
    },
    limits,
  );
}
