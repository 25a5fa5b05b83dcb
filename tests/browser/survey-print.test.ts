import { describe, expect, it } from 'vitest';
import { demoSession, hasBrowser, portalAndBrowser, saveShot } from '../helpers/browser.ts';

// The printed survey form (seed 000, 附件1) is signed by hand: its 调查人签名 line is blank,
// long and tall enough to write on, and the form still fits one sheet of A4.
describe.skipIf(!hasBrowser)('the survey print view', () => {
  const live = portalAndBrowser();

  it('leaves the signature blank with room to write, on one A4 sheet', async () => {
    const sid = await demoSession(live.portal, 'shouli');
    const list = await fetch(`${live.portal.base}/api/admin/enterprises`, { headers: { cookie: `sid=${sid}` } });
    const { rows } = (await list.json()) as { rows: { id: number }[] };
    const context = await live.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    const page = await context.newPage();
    // The demo's files were surveyed by "镇整治办": a name that must not stand in for a signature.
    await page.goto(`${live.portal.base}/admin/enterprises/${rows[0]!.id}/survey`);
    await page.emulateMedia({ media: 'print' });
    const sign = page.locator('.survey-sheet .sign-line .blank').first();
    expect(await sign.textContent()).toBe('');
    expect(await page.locator('.survey-sheet .sign-line').textContent()).not.toContain('镇整治办');
    expect(await page.getByText('档案记录的调查人').isVisible()).toBe(false);
    const box = (await sign.boundingBox())!;
    const mm = 96 / 25.4;
    expect(box.width).toBeGreaterThanOrEqual(55 * mm);
    expect(box.height).toBeGreaterThanOrEqual(10 * mm);
    await saveShot(page, 'survey-print', { fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)).toHaveLength(1);
  });
});
