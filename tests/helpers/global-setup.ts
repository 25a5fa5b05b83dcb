import { execFileSync } from 'node:child_process';

/** Browser tests drive the built site; build it once (only if stale) before any file runs. */
export default function setup() {
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
}
