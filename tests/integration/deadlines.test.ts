import { describe, expect, it } from 'vitest';
import { freshContext } from '../helpers/context.ts';
import { reportForm } from '../helpers/report.ts';
import { json, signIn } from '../helpers/staff.ts';

let now = Date.parse('2026-11-01T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now });
const start = now;
const queue = async (qs = '') =>
  (await app.request(`/api/admin/complaints?${qs}`, { headers: { cookie: signIn(ctx, 'shouli') } })).json();

describe('time limits on a fake clock', () => {
  it('counts and lists a report undecided after 15 days as overdue, most overdue first', async () => {
    for (let i = 0; i < 2; i++)
      expect((await app.request('/api/complaints', { method: 'POST', body: reportForm() })).status).toBe(201);
    now = start + 14 * 86_400_000;
    expect((await queue()).counts.overdue).toBe(0);
    now = start + 16 * 86_400_000;
    const late = await queue('overdue=yes');
    expect(late.counts.overdue).toBe(2);
    expect(late.rows).toHaveLength(2);
    // Accepting starts the 60-day clock: no longer overdue.
    const first = late.rows[0];
    const res = await app.request(`/api/admin/complaints/${first.id}/actions`, {
      method: 'POST',
      ...json({ action: 'accept', version: first.version }, signIn(ctx, 'shouli')),
    });
    expect(res.status).toBe(200);
    const after = await queue('sort=overdue');
    expect(after.counts.overdue).toBe(1);
    expect(after.rows[0].id).not.toBe(first.id); // the still-undecided one is the most urgent
  });
});
