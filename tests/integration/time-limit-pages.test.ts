import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../api/domain/shared/time.ts';
import { complaints } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { validFields } from '../helpers/report.ts';
import { listenWithPages } from '../security/site-server.ts';

// ACCEPT_DAYS and FINISH_DAYS are configuration (api/env.ts): the pages that promise them to a
// resident must state what this township configured, not the defaults (15 and 60) as literals.
const { ctx } = await freshContext({ ACCEPT_DAYS: '7', FINISH_DAYS: '45' });
let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

const page = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${site.base}${path}`, { headers });
  expect(res.status).toBe(200);
  return res.text();
};

describe('the public pages state the configured time limits', () => {
  it('the home page promises a decision in ACCEPT_DAYS and a result FINISH_DAYS after acceptance', async () => {
    const html = await page('/');
    expect(html).toContain('乡镇（街道）整治办在 7 日内决定是否受理');
    expect(html).toContain('一般在受理后 45 日内办结');
    expect(html).not.toMatch(/\b(15|60) 日内/);
  });

  it('the receipt of a filing without JavaScript states ACCEPT_DAYS, the deadline the report was given', async () => {
    const res = await fetch(`${site.base}/report`, {
      method: 'POST',
      body: new URLSearchParams(validFields()),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith('receipt='))!
      .split(';')[0]!;
    const html = await page('/report/done', { cookie });
    expect(html).toContain('位置属于竹林村，已进入青溪镇整治办受理队列。整治办将在 7 日内决定是否受理。');

    const filed = ctx.db
      .select({ createdAt: complaints.createdAt, dueAt: complaints.dueAt })
      .from(complaints)
      .where(eq(complaints.status, 'submitted'))
      .all();
    expect(filed).toHaveLength(1);
    expect(filed[0]!.dueAt.getTime() - filed[0]!.createdAt.getTime()).toBe(7 * DAY_MS);
  });

  it('the report page hands ACCEPT_DAYS to the script that shows the receipt in place of the form', async () => {
    const html = await page('/report');
    const json = /<script type="application\/json" id="report-config">([^<]*)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(json!)).toMatchObject({ acceptDays: 7 });
  });
});
