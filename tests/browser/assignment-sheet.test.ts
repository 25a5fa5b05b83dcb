import { writeFileSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, axeAnalyze, demoSession, hasBrowser, portalAndBrowser, saveShot } from '../helpers/browser.ts';
import { reportForm } from '../helpers/report.ts';

// The printable 交办单 and the ledger's link on the queue, as the office uses them in chromium.
const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };

describe.skipIf(!hasBrowser)('the 交办单 and the ledger export', () => {
  const live = portalAndBrowser();

  async function api(sid: string, path: string, body?: unknown) {
    const res = await fetch(`${live.portal.base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', cookie: `sid=${sid}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    expect(res.status, `${path}: ${res.status === 200 ? '' : await res.clone().text()}`).toBe(200);
    return res.json();
  }
  async function signedIn(username: string, device: object = DESKTOP) {
    const sid = await demoSession(live.portal, username);
    const context = await live.browser.newContext(device);
    await context.addCookies([{ name: 'sid', value: sid, url: live.portal.base }]);
    return { sid, context, page: await context.newPage() };
  }
  /** A sample report in 竹林村, accepted and assigned to it with the eco department (the demo assigns one already). */
  async function assignedInZhulin(sid: string) {
    const assigned = (await api(sid, '/api/admin/complaints?status=assigned')).rows as { id: number }[];
    for (const r of assigned) {
      const c = await api(sid, `/api/admin/complaints/${r.id}`);
      if (c.villageName === '竹林村' && c.departments.length > 0)
        return { id: r.id, description: c.complaint.description as string };
    }
    const { rows } = await api(sid, '/api/admin/complaints?status=submitted');
    for (const r of rows as { id: number; villageName: string | null }[]) {
      const c = await api(sid, `/api/admin/complaints/${r.id}`);
      if (c.villageName !== '竹林村') continue;
      await api(sid, `/api/admin/complaints/${r.id}/actions`, { action: 'accept', version: c.complaint.version });
      await api(sid, `/api/admin/complaints/${r.id}/actions`, {
        action: 'assign',
        version: c.complaint.version + 1,
        villageId: c.complaint.villageId,
        departmentIds: [1],
      });
      return { id: r.id, description: c.complaint.description as string };
    }
    throw new Error('no sample report in 竹林村');
  }

  it('prints a 交办单 from the complaint page: deadlines, departments, signatures, no navigation on paper', async () => {
    const { sid, context, page } = await signedIn('shouli');
    const complaint = await assignedInZhulin(sid);
    await page.goto(`${live.portal.base}/admin/complaints/${complaint.id}`);
    await page.getByRole('link', { name: '打印交办单' }).click();
    await page.waitForURL(`**/admin/complaints/${complaint.id}/sheet`);
    const sheet = page.locator('article.assignment-sheet');
    await expect.poll(() => sheet.locator('h1').textContent()).toContain('散乱污问题交办单');
    const text = (await sheet.textContent())!;
    expect(text).toContain(`编号：第 ${complaint.id} 号`);
    expect(text).toContain(complaint.description);
    expect(text).toContain('属地：竹林村');
    expect(text).not.toContain('未交办');
    expect(text).toMatch(/签收时限\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} 前/);
    expect(text).toMatch(/生态环境（签收 .* 前，反馈 .* 前）/);
    for (const words of [
      '办理要求',
      '核查属实后',
      '交办单位（青溪镇整治办）',
      '承办单位（村/社区）',
      '经办人签字',
      '签收人签字',
    ])
      expect(text.replace(/\s+/g, '')).toContain(words.replace(/\s+/g, ''));
    await saveShot(page, 'assignment-sheet-desktop', { fullPage: true });

    const { violations } = await axeAnalyze(page);
    expect(violations.map((v) => `${v.id} (${v.impact})`)).toEqual([]);

    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('#print').isVisible()).toBe(false);
    expect(await sheet.isVisible()).toBe(true);
    await saveShot(page, 'assignment-sheet-print', { fullPage: true });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    // One sheet of A4 for a report of ordinary length, signatures included.
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1);
    writeFileSync(`${ARTIFACTS}/assignment-sheet.pdf`, pdf);
    await context.close();
  }, 120_000);

  it("says 未交办 before 交办, and is 404 outside the viewer's village", async () => {
    const office = await signedIn('shouli');
    const filed = await fetch(`${live.portal.base}/api/complaints`, { method: 'POST', body: reportForm() });
    expect(filed.status).toBe(201);
    const { rows } = await api(office.sid, '/api/admin/complaints?status=submitted');
    const details = await Promise.all(
      (rows as { id: number }[]).map((r) => api(office.sid, `/api/admin/complaints/${r.id}`)),
    );
    const open = details.find((d) => d.villageName === '竹林村')!;
    const other = details.find((d) => d.villageName && d.villageName !== '竹林村')!;
    await office.page.goto(`${live.portal.base}/admin/complaints/${open.complaint.id}/sheet`);
    const text = (await office.page.locator('article.assignment-sheet').textContent())!;
    expect(text).toContain('交办时间：未交办');
    expect(text).toMatch(/签收时限\s*未交办/);
    await office.context.close();

    const village = await signedIn('zhulin');
    const mine = await village.page.goto(`${live.portal.base}/admin/complaints/${open.complaint.id}/sheet`);
    expect(mine!.status()).toBe(200);
    const theirs = await village.page.goto(`${live.portal.base}/admin/complaints/${other.complaint.id}/sheet`);
    expect(theirs!.status()).toBe(404);
    expect(await village.page.content()).not.toContain(other.complaint.description);
    await village.context.close();
  }, 120_000);

  it('exports the ledger of the filtered queue from its link, as a download', async () => {
    const { context, page } = await signedIn('shouli');
    await page.goto(`${live.portal.base}/admin/complaints?status=assigned&sort=overdue`);
    const link = page.getByRole('link', { name: '导出举报台账' });
    const href = (await link.getAttribute('href'))!;
    expect(new URL(href, live.portal.base).searchParams.get('status')).toBe('assigned');
    expect(new URL(href, live.portal.base).searchParams.get('sort')).toBe('overdue');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/举报台账-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const book = new ExcelJS.Workbook();
    // The file as the browser saved it, read through the connection (the run's chromium is another process's).
    await book.xlsx.load((await buffer(await download.createReadStream())) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 3)).toEqual(['编号', '受理时间']);
    // Every line is an assigned complaint: each has its 交办时间 (column 8).
    expect(sheet.rowCount).toBeGreaterThan(1);
    sheet.eachRow((row, n) => {
      if (n > 1) expect(row.getCell(8).value, `line ${n}`).toBeInstanceOf(Date);
    });
    await context.close();
  }, 120_000);
});
