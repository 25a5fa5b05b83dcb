import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildDbTemplate } from './db-template.ts';

// Files that drive the built site (browser tests, and the crash test's child server).
const NEEDS_BUILD = /browser|crash/;

/**
 * Migrates and seeds one database that every test file copies (tests/helpers/context.ts), and
 * builds the site (only if stale) unless the run is filtered to files that do not serve it.
 */
export default async function setup(project: TestProject) {
  const template = mkdtempSync(join(tmpdir(), 'sanluanwu-template-'));
  await buildDbTemplate(template);
  project.provide('dbTemplate', template);
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.endsWith('vitest.mjs'));
  if (filters.length === 0 || filters.some((f) => NEEDS_BUILD.test(f))) {
    execFileSync(process.execPath, ['api/build-if-needed.ts'], { stdio: 'inherit' });
  }
  return () => rmSync(template, { recursive: true, force: true });
}
