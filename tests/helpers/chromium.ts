import { existsSync } from 'node:fs';

// Test configuration, not app configuration: where Debian's chromium is and whether it must be.
const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Debian's chromium-headless-shell: the same engine without the browser's own layer, about half the CPU a page
// (decision 027). Chrome's installability checks (pwa.test.ts) and Lighthouse need the full browser.
const shellPath = process.env.CHROMIUM_SHELL_PATH ?? '/usr/bin/chromium-headless-shell';
const required = process.env.REQUIRE_BROWSER === '1';

export const hasBrowser = existsSync(path);
if (!hasBrowser) {
  const message =
    `\n!!! NO BROWSER at ${path}: browser end-to-end tests are SKIPPED. ` +
    "Install Debian's chromium or set CHROMIUM_PATH. !!!\n";
  if (required) throw new Error(`REQUIRE_BROWSER=1 but ${message}`);
  console.warn(message);
}

const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The full browser. */
export const CHROMIUM_OPTIONS = { executablePath: path, args };

/** What the browser tests drive: the headless shell when installed, else the full browser. */
export const PAGES_BROWSER_OPTIONS = { executablePath: existsSync(shellPath) ? shellPath : path, args };
