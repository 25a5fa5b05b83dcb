import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app.ts';
import { createContext, type ContextOverrides } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { seedDemo } from '../../api/seed/demo.ts';

/** A fresh data directory and database for one test file. */
export async function freshContext(env: Record<string, string> = {}, overrides: ContextOverrides = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-test-'));
  const ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir, REPORT_RATE_LIMIT: '1000', ...env }), overrides);
  const accounts = await seedDemo(ctx, { samples: false });
  return { ctx, app: createApp(ctx), dir, accounts };
}
