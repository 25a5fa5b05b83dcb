import { configDefaults, defineConfig } from 'vitest/config';

// Lighthouse's performance score counts main-thread time, so `npm test` runs its checks on their
// own after everything else (`--project=lighthouse`): beside the other browser tests on two
// cores, /report fell from ~0.96 to 0.84. (sequence.groupOrder ran the higher group first here.)
const LIGHTHOUSE = 'tests/browser/public-quality.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // A form post, its redirect and the next page can take over a second on a busy shared machine.
    expect: { poll: { timeout: 10_000 } },
    // Two cores here: files run in parallel, each with its own data directory and database.
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'app', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, LIGHTHOUSE] } },
      { extends: true, test: { name: 'lighthouse', include: [LIGHTHOUSE] } },
    ],
  },
});
