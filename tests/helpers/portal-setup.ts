import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { PAGES_BROWSER_OPTIONS, hasBrowser } from './chromium.ts';
import { buildPortalTemplate } from './portal-template.ts';

/**
 * The browser files' global setup: the built site, one seeded portal data directory their portals copy, and one
 * chromium they connect to (a launch was about half a second of CPU for each file).
 */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
  const [template, browser] = await Promise.all([
    buildPortalTemplate(),
    hasBrowser ? chromium.launchServer(PAGES_BROWSER_OPTIONS) : undefined,
  ]);
  project.provide('portalTemplate', template);
  project.provide('chromiumEndpoint', browser?.wsEndpoint() ?? '');
  return async () => {
    await browser?.close();
    rmSync(template.dir, { recursive: true, force: true });
  };
}
