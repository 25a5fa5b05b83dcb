import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layers, bottom up (docs/decisions/012-layout-by-domain.md). A file may import its own layer
// and those below it; the domains under api/domain are ordered too, so imports between them point one way.
// messages sits under accounts: staff notices and complaint actions both write messages in their own transactions.
const DOMAINS = [
  'shared',
  'messages',
  'accounts',
  'complaints',
  'rewards',
  'enforcement',
  'supervision',
  'watch',
  'department-data',
  'targets',
  'assessment',
  'public',
  'open311',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mjs|astro)$/.test(f))
    .map((f) => join(dir, f));
}

/** Every relative module a file imports (static, dynamic or a worker's URL), as a path from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1]!,
  );
  return specs.map((s) => normalize(join(dirname(file), s)));
}

const domainOf = (path: string) => /^api\/domain\/([^/]+)\//.exec(path)?.[1];

function violations(files: string[], allowed: (from: string, to: string) => boolean) {
  return files.flatMap((f) =>
    importsOf(f)
      .filter((to) => !allowed(f, to))
      .map((to) => `${f} → ${to}`),
  );
}

describe('dependency rule', () => {
  it('db/ is the bottom layer: it imports nothing from the rest of the code', () => {
    const bad = violations(sources('db'), (_, to) => to.startsWith('db/'));
    expect(bad).toEqual([]);
  });

  it('a domain imports no route, no HTTP code and no page; only its own domain and those below it', () => {
    const bad = violations(sources('api/domain'), (from, to) => {
      if (to.startsWith('db/') || to === 'api/env.ts' || to === 'api/context.ts') return true;
      const [a, b] = [domainOf(from), domainOf(to)];
      return b !== undefined && DOMAINS.indexOf(b) <= DOMAINS.indexOf(a!);
    });
    expect(bad).toEqual([]);
    expect(
      sources('api/domain')
        .map(domainOf)
        .filter((d) => !DOMAINS.includes(d!)),
    ).toEqual([]);
  });

  it('the demo seed sits above the domains and below HTTP', () => {
    expect(violations(sources('api/seed'), (_, to) => !/^api\/(routes|http)\/|^(site|admin)\//.test(to))).toEqual([]);
  });

  it('checks what it claims: an upward import is caught', () => {
    const bad = violations(['api/routes/admin-cases.ts'], (_, to) => to.startsWith('db/'));
    expect(bad.some((v) => v.includes('api/domain/public/cases.ts'))).toBe(true);
  });
});
