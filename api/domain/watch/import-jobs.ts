import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships, users } from '../../../db/schema.ts';
import { dataImports } from '../../../db/schema-watch.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { fail, type Result } from '../shared/result.ts';
import type { TableLimits } from '../shared/table-rows.ts';
import { finish, type ImportProgress, type ImportResult } from './import-run.ts';
import type { ThreadJob } from './import-thread.ts';
import { workingTownship } from '../shared/township-links.ts';
import { townshipCondition } from '../shared/township-scope.ts';

/**
 * The utility's files (readings, meter lists) imported in the background: the upload is spooled to DATA_DIR and
 * hashed as it arrives, its row written ('running'), and a thread reads, checks and writes it (import-thread.ts)
 * while the page polls `importStatus` for the progress bar. One import at a time per township: two files of the
 * same meters would race. After readings were written, detection runs for the township.
 */
export type ImportList = 'readings' | 'meters';
const KINDS = ['daily', 'interval', 'meters'] as const;

interface Live {
  townshipId: number;
  progress: ImportProgress | null;
  done: Promise<void>;
}
const live = new Map<number, Live>();
/** Townships whose upload is being spooled: the import has no row yet. */
const spooling = new Set<number>();

const THREAD = new URL('./import-thread.ts', import.meta.url);
type Who = Pick<StaffUser, 'id' | 'displayName' | 'townshipId'>;

export interface ImportStart {
  list: ImportList;
  /** A county account's choice of the township the file is for; a township account imports into its own. */
  townshipId?: number;
  fileName: string;
  body: AsyncIterable<Uint8Array>;
}
export interface ImportSetup {
  dataDir: string;
  limits: TableLimits;
  /** Run after readings were written (relapse detection for the township). */
  afterReadings?: (townshipId: number) => Promise<unknown>;
}

/** Spools the upload, records the import and starts its thread; answers at once with the import's id. */
export async function startImport(
  db: Db,
  user: Who,
  input: ImportStart,
  setup: ImportSetup,
  now: Date,
): Promise<Result<{ id: number }>> {
  const where = workingTownship(db, user, input.townshipId);
  if (!where.ok) return where;
  const { townshipId } = where;
  if (spooling.has(townshipId) || [...live.values()].some((j) => j.townshipId === townshipId))
    return fail(409, '已有文件正在导入，请等它完成后再上传');
  const dir = join(setup.dataDir, 'imports');
  const path = join(dir, `${randomBytes(8).toString('hex')}.upload`);
  spooling.add(townshipId);
  let spooled: Awaited<ReturnType<typeof spool>>;
  try {
    await mkdir(dir, { recursive: true });
    spooled = await spool(input.body, path, setup.limits.maxBytes);
  } finally {
    spooling.delete(townshipId);
  }
  if (!spooled.ok) {
    await unlink(path).catch(() => {});
    return spooled;
  }
  const { id } = db
    .insert(dataImports)
    .values({
      townshipId,
      kind: input.list === 'meters' ? 'meters' : 'daily',
      fileName: input.fileName.slice(0, 200) || '未命名文件',
      sha256: spooled.sha256,
      bytes: spooled.bytes,
      createdBy: user.id,
      createdAt: now,
    })
    .returning({ id: dataImports.id })
    .get();
  const job = { importId: id, townshipId, path, limits: setup.limits, now: now.getTime() };
  const entry: Live = { townshipId, progress: null, done: Promise.resolve() };
  live.set(id, entry);
  entry.done = run(db, { ...job, list: input.list, userId: user.id, userLabel: user.displayName }, entry)
    .then(async (result) => {
      if (result?.ok && result.kind !== 'meters' && result.counts.inserted + result.counts.updated > 0)
        await setup.afterReadings?.(townshipId);
    })
    .finally(async () => {
      live.delete(id);
      await unlink(path).catch(() => {});
    });
  return { ok: true, id };
}

async function spool(body: AsyncIterable<Uint8Array>, path: string, maxBytes: number) {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.byteLength;
      if (bytes > maxBytes)
        return fail(400, `文件超过 ${Math.floor(maxBytes / 1024 / 1024)} MB 上限，无法导入：请分成几个文件`);
      hash.update(chunk);
      await file.write(chunk);
    }
  } catch {
    return fail(400, '上传中断，请重新选择文件');
  } finally {
    await file.close();
  }
  if (bytes === 0) return fail(400, '请选择要导入的文件');
  return { ok: true as const, sha256: hash.digest('hex'), bytes };
}

// Threads kept for the next file a minute after one ends: starting one (loading the modules) takes a second or more.
const idle: Worker[] = [];
const IDLE_MS = 60_000;
const idleTimers = new WeakMap<Worker, NodeJS.Timeout>();

