import { globSync, readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// Lighthouse's scores swing from run to run on a shared machine: `npm run lighthouse` runs them
// on their own (`--project=lighthouse`); `npm test` checks what makes them, deterministically.
const LIGHTHOUSE = 'tests/lighthouse/**/*.test.ts';
const BROWSER = 'tests/browser/**/*.test.ts';
// Files that time the main thread (helpers/event-loop.ts): in a worker that ran other files first,
// the garbage those left would be collected inside their figures.
const TIMED = globSync('tests/{unit,integration,security}/**/*.test.ts').filter((f) =>
  readFileSync(f, 'utf8').includes('helpers/event-loop.ts'),
);

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    // A whole user flow in chromium (two reports, a login, a merge, acceptance) took 12–20 s here and
    // once passed 30 s in a full run on two busy cores: the limit is for a hang, not for speed.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // A form post, its redirect and the next page can take over a second on a busy shared machine.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Two files at a time, also on two cores (Vitest's default there is one): a browser file leaves
    // most of a core idle while chromium and its portal wait on each other. Figures: decision 027.
    maxWorkers: 2,
    // Test files serve the app in their own process: give it npm start's young generation, so that
    // its garbage collections (and the event-loop checks of tests/security) are the server's.
    execArgv: ['--max-semi-space-size=16'],
    projects: [
      {
        extends: true,
        // A worker keeps the modules it loaded for its next file (loading the app for every file was
        // a third of these files' time). Each file makes its own context, database and servers; what
        // the app keeps in a module is keyed by database or content, and a file that patches the
        // process (nock) undoes it in its afterAll.
        test: {
          name: 'app-node',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, LIGHTHOUSE, BROWSER, ...TIMED],
          isolate: false,
        },
      },
      { extends: true, test: { name: 'app-timed', include: TIMED } },
      {
        extends: true,
        // Each browser file starts its own portal (on a copy of one seeded at the start) and connects to the run's
        // chromium. A fresh worker each: sharing the workers' modules here made no difference (611.7 s, 607.4 s).
        test: { name: 'app-browser', include: [BROWSER], globalSetup: ['tests/helpers/portal-setup.ts'] },
      },
      {
        extends: true,
        test: { name: 'lighthouse', include: [LIGHTHOUSE], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
