import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Page folders follow URLs and public assets follow the files they serve: the table names their parents.
const FOLLOWS_SOMETHING_ELSE = /^(site|admin)\/pages\/.|^site\/public\/.|^db\/migrations\/./;

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      const path = join(dir, e.name);
      return FOLLOWS_SOMETHING_ELSE.test(`${path}/`) ? [] : [path, ...folders(path)];
    });
}

const readme = readFileSync('README.md', 'utf8');
const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 1));
const rows = new Map([...layout.matchAll(/^\| `([^`]+)\/` \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!]));

describe("the README's layout table is the folder tree", () => {
  it('names every source folder, in its own row or in its parent row', () => {
    const missing = ['api', 'db', 'site', 'admin', 'tests', 'docs']
      .flatMap((top) => [top, ...folders(top)])
      .filter((path) => {
        if (rows.has(path)) return false;
        const parent = path.slice(0, path.lastIndexOf('/'));
        const name = path.slice(path.lastIndexOf('/') + 1);
        return !(rows.get(parent) ?? '').includes(`\`${name}/\``) && !(rows.get(parent) ?? '').includes(` ${name}/`);
      });
    expect(missing).toEqual([]);
  });

  it('names no folder that is not there', () => {
    const present = new Set(['api', 'db', 'site', 'admin', 'tests', 'docs'].flatMap((top) => [top, ...folders(top)]));
    expect([...rows.keys()].filter((path) => !present.has(path))).toEqual([]);
  });
});
