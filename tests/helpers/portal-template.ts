import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPortal } from './portal-process.ts';

export interface PortalTemplate {
  /** A data directory `npm start` seeded (the demo with its samples) and was stopped on. */
  dir: string;
  /** What that start printed: the demo accounts' one-time passwords among it. */
  output: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Made once per run for the browser files (portal-setup.ts). */
    portalTemplate: PortalTemplate;
    /** The run's chromium (portal-setup.ts), which the browser files connect to; '' where none was started. */
    chromiumEndpoint: string;
  }
}

/**
 * `npm start` once on an empty data directory, as a new installation's first start (migrate, seed, print the
 * one-time passwords), then stopped. Each browser file's portal starts on a copy: the seeding was half of a start.
 */
export async function buildPortalTemplate(): Promise<PortalTemplate> {
  const portal = await startPortal();
  await portal.stop();
  return { dir: portal.dataDir, output: portal.output() };
}

/** A new data directory holding a copy of the template's. */
export function copyPortalTemplate(template: PortalTemplate): string {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-portal-'));
  cpSync(template.dir, dir, { recursive: true });
  return dir;
}
