// A published case page under a viral spike (50 clients) beside a static file served by the same server, same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { cases } from '../../db/schema-public.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { seedDemoCases } from '../../api/seed/demo-cases.ts';
import { startPortal } from '../helpers/portal-process.ts';
import { load } from './load.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = 5;
const CONNECTIONS = 50;

/** A fresh data directory with the demo township and one published case; returns the case id. */
async function publishedCase(dataDir: string): Promise<number> {
  const ctx = await createContext(parseEnv({ DATA_DIR: dataDir, NODE_ENV: 'test' }));
  await seedDemo(ctx, { samples: true });
  const id =
    ctx.db.select({ id: cases.id }).from(cases).where(eq(cases.status, 'published')).get()?.id ??
    (await seedDemoCases(ctx));
  ctx.db.$client.close();
  if (!id) throw new Error('could not publish a demo case');
  return id;
}

/** The site's stylesheet: a hashed build file the server streams from disk. */
function staticAsset(): string {
  const dir = join(root, 'dist/client/_astro');
  const css = readdirSync(dir)
    .filter((f) => f.endsWith('.css'))
    .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size);
  const pick = css.find((f) => f.startsWith('DocumentHead')) ?? css[0];
  if (!pick) throw new Error('no built stylesheet under dist/client/_astro');
  return `/_astro/${pick}`;
}

export async function benchCases(row: (...cells: (string | number)[]) => void) {
  execFileSync(process.execPath, ['api/build-if-needed.ts'], { cwd: root, stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'sanluanwu-cases-'));
  const id = await publishedCase(dataDir);
  const portal = await startPortal(
    { NODE_ENV: 'production', CAPTCHA_DISABLED: 'true', PUBLIC_BASE_URL: 'http://localhost' },
    dataDir,
  );
  try {
    const page = `${portal.base}/cases/${id}`;
    const asset = `${portal.base}${staticAsset()}`;
    const html = await (await fetch(page)).text();
    if (!html.includes('og:image')) throw new Error(`case page did not render:\n${html.slice(0, 500)}`);
    await load({ url: asset, connections: CONNECTIONS, seconds: 1 }); // warm-up
    await load({ url: page, connections: CONNECTIONS, seconds: 1 });
    const file = await load({ url: asset, connections: CONNECTIONS, seconds: SECONDS });
    const ours = await load({ url: page, connections: CONNECTIONS, seconds: SECONDS });
    // The same page rendered by Astro every time: a session cookie bypasses the page cache.
    const rendered = await load({
      url: page,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: { cookie: 'sid=bench-uncached' },
    });
    for (const r of [file, ours, rendered])
      if (r.non2xx || r.errors) throw new Error(`case bench failed: ${r.non2xx} non-2xx, ${r.errors} errors`);
    row(
      `GET /cases/{id} req/s, ${CONNECTIONS} clients`,
      fmt(ours.rps),
      `${fmt(file.rps)} static file`,
      (ours.rps / file.rps).toFixed(2),
      '≥ 0.50',
    );
    row(`GET /cases/{id} p99 ms, ${CONNECTIONS} clients`, ours.p99, `${file.p99} static file`, '', '< 100 ms');
    row(
      'GET /cases/{id} req/s rendered each time (no cache)',
      fmt(rendered.rps),
      `${fmt(file.rps)} static file`,
      (rendered.rps / file.rps).toFixed(2),
      '(for reference)',
    );
  } finally {
    await portal.stop();
  }
}
const fmt = (n: number) => n.toFixed(0);