function thread(): Worker {
  const w = idle.pop();
  if (w) {
    clearTimeout(idleTimers.get(w));
    return w;
  }
  return new Worker(THREAD);
}
function release(w: Worker) {
  w.unref();
  idle.push(w);
  const timer = setTimeout(() => {
    idle.splice(idle.indexOf(w), 1);
    void w.terminate();
  }, IDLE_MS);
  timer.unref();
  idleTimers.set(w, timer);
}

type Message =
  | { type: 'progress'; id: number; progress: ImportProgress }
  | { type: 'done'; id: number; result: ImportResult }
  | { type: 'error'; id: number; message: string };

/** The thread's answer; a job that fails or a thread that dies leaves the import failed, with what to do next. */
function run(db: Db, job: Omit<ThreadJob, 'file'>, entry: Live): Promise<ImportResult | null> {
  return new Promise((resolve) => {
    const worker = thread();
    worker.ref();
    const end = (result: ImportResult | null, why?: string) => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (!result)
        finish(db, job.importId, {
          status: 'failed',
          rowsRead: 0,
          errors: [{ line: 0, message: `导入中断（${why ?? '未知原因'}）：已写入的行保留，请重新导入同一文件完成` }],
        });
      resolve(result);
    };
    const onMessage = (m: Message) => {
      if (m.id !== job.importId) return;
      if (m.type === 'progress') entry.progress = m.progress;
      else if (m.type === 'done') {
        release(worker);
        end(m.result);
      } else {
        release(worker);
        end(null, m.message);
      }
    };
    const onError = (e: Error) => end(null, e.message.slice(0, 200));
    const onExit = (code: number) => end(null, `线程退出 ${code}`);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage({ ...job, file: db.$client.name } satisfies ThreadJob);
  });
}

/** Resolves when the import's thread is done (tests, shutdown); at once if it is not running here. */
export const importFinished = (id: number) => live.get(id)?.done ?? Promise.resolve();

export interface ImportView {
  id: number;
  kind: (typeof KINDS)[number];
  fileName: string;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  /** 0–100 while running: reading is the first half, writing the second. */
  percent: number;
  phase: ImportProgress['phase'] | null;
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  errors: { line: number; message: string }[];
  by: string;
  bytes: number;
  createdAt: Date;
  finishedAt: Date | null;
  /** On lists: the township the file was imported for (a county account sees several). */
  townshipName?: string;
}

function view(row: Omit<ImportView, 'percent' | 'phase' | 'status'> & { status: ImportView['status'] }): ImportView {
  const job = live.get(row.id);
  const p = job?.progress;
  const percent = p ? Math.min(99, Math.floor((p.phase === 'writing' ? 50 : 0) + (50 * p.done) / (p.total || 1))) : 0;
  // Running in the database but in no thread of this process: the process stopped during it.
  const status = row.status === 'running' && !job ? 'interrupted' : row.status;
  return { ...row, status, percent: row.status === 'done' ? 100 : percent, phase: p?.phase ?? null };
}

/** What a list of imports shows of each: department data's list reads the same. */
export const importColumns = {
  id: dataImports.id,
  kind: dataImports.kind,
  fileName: dataImports.fileName,
  status: dataImports.status,
  rowsRead: dataImports.rowsRead,
  rowsInserted: dataImports.rowsInserted,
  rowsUpdated: dataImports.rowsUpdated,
  rowsUnchanged: dataImports.rowsUnchanged,
  errors: dataImports.errors,
  by: users.displayName,
  bytes: dataImports.bytes,
  createdAt: dataImports.createdAt,
  finishedAt: dataImports.finishedAt,
};

/** Which imports an account sees: its township's; a county account every township's. */
export const importScope = (user: Pick<Who, 'townshipId'>) =>
  townshipCondition(user, { township: dataImports.townshipId });

/** The township's last imports of the utility's files (a county account's: all townships'), newest first. */
export function listMeterImports(db: Db, user: Who, limit = 30): ImportView[] {
  return db
    .select({ ...importColumns, townshipName: townships.name })
    .from(dataImports)
    .innerJoin(users, eq(users.id, dataImports.createdBy))
    .innerJoin(townships, eq(townships.id, dataImports.townshipId))
    .where(and(importScope(user), inArray(dataImports.kind, [...KINDS])))
    .orderBy(desc(dataImports.id))
    .limit(limit)
    .all()
    .map((r) => view(r as Parameters<typeof view>[0]));
}

/** One import with its progress (polled by the page). */
export function importStatus(db: Db, user: Who, id: number): Result<{ import: ImportView }> {
  const row = db
    .select(importColumns)
    .from(dataImports)
    .innerJoin(users, eq(users.id, dataImports.createdBy))
    .where(and(eq(dataImports.id, id), importScope(user), inArray(dataImports.kind, [...KINDS])))
    .get();
  if (!row) return fail(404, '导入记录不存在');
  return { ok: true, import: view(row as Parameters<typeof view>[0]) };
}
