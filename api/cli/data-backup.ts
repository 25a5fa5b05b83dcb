import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// What DATA_DIR holds: the database (with its -wal and -shm while open), photos/, and small files
// such as login-device.key, copied as they are.
const DB = 'portal.sqlite';
const PHOTOS = 'photos';
const MANIFEST = 'manifest.json';
const NAME = /^portal-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z$/;

export interface Manifest {
  format: 1;
  createdAt: string;
  database: { file: string; bytes: number; counts: Record<string, number> };
  photos: { files: number; bytes: number; linked: number; referenced: number };
  otherFiles: string[];
  ms: number;
}

export interface Check {
  ok: boolean;
  integrity: string;
  counts: Record<string, number>;
  /** Tables whose row count differs from the manifest's. */
  countsDiffer: string[];
  referencedPhotos: number;
  missingPhotos: string[];
}

/** Every table's rows, and every photo file a row names (columns `file`, `thumb_file` …). */
function inventory(db: Database.Database) {
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'").all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  const quote = (id: string) => `"${id.replaceAll('"', '""')}"`;
  const counts: Record<string, number> = {};
  const photos = new Set<string>();
  for (const t of tables.sort()) {
    counts[t] = (db.prepare(`SELECT count(*) AS n FROM ${quote(t)}`).get() as { n: number }).n;
    const columns = (db.prepare(`PRAGMA table_info(${quote(t)})`).all() as { name: string }[])
      .map((c) => c.name)
      .filter((c) => c === 'file' || c.endsWith('_file'));
    for (const c of columns)
      for (const row of db.prepare(`SELECT DISTINCT ${quote(c)} AS f FROM ${quote(t)}`).all() as { f: unknown }[])
        if (typeof row.f === 'string' && row.f) photos.add(row.f);
  }
  return { counts, photos };
}

/** integrity_check, the row counts against a manifest's, and every photo a row names on disk. */
export function checkDataDir(dir: string, manifest?: Manifest): Check {
  const db = new Database(join(dir, DB), { fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((r) => r.integrity_check)
      .join('; ');
    const { counts, photos } = inventory(db);
    const expected = manifest?.database.counts ?? counts;
    const countsDiffer = [...new Set([...Object.keys(counts), ...Object.keys(expected)])].filter(
      (t) => counts[t] !== expected[t],
    );
    const missingPhotos = [...photos].filter((f) => !existsSync(join(dir, PHOTOS, f)));
    return {
      ok: integrity === 'ok' && countsDiffer.length === 0 && missingPhotos.length === 0,
      integrity,
      counts,
      countsDiffer,
      referencedPhotos: photos.size,
      missingPhotos,
    };
  } finally {
    db.close();
  }
}

/** Complete backups in `backupDir`, oldest first: a directory with a manifest and a name of ours. */
export function listBackups(backupDir: string): string[] {
  if (!existsSync(backupDir)) return [];
  return readdirSync(backupDir)
    .filter((n) => NAME.test(n) && existsSync(join(backupDir, n, MANIFEST)))
    .sort();
}

/** When the newest complete backup was made, in seconds since the epoch; 0 for none. */
export function newestBackupSeconds(backupDir: string): number {
  const newest = listBackups(backupDir).at(-1);
  if (!newest) return 0;
  const at = newest.slice('portal-'.length).replace(/T(\d{2})-(\d{2})-(\d{2})/, 'T$1:$2:$3');
  return Date.parse(at) / 1000;
}

/** One backup at a time per BACKUP_DIR (the schedule and an officer's `npm run backup`). */
function lock(backupDir: string): () => void {
  const file = join(backupDir, '.backup.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && alive(pid)) throw new Error(`another backup is running (pid ${pid}, ${file})`);
      rmSync(file, { force: true }); // left by a backup that died
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A few file copies at a time: the photos of a county are tens of thousands of files. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * A consistent copy of a DATA_DIR that may be in use, into `<backupDir>/portal-<UTC time>/`. The
 * database goes first, through SQLite's backup API in one step: one read transaction, so one
 * moment's state, while the portal goes on writing (WAL). The photos go after it: a photo is
 * on disk before the row naming it commits, so every photo the copy names is there to copy.
 * Photos never change once written, so one the previous backup holds is hard-linked, not copied.
 * The copy is checked (integrity, every named photo present) before it is renamed into place.
 */
export async function backupDataDir(opts: { dataDir: string; backupDir: string; keep: number; now?: Date }) {
  const started = performance.now();
  const { dataDir, backupDir } = opts;
  if (!existsSync(join(dataDir, DB))) throw new Error(`no database at ${join(dataDir, DB)}`);
  await mkdir(backupDir, { recursive: true });
  const unlock = lock(backupDir);
  try {
    const previous = listBackups(backupDir).at(-1);
    const at = opts.now ?? new Date();
    const name = `portal-${at.toISOString().replaceAll(':', '-')}`;
    const partial = join(backupDir, `${name}.partial`);
    // Partial copies are left only by a backup that died: none is running now (the lock).
    for (const n of readdirSync(backupDir)) if (n.endsWith('.partial')) rmSync(join(backupDir, n), { recursive: true });
    await mkdir(join(partial, PHOTOS), { recursive: true });

    const source = new Database(join(dataDir, DB), { fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      // After the first (empty) step, all the pages in the next: one read transaction.
      await source.backup(join(partial, DB), { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }

    const photoDir = join(dataDir, PHOTOS);
    const names = existsSync(photoDir) ? (await readdir(photoDir)).filter((n) => !n.endsWith('.tmp')) : [];
    let bytes = 0;
    let linked = 0;
    await eachLimited(names, 8, async (n) => {
      const from = join(photoDir, n);
      const to = join(partial, PHOTOS, n);
      const size = (await stat(from).catch(() => null))?.size;
      if (size === undefined) return; // removed since it was listed (a case photo deleted): no row names it
      bytes += size;
      const before = previous && join(backupDir, previous, PHOTOS, n);
      if (before && (await stat(before).catch(() => null))?.size === size) {
        try {
          await link(before, to);
          linked++;
          return;
        } catch {
          // another file system, or links not allowed: copy it
        }
      }
      await copyFile(from, to);
    });
    const otherFiles = readdirSync(dataDir).filter(
      (n) => !n.startsWith(DB) && n !== PHOTOS && !n.endsWith('.tmp') && statSync(join(dataDir, n)).isFile(),
    );
    for (const n of otherFiles) await copyFile(join(dataDir, n), join(partial, n));

    const check = checkDataDir(partial);
    if (!check.ok) throw new Error(`the copy failed its check: ${describeCheck(check)}`);
    const manifest: Manifest = {
      format: 1,
      createdAt: at.toISOString(),
      database: { file: DB, bytes: statSync(join(partial, DB)).size, counts: check.counts },
      photos: { files: names.length, bytes, linked, referenced: check.referencedPhotos },
      otherFiles,
      ms: Math.round(performance.now() - started),
    };
    await writeFile(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const dir = join(backupDir, name);
    await rename(partial, dir);
    const removed = await prune(backupDir, opts.keep);
    return { dir, manifest, check, removed };
  } finally {
    unlock();
  }
}

/** Keeps the newest `keep` complete backups. */
async function prune(backupDir: string, keep: number): Promise<string[]> {
  const all = listBackups(backupDir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const n of old) await rm(join(backupDir, n), { recursive: true });
  return old;
}

/** A backup into an empty (or new) DATA_DIR, then checked against its manifest. */
export async function restoreDataDir(opts: { backup: string; dataDir: string }) {
  const { backup, dataDir } = opts;
  if (!existsSync(join(backup, MANIFEST)) || !existsSync(join(backup, DB)))
    throw new Error(`${backup} is not a backup (no ${MANIFEST} and ${DB})`);
  const manifest = JSON.parse(readFileSync(join(backup, MANIFEST), 'utf8')) as Manifest;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0)
    throw new Error(`DATA_DIR ${dataDir} is not empty: restore only into an empty or new directory`);
  await mkdir(join(dataDir, PHOTOS), { recursive: true });
  await copyFile(join(backup, DB), join(dataDir, DB));
  const photos = existsSync(join(backup, PHOTOS)) ? await readdir(join(backup, PHOTOS)) : [];
  await eachLimited(photos, 8, (n) => copyFile(join(backup, PHOTOS, n), join(dataDir, PHOTOS, n)));
  for (const n of manifest.otherFiles ?? []) await copyFile(join(backup, n), join(dataDir, n));
  return { manifest, check: checkDataDir(dataDir, manifest), photos: photos.length };
}

export function describeCheck(c: Check): string {
  const parts = [`integrity_check: ${c.integrity}`];
  const rows = Object.values(c.counts).reduce((a, b) => a + b, 0);
  parts.push(`${Object.keys(c.counts).length} tables, ${rows} rows`);
  if (c.countsDiffer.length) parts.push(`row counts differ from the manifest in ${c.countsDiffer.join(', ')}`);
  parts.push(`${c.referencedPhotos} photo files named by rows`);
  const missing = c.missingPhotos;
  if (missing.length)
    parts.push(`${missing.length} missing (${missing.slice(0, 5).join(', ')}${missing[5] ? ' …' : ''})`);
  return parts.join('; ');
}
