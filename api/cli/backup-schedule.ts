import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../env.ts';
import { logger } from '../http/logging.ts';
import { newestBackupSeconds } from './data-backup.ts';

const BACKUP = fileURLToPath(new URL('./backup.ts', import.meta.url));
const CHECK_MS = 10 * 60_000;

/**
 * BACKUP_EVERY_HOURS: the server makes a backup when the newest in BACKUP_DIR is that old, so a
 * restart neither skips one nor makes an extra. Each runs `npm run backup`'s own script in a child
 * process at low priority: the copy's reads, checks and file work never touch this event loop.
 */
export function backupSchedule(env: Env) {
  const dir = resolve(env.BACKUP_DIR);
  const everyS = env.BACKUP_EVERY_HOURS * 3600;
  let running = false;
  const start = (failed: () => void) => {
    if (!everyS) return;
    const check = () => {
      if (running || Date.now() / 1000 - newestBackupSeconds(dir) < everyS) return;
      running = true;
      const child = spawn(process.execPath, [BACKUP], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid) setPriority(child.pid, 10);
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => {
        running = false;
        const detail = out.trim().split('\n')[0];
        if (code === 0) logger.info({ backup: detail }, 'scheduled backup done');
        else {
          failed();
          logger.error({ backup: out.trim().slice(-2000), code }, 'scheduled backup failed');
        }
      });
    };
    const everyMs = everyS * 1000;
    setTimeout(check, Math.min(everyMs, 60_000)).unref();
    setInterval(check, Math.min(everyMs, CHECK_MS)).unref();
  };
  // Read when Prometheus asks, so that a backup made by hand counts too.
  return { start, lastBackupSeconds: () => newestBackupSeconds(dir) };
}
