import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
const builtins = new Set(builtinModules);

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mjs|astro)$/.test(f) && !f.includes('node_modules'))
    .map((f) => join(dir, f));
}

/** The package a bare specifier names: 'drizzle-orm/sqlite-core' → 'drizzle-orm', '@hono/zod-validator' as is. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** A bare specifier after `from`, in a dynamic import or in a side-effect import: groups 1, 2 and 3. */
const IMPORTED = new RegExp(
  [
    /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'/.source,
    /import\(\s*'([^'.][^']*)'\s*\)/.source,
    /^\s*import\s+'([^'.][^']*)'/.source,
  ].join('|'),
  'gm',
);

describe('dependencies', () => {
  it('every package the code and the tests import is declared in package.json', () => {
    const files = [...['api', 'db', 'site', 'admin', 'tests'].flatMap(sources), 'astro.config.mjs', 'vitest.config.ts'];
    const undeclared = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(IMPORTED)]
        .map((m) => m[1] ?? m[2] ?? m[3]!)
        .filter(
          (s) => !s.startsWith('node:') && !s.startsWith('astro:') && !s.startsWith('virtual:') && !builtins.has(s),
        )
        .map(packageOf)
        .filter((p) => !declared.has(p))
        .map((p) => `${f}: ${p}`),
    );
    expect(undeclared).toEqual([]);
  });
});
