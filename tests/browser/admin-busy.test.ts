import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoSession, seededPortal } from '../helpers/browser.ts';
import type { PortalProcess } from '../helpers/portal-process.ts';

// The assessment pages read on a pool of two threads with a queue of 16 (assessment/off-thread.ts). A burst beyond
// that, at a cold start (the thread takes about a second to start), is answered at once with a Chinese page saying
// so and when to retry, a 503, never Astro's empty 500.
describe('a back-office page whose read threads are all busy', () => {
  let portal: PortalProcess;
  beforeAll(async () => {
    portal = await seededPortal();
  });
  afterAll(() => portal?.stop());

  it('answers 503 with Retry-After and a Chinese page; the pages it did take answer 200', async () => {
    const sid = await demoSession(portal, 'admin');
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => fetch(`${portal.base}/admin/assessment`, { headers: { cookie: `sid=${sid}` } })),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));
    for (const busy of answers.filter((a) => a.status === 503)) {
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(busy.headers.get('content-type')).toMatch(/text\/html/);
      expect(await busy.text()).toContain('考核统计正忙，请稍后再试');
    }
  });
});
