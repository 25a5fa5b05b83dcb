import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';
import { reportForm } from '../helpers/report.ts';

let portal: PortalProcess | undefined;
afterAll(() => portal?.stop());

describe('a crash loses nothing that was acknowledged', () => {
  it('keeps every acknowledged report and its photos after SIGKILL at a random moment', async () => {
    portal = await startPortal({ REPORT_RATE_LIMIT: '100000' });
    const { base, dataDir } = portal;
    const photos = await Promise.all([1, 2, 3].map((h) => demoPhoto({ hue: h * 50, width: 640, height: 480 })));
    const acked = new Map<string, number>(); // tracking code -> photos sent
    let stop = false;
    const client = async (id: number) => {
      for (let n = 0; !stop; n++) {
        const count = (id + n) % 3;
        try {
          const res = await fetch(`${base}/api/complaints`, {
            method: 'POST',
            body: reportForm({ idempotencyKey: `crash-${id}-${n}-0123456789` }, photos.slice(0, count)),
          });
          if (res.status === 201) acked.set((await res.json()).trackingCode, count);
          else throw new Error(`unexpected ${res.status}`);
        } catch (err) {
          if (!stop) throw err;
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, i) => client(i));
    // A random moment once some reports are in (counted, not timed: a busy machine files fewer in a
    // given time), with filings and commits still under way.
    const target = 6 + Math.floor(Math.random() * 18);
    while (acked.size < target) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, Math.random() * 100));
    stop = true; // from here on a refused connection is the crash, not a failure
    portal.child.kill('SIGKILL');
    await new Promise((r) => portal!.child.once('exit', r));
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThan(5);

    // The restart applies migrations, finds the data and does not seed again.
    portal = await startPortal({}, dataDir);
    expect(portal.output()).not.toContain('seeded the demo');
    const health = await fetch(`${portal.base}/api/health`);
    expect(health.status).toBe(200);

    const db = new Database(join(dataDir, 'portal.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const byCode = db.prepare('SELECT id FROM complaints WHERE tracking_code = ?');
      const photosOf = db.prepare('SELECT file, thumb_file FROM complaint_photos WHERE complaint_id = ? ORDER BY seq');
      for (const [code, sent] of acked) {
        const row = byCode.get(code) as { id: number } | undefined;
        expect(row, `acknowledged report ${code}`).toBeDefined();
        const files = photosOf.all(row!.id) as { file: string; thumb_file: string }[];
        expect(files).toHaveLength(sent);
        for (const f of files) {
          for (const name of [f.file, f.thumb_file]) {
            const path = join(dataDir, 'photos', name);
            expect(existsSync(path)).toBe(true);
            expect((await sharp(path).metadata()).format).toBe('webp');
          }
        }
      }
    } finally {
      db.close();
    }
    expect(readdirSync(join(dataDir, 'photos')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
