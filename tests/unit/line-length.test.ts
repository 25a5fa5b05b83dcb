import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Biome formats code to 120 columns but leaves comments, long strings and .astro templates as written.
const LIMIT = 120;

describe('line length', () => {
  it(`keeps every line of code, markup and style within ${LIMIT} characters`, () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
      .split('\n')
      .filter(
        (f) =>
          /^(api|db|site|admin|tests)\/.*\.(ts|mjs|astro|css)$|^[^/]+\.(ts|mjs)$/.test(f) &&
          !f.startsWith('db/migrations/'),
      );
    expect(files.length).toBeGreaterThan(100);
    const long = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => ([...line].length > LIMIT ? [`${f}:${i + 1} (${[...line].length})`] : [])),
    );
    expect(long).toEqual([]);
  });
});
