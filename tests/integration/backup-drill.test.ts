import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { listBackups } from '../../api/cli/data-backup.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';
import { reportForm } from '../helpers/report.ts';

const portals: PortalProcess[] = [];
afterAll(() => Promise.all(portals.map((p) => p.stop())));
const temp = (name: string) => mkdtempSync(join(tmpdir(), `sanluanwu-${name}-`));

/** `npm run backup` / `npm run restore` as the operator runs them (their scripts, with the check first). */
function cli(script: 'backup' | 'restore', env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [`api/cli/${script}.ts`, ...args], {
      env: { ...process.env, NODE_ENV: 'test', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('backup drill', () => {
  it('backs up during filing, restores into an empty dir, finds every acknowledged report and photo', async () => {
    const portal = await startPortal({ REPORT_RATE_LIMIT: '100000' });
    portals.push(portal);
    const backupDir = temp('backups');
    const photos = await Promise.all([1, 2].map((h) => demoPhoto({ hue: h * 70, width: 640, height: 480 })));
    const acked = new Map<string, number>(); // tracking code -> photos sent
    let stop = false;
    const client = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const count = (id + n) % 3;
        const res = await fetch(`${portal.base}/api/complaints`, {
          method: 'POST',
          body: reportForm({ idempotencyKey: `drill-${id}-${n}-0123456789` }, photos.slice(0, count)),
        });
        expect(res.status).toBe(201);
        acked.set(((await res.json()) as { trackingCode: string }).trackingCode, count);
      }
    };
    const clients = Array.from({ length: 6 }, (_, i) => client(i));
    while (acked.size < 12) await new Promise((r) => setTimeout(r, 5));

    // Everything acknowledged before the backup starts must be in it; what is filed during it may be or not, whole.
    const before = new Map(acked);
    const backup = await cli('backup', { DATA_DIR: portal.dataDir, BACKUP_DIR: backupDir });
    const during = acked.size - before.size;
    stop = true;
    await Promise.all(clients);
    expect(backup.out).toContain('backup complete');
    expect(backup.code).toBe(0);
    expect(during, 'reports acknowledged while the backup ran').toBeGreaterThan(0);
    const [name] = listBackups(backupDir);
    expect(name).toBeDefined();
    const manifest = JSON.parse(readFileSync(join(backupDir, name!, 'manifest.json'), 'utf8'));
    // Reported, not asserted: what the drill did on this machine.
    console.log(
      `backup drill: ${before.size} reports acknowledged before the backup, ${during} while it ran; ` +
        `copy ${manifest.ms} ms, ${manifest.database.bytes} bytes of database, ${manifest.photos.files} photo files`,
    );

    const restored = temp('restored');
    const restore = await cli('restore', { DATA_DIR: restored }, [join(backupDir, name!)]);
    expect(restore.out).toContain('restore check ok');
    expect(restore.out).toContain('integrity_check: ok');
    expect(restore.code).toBe(0);

    const db = new Database(join(restored, 'portal.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const byCode = db.prepare('SELECT id FROM complaints WHERE tracking_code = ?');
      const photosOf = db.prepare('SELECT file, thumb_file FROM complaint_photos WHERE complaint_id = ?');
      let inBackup = 0;
      for (const [code, sent] of acked) {
        const row = byCode.get(code) as { id: number } | undefined;
        if (before.has(code)) expect(row, `report ${code}, acknowledged before the backup`).toBeDefined();
        if (!row) continue;
        inBackup++;
        // A report in the copy has all its photos in it.
        const files = photosOf.all(row.id) as { file: string; thumb_file: string }[];
        expect(files).toHaveLength(sent);
        for (const f of files)
          for (const file of [f.file, f.thumb_file])
            expect(existsSync(join(restored, 'photos', file)), file).toBe(true);
      }
      expect(inBackup).toBeGreaterThanOrEqual(before.size);
    } finally {
      db.close();
    }

    // The restored directory serves: a report and its photo through the API.
    const again = await startPortal({}, restored);
    portals.push(again);
    expect(again.output()).not.toContain('seeded the demo');
    const code = [...before].find(([, sent]) => sent > 0)![0];
    const res = await fetch(`${again.base}/api/complaints/${code}`);
    expect(res.status).toBe(200);
    const { photos: shown } = (await res.json()) as { photos: { id: string }[] };
    expect((await fetch(`${again.base}/api/complaints/${code}/photos/${shown[0]!.id}/thumb`)).status).toBe(200);
  }, 180_000);

  it('restores only into an empty directory, and a damaged backup fails its check', async () => {
    const portal = portals[0]!;
    const backupDir = temp('backups');
    expect((await cli('backup', { DATA_DIR: portal.dataDir, BACKUP_DIR: backupDir })).code).toBe(0);
    const dir = join(backupDir, listBackups(backupDir)[0]!);

    const busy = temp('busy');
    writeFileSync(join(busy, 'something'), 'x');
    const refused = await cli('restore', { DATA_DIR: busy }, [dir]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('is not empty');

    // A manifest that no longer matches the database: the check says so and the restore fails.
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.database.counts.complaints += 1;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const damaged = await cli('restore', { DATA_DIR: join(temp('restored'), 'data') }, [dir]);
    expect(damaged.out).toContain('row counts differ from the manifest in complaints');
    expect(damaged.code).toBe(1);
  });

  it('BACKUP_EVERY_HOURS: the server makes one when the newest is that old, and /metrics says when', async () => {
    const backupDir = temp('scheduled');
    // One second: the first check comes a second after start.
    const portal = await startPortal({ BACKUP_EVERY_HOURS: String(1 / 3600), BACKUP_DIR: backupDir, BACKUP_KEEP: '2' });
    portals.push(portal);
    await expect.poll(() => listBackups(backupDir).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${portal.base}/metrics`)).text();
    const at = Number(/^portal_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(at).toBeGreaterThan(Date.now() / 1000 - 600);
    await expect.poll(() => portal.output(), { timeout: 60_000 }).toContain('scheduled backup done');
    // Older ones beyond BACKUP_KEEP are removed as new ones come.
    const first = listBackups(backupDir)[0]!;
    await expect.poll(() => listBackups(backupDir).includes(first), { timeout: 60_000 }).toBe(false);
    expect(listBackups(backupDir).length).toBeLessThanOrEqual(2);
  }, 180_000);
});
