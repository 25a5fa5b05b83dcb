// npm run backup: a consistent copy of DATA_DIR (database and photos) into BACKUP_DIR while the portal runs.
import { resolve } from 'node:path';
import { getEnv } from '../env.ts';
import { backupDataDir, describeCheck } from './data-backup.ts';

const env = getEnv();
try {
  const { dir, manifest, check, removed } = await backupDataDir({
    dataDir: resolve(env.DATA_DIR),
    backupDir: resolve(env.BACKUP_DIR),
    keep: env.BACKUP_KEEP,
  });
  const p = manifest.photos;
  console.log(`backup complete: ${dir} in ${manifest.ms} ms`);
  console.log(`  database ${manifest.database.bytes} bytes; ${describeCheck(check)}`);
  console.log(`  photos: ${p.files} files, ${p.bytes} bytes (${p.linked} hard-linked to the previous backup)`);
  if (removed.length) console.log(`  removed the oldest (BACKUP_KEEP=${env.BACKUP_KEEP}): ${removed.join(', ')}`);
} catch (err) {
  console.error(`backup failed: ${(err as Error).message}`);
  process.exit(1);
}
