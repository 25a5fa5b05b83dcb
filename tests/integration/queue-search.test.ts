import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, complaints } from '../../db/schema.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { signIn } from '../helpers/staff.ts';
import { listenWithPages } from '../security/site-server.ts';

// A reporter on the phone reads out the complaint's number or tracking code: the queue finds
// both, the code only by an exact match, never shown, and each look-up by code is audited.
const { ctx, app } = await freshContext();
const triage = signIn(ctx, 'shouli');
const village = signIn(ctx, 'zhulin');

async function file(over: Record<string, string> = {}) {
  const res = await app.request('/api/complaints', { method: 'POST', body: reportForm(over) });
  const { trackingCode } = (await res.json()) as { trackingCode: string };
  const row = ctx.db.select().from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!;
  return { id: row.id, code: trackingCode };
}
const queue = async (q: string, cookie = triage) => {
  const res = await app.request(`/api/admin/complaints?q=${encodeURIComponent(q)}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, body: JSON.parse(text) as { rows: { id: number }[]; match: { id: number } | null } };
};
const lookups = (id: number) =>
  ctx.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'complaint.tracking_code_lookup'), eq(auditLog.objectId, String(id))))
    .all();

const zhulin = await file({ description: '竹林村口塑料颗粒作坊半夜开工，噪声很大' });
// 竹林村 is column 1, row 1; column 2 is another village, outside the village officer's scope.
const elsewhere = await file({ ...(({ lat, lng }) => ({ lat: String(lat), lng: String(lng) }))(cellCenter(2, 1)) });

describe('the queue finds a complaint by its number', () => {
  it('as 123, #123 or full-width ＃１２３, above the text hits and whatever the filters say', async () => {
    for (const q of [
      String(zhulin.id),
      `#${zhulin.id}`,
      ` ＃${String(zhulin.id).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))} `,
    ]) {
      const { body } = await queue(q);
      expect(body.match?.id, q).toBe(zhulin.id);
      expect(body.rows.map((r) => r.id)).not.toContain(zhulin.id);
    }
    const filtered = await app.request(`/api/admin/complaints?status=closed&q=%23${zhulin.id}`, {
      headers: { cookie: triage },
    });
    expect(((await filtered.json()) as { match: { id: number } }).match.id).toBe(zhulin.id);
  });

  it("within the staff member's scope only", async () => {
    expect((await queue(String(elsewhere.id), village)).body.match).toBeNull();
    expect((await queue(String(zhulin.id), village)).body.match?.id).toBe(zhulin.id);
  });

  it('still finds words in the text', async () => {
    const { body } = await queue('塑料颗粒作坊');
    expect(body.match).toBeNull();
    expect(body.rows.map((r) => r.id)).toContain(zhulin.id);
  });
});

describe('the queue finds a complaint by the tracking code its reporter reads out', () => {
  it('typed as a person types it, audits the look-up and never answers with the code', async () => {
    const spoken = `${zhulin.code.slice(0, 5).toLowerCase()} - ${zhulin.code.slice(5)}`;
    const before = lookups(zhulin.id).length;
    const { body, text } = await queue(spoken);
    expect(body.match?.id).toBe(zhulin.id);
    expect(body.rows).toEqual([]);
    expect(text).not.toContain(zhulin.code);
    expect(text).not.toContain(zhulin.code.slice(5));
    const rows = lookups(zhulin.id);
    expect(rows).toHaveLength(before + 1);
    expect(JSON.stringify(rows.at(-1))).not.toContain(zhulin.code);
  });

  it('outside the scope finds nothing and audits nothing', async () => {
    const { body } = await queue(elsewhere.code, village);
    expect(body.match).toBeNull();
    expect(lookups(elsewhere.id)).toHaveLength(0);
  });

  it('matches exactly: a code one character off finds nothing', async () => {
    const last = zhulin.code.at(-1) === '2' ? '3' : '2';
    expect((await queue(zhulin.code.slice(0, 9) + last)).body.match).toBeNull();
  });
});

describe('the queue page', () => {
  let site: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    site = await listenWithPages(ctx);
  }, 180_000);
  afterAll(() => site?.close());
  const get = (path: string) => fetch(`${site.base}${path}`, { headers: { cookie: triage }, redirect: 'manual' });

  it('opens the complaint a tracking code finds, so the code leaves the address bar', async () => {
    const res = await get(`/admin/complaints?q=${zhulin.code}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/complaints/${zhulin.id}`);
    const missing = await get('/admin/complaints?q=22222-22222');
    expect(missing.headers.get('location')).toBe('/admin/complaints?code=none');
    const html = await (await get('/admin/complaints?code=none')).text();
    expect(html).toContain('没有找到这个查询码对应的举报');
  });

  it('lists the complaint a number finds first', async () => {
    const html = await (await get(`/admin/complaints?q=%23${zhulin.id}`)).text();
    expect(html).toMatch(new RegExp(`href="/admin/complaints/${zhulin.id}">#${zhulin.id}<`));
    expect(html).toContain('编号匹配');
  });
});
