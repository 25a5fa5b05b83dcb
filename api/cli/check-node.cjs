// Runs before `npm start` and `npm test` on whatever `node` the machine has, so it is plain
// CommonJS that any old Node can parse: an old Node would otherwise die on the first `.ts` file
// with ERR_UNKNOWN_FILE_EXTENSION, or on a test dependency, saying nothing about why.
//
// The range is the intersection of what the code and the installed packages need (checked with
// their `engines` fields): type stripping by default from 22.18, undici and lighthouse 22.19,
// nock 22.20; vitest supports the even lines 22, 24 and 26+ only. package.json's `engines`
// states the same range and .ci/run installs Node 24 when this says no.
'use strict';

const RANGE = '^22.20.0 || ^24.0.0 || >=26.0.0';

function supported(version) {
  const parts = String(version).replace(/^v/, '').split('.').map(Number);
  const major = parts[0];
  const minor = parts[1];
  if (major === 22) return minor >= 20;
  return major === 24 || major >= 26;
}

// npm ships Node itself as a package per platform (what .ci/run uses): it needs no other download.
function installCommand() {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform] || process.platform;
  const pkg = `node-${os}-${process.arch}`;
  const dir = `$PWD/.toolchain/node_modules/${pkg}`;
  if (os === 'win')
    return `npm install --prefix .toolchain ${pkg}@24   (then put .toolchain\\node_modules\\${pkg} first on PATH)`;
  const install = `npm install --prefix .toolchain ${pkg}@24 &&`;
  return `${install}\n  export PATH="${dir}/bin:$PATH" npm_config_nodedir="${dir}"`;
}

function message(version) {
  return [
    '',
    `本平台需要 Node.js 22.20 或更高的 22.x、24.x 或 26 及以上（推荐 Node 24 LTS），当前是 ${version}。`,
    'This portal needs Node.js 22.20 or a later 22.x, 24.x, or 26 and later (Node 24 LTS recommended); this is ' +
      version +
      '.',
    '',
    '一条命令把 Node 24 装进本项目的 .toolchain/（不改动系统的 node），并让当前终端使用它：',
    "One command puts Node 24 in this project's .toolchain/ (the system's node stays) and uses it in this shell:",
    '',
    `  ${installCommand()}`,
    '',
    '然后重新安装依赖并启动 / then reinstall the modules for it and start:  npm ci && npm start',
    '',
  ].join('\n');
}

module.exports = { RANGE, supported, message };

if (require.main === module) {
  if (!supported(process.versions.node)) {
    process.stderr.write(`${message(process.version)}\n`);
    process.exit(1);
  }
}
