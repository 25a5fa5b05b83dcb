import { execFileSync } from 'node:child_process';

// Files that drive the built site (browser tests, and the crash test's child server).
const NEEDS_BUILD = /browser|crash/;

/** Builds the site once (only if stale) before any file runs; a run filtered to other files skips it. */
export default function setup() {
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.endsWith('vitest.mjs'));
  if (filters.length > 0 && !filters.some((f) => NEEDS_BUILD.test(f))) return;
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
}
