// npm run restore -- <backup directory>: into an empty DATA_DIR, then checked (integrity, row counts, photos).
import { resolve } from 'node:path';
import { getEnv } from '../env.ts';
import { describeCheck, restoreDataDir } from './data-backup.ts';

const backup = process.argv[2];
if (!backup) {
  console.error('usage: DATA_DIR=/an/empty/dir npm run restore -- <backup directory>');
  process.exit(2);
}
const dataDir = resolve(getEnv().DATA_DIR);
try {
  const { manifest, check, photos } = await restoreDataDir({ backup: resolve(backup), dataDir });
  console.log(`restored the backup of ${manifest.createdAt} into ${dataDir}: ${photos} photo files`);
  console.log(`  ${describeCheck(check)}`);
  if (!check.ok) {
    console.error(`restore check FAILED: do not serve ${dataDir}; try an older backup`);
    process.exit(1);
  }
  console.log('restore check ok');
} catch (err) {
  console.error(`restore failed: ${(err as Error).message}`);
  process.exit(1);
}
