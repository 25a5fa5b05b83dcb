import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildPortalTemplate } from './portal-template.ts';

/** The browser files' global setup: the built site, and one seeded portal data directory their portals copy. */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
  const template = await buildPortalTemplate();
  project.provide('portalTemplate', template);
  return () => rmSync(template.dir, { recursive: true, force: true });
}
