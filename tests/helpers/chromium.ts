import { existsSync } from 'node:fs';

// Test configuration, not app configuration: where Debian's chromium is and whether it must be.
const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.REQUIRE_BROWSER === '1';

export const hasBrowser = existsSync(path);
if (!hasBrowser) {
  const message =
    `\n!!! NO BROWSER at ${path}: browser end-to-end tests are SKIPPED. ` +
    "Install Debian's chromium or set CHROMIUM_PATH. !!!\n";
  if (required) throw new Error(`REQUIRE_BROWSER=1 but ${message}`);
  console.warn(message);
}

export const CHROMIUM_OPTIONS = {
  executablePath: path,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
