import { configDefaults, defineConfig } from 'vitest/config';

// Lighthouse's scores swing from run to run on a shared machine: `npm run lighthouse` runs them
// on their own (`--project=lighthouse`); `npm test` checks what makes them, deterministically.
const LIGHTHOUSE = 'tests/lighthouse/**/*.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    // A whole user flow in chromium (two reports, a login, a merge, acceptance) took 12–20 s here and
    // once passed 30 s in a full run on two busy cores: the limit is for a hang, not for speed.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // A form post, its redirect and the next page can take over a second on a busy shared machine.
    expect: { poll: { timeout: 10_000 } },
    // Each file has its own data directory and database. Vitest's default runs one worker fewer than
    // the cores: one file at a time on a two-core machine. Two workers there took the suite from
    // 408 s to 329 s, but the browser flows then waited on each other's chromium and portal for the
    // CPU, and one (a report's receipt) passed its 30 s wait in CI: not deterministic, so not yet.
    pool: 'forks',
    // Test files serve the app in their own process: give it npm start's young generation, so that
    // its garbage collections (and the event-loop checks of tests/security) are the server's.
    execArgv: ['--max-semi-space-size=16'],
    projects: [
      {
        extends: true,
        test: { name: 'app', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, LIGHTHOUSE] },
      },
      { extends: true, test: { name: 'lighthouse', include: [LIGHTHOUSE] } },
    ],
  },
});
