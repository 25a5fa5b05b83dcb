import AxeBuilder from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeAnalyze, hasBrowser, launch } from '../helpers/browser.ts';

// A page with faults of each impact: an image with no text (critical), an unnamed button (critical), grey on grey
// (serious), a skipped heading level and content outside landmarks (moderate).
const FAULTY = `<!doctype html><html lang="zh-CN"><head><title>检查</title></head><body>
<h1>标题</h1><h4>跳级</h4><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button></button><p style="color:#aaa;background:#bbb">看不清的字</p></body></html>`;

describe.skipIf(!hasBrowser)('the axe-core check every browser test uses (axeAnalyze)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  it("finds on a faulty page what @axe-core/playwright's analyze finds, rule by rule and node by node", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent(FAULTY);
    const ours = (await axeAnalyze(page)).violations;
    const theirs = (await new AxeBuilder({ page }).analyze()).violations;
    const summary = (vs: typeof ours) => vs.map((v) => `${v.id} ${v.impact} ${v.nodes.length}`).sort();
    expect(summary(ours)).toEqual(summary(theirs));
    expect(ours.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'button-name', 'color-contrast']));
    expect(ours.filter((v) => v.impact === 'serious' || v.impact === 'critical').length).toBeGreaterThanOrEqual(3);
    await context.close();
  });

  it('finds nothing on the same page with the faults mended', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent(
      FAULTY.replace('<h4>', '<h2>')
        .replace('</h4>', '</h2>')
        .replace('<img ', '<img alt="示意" ')
        .replace('<button></button>', '<button>提交</button>')
        .replace('#aaa;background:#bbb', '#111;background:#fff')
        .replace('<body>', '<body><main>')
        .replace('</body>', '</main></body>'),
    );
    expect((await axeAnalyze(page)).violations.map((v) => v.id)).toEqual([]);
    await context.close();
  });
});
