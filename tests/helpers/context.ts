import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createApp } from '../../api/app.ts';
import { createContext, type ContextOverrides } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { copyDbTemplate } from './db-template.ts';

/**
 * A fresh data directory and database for one test file: a copy of the run's seeded template
 * (global-setup.ts), which createContext migrates like any database (nothing left to do). Without
 * a template (a run that skipped the global setup) it seeds the same way itself.
 */
export async function freshContext(env: Record<string, string> = {}, overrides: ContextOverrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-test-'));
  const template = inject('dbTemplate');
  const copied = template ? copyDbTemplate(template, dir) : undefined;
  const ctx = await createContext(
    parseEnv({ NODE_ENV: 'test', DATA_DIR: dir, REPORT_RATE_LIMIT: '1000', ...env }),
    overrides,
  );
  const accounts = copied ?? (await seedDemo(ctx, { samples: false }));
  return { ctx, app: createApp(ctx), dir, accounts };
}
