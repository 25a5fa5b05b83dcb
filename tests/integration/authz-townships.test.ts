import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPages } from '../../admin/page-routes.ts';
import { POLICY } from '../../api/http/policy.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { townships, users, villages } from '../../db/schema.ts';
import { freshContext } from '../helpers/context.ts';
import { signIn } from '../helpers/staff.ts';
import {
  addQingxiStation,
  QINGXI_AT,
  SHIQIAO_AT,
  townshipRecords,
  versionsOf,
  type TownshipRecords,
} from '../helpers/two-townships.ts';
import { sheetText } from '../helpers/xlsx.ts';
import { listenWithPages } from '../security/site-server.ts';

// Two townships of the demo county, each with a report, work items, a file, a task, a revisit, a draw and a patrol:
// every back-office route, page and export, as each account of one township aimed at the other's records, refuses
// or shows nothing of them; the county's accounts see both.
const { ctx, app } = await freshContext();
await addQingxiStation(ctx);
const QINGXI = await townshipRecords(ctx, app, QINGXI_AT);
const SHIQIAO = await townshipRecords(ctx, app, SHIQIAO_AT);
const townshipId = (code: string) => ctx.db.select().from(townships).where(eq(townships.code, code)).get()!.id;
const villageId = (code: string) => ctx.db.select().from(villages).where(eq(villages.code, code)).get()!.id;
const userId = (name: string) => ctx.db.select().from(users).where(eq(users.username, name)).get()!.id;

/** A township's accounts at each level, and what they are aimed at: the other township's records. */
const SIDES = [
  {
    name: '青溪镇',
    accounts: ['shouli', 'lingdao', 'zhulin', 'qingxi-zhan'],
    own: QINGXI,
    other: SHIQIAO,
    otherVillage: villageId('shiqiao-shequ'),
    otherUser: userId('shiqiao-cun'),
    ownTownship: townshipId('qingxi'),
  },
  {
    name: '石桥镇',
    accounts: ['shiqiao', 'shiqiao-lingdao', 'shiqiao-cun', 'shiqiao-zhan'],
    own: SHIQIAO,
    other: QINGXI,
    otherVillage: villageId('qingxi-zhulin'),
    otherUser: userId('zhulin'),
    ownTownship: townshipId('shiqiao-zhen'),
  },
] as const;
type Side = (typeof SIDES)[number];

/** The record a route's :id names, by the resource before it. */
function idFor(path: string, side: Side): number | null {
  const r = side.other;
  const byResource: Record<string, number> = {
    complaints: r.complaint,
    assignments: r.assignment,
    enterprises: r.enterprise,
    tasks: r.task,
    revisits: r.revisit,
    draws: r.draw,
    patrols: r.patrol,
    users: side.otherUser,
  };
  const resource = /\/(?:api\/)?admin\/([a-z-]+)\/(?::id|\[id\])/.exec(path)?.[1] ?? '';
  return byResource[resource] ?? null;
}

function requestFor(key: string, side: Side) {
  const [method, pattern] = key.split(' ') as [string, string];
  const r = side.other;
  const target = idFor(pattern, side);
  const path = pattern
    .replace(':id', String(target ?? 999_999))
    .replace(':photoId', pattern.startsWith('/api/admin/complaints/') ? String(r.photo) : '1')
    .replace(':size', 'thumb')
    .replace(':enterpriseId', String(r.enterprise))
    .replace(/:(itemId|evidenceId|findingId)/, '1')
    .replace(':action', 'accept')
    .replace(':key', 'x')
    .replace(':rule', 'x')
    .replace(':year', '2025');
  const v = versionsOf(ctx, r);
  // A body a route would take from an account entitled to the record, so a refusal is the scope's, not the form's.
  const body = {
    action: pattern.includes('/tasks/') ? 'cancel' : pattern.includes('/assignments/') ? 'acknowledge' : 'note',
    version: pattern.includes('/tasks/')
      ? v.task
      : pattern.includes('/assignments/')
        ? v.assignment
        : pattern.includes('/enterprises/')
          ? v.enterprise
          : v.complaint,
    note: '越权测试',
    reason: '越权测试',
    toTownshipId: side.ownTownship,
    complaintIds: [r.complaint],
    enterpriseId: r.enterprise,
    villageId: side.otherVillage,
    items: [{ id: r.complaint, version: v.complaint }],
    name: '越权改名作坊',
    personInCharge: '越权',
    address: '越权地址',
    type: 'shutdown',
    villageLead: '村长',
    townshipLead: '镇长',
    departmentLead: '',
    dueOn: '2099-01-01',
    departmentIds: [],
  };
  return {
    path,
    target,
    init: {
      method,
      ...(method !== 'GET' && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    },
  };
}

const apiRoutes = app.routes
  .filter((r) => r.path.startsWith('/api/admin') && r.method !== 'ALL' && r.path !== '/api/admin/session')
  .map((r) => `${r.method} ${r.path}`);
// Requests that touch no record of a township: the account's own password, profile and notifications' read marks.
const OWN = new Set(['POST /api/admin/password', 'PUT /api/admin/profile', 'POST /api/admin/notifications/read']);
// Creating a record that links to another: the link's far end lies in the other township.
const LINKING = new Set(['POST /api/admin/tasks', 'POST /api/admin/complaint-batch']);

let site: Awaited<ReturnType<typeof listenWithPages>>;
beforeAll(async () => {
  site = await listenWithPages(ctx);
}, 180_000);
afterAll(() => site?.close());

const hrefs = (r: TownshipRecords) => [
  `href="/admin/complaints/${r.complaint}"`,
  `href="/admin/assignments/${r.assignment}"`,
  `href="/admin/enterprises/${r.enterprise}"`,
  `href="/admin/tasks/${r.task}"`,
  `href="/admin/draws/${r.draw}"`,
];
const expectNothingOf = (text: string, r: TownshipRecords, where: string) => {
  for (const s of [...r.secrets, ...hrefs(r)]) expect(text, `${where} shows ${s}`).not.toContain(s);
};
const PHOTO = await demoPhoto({ hue: 200 });
// The fields each photo-taking route reads (it refuses others), filled as its rightful user would.
const FORMS: Record<string, Record<string, string>> = {
  'POST /api/admin/assignments/:id/answer': { outcome: 'stopped', finding: '越权测试' },
  'POST /api/admin/assignments/:id/records': { kind: 'case_opened', note: '越权测试' },
  'POST /api/admin/revisits/:id': { outcome: 'fine', note: '越权测试' },
};
async function asForm(key: string, version: number): Promise<FormData> {
  const form = new FormData();
  const fields = FORMS[key] ?? { note: '越权测试' };
  for (const [k, v] of Object.entries({
    ...fields,
    ...(key.includes('/assignments/') && { version: String(version) }),
  }))
    form.append(k, v);
  form.append('photos', new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' }), 'a.jpg');
  return form;
}
const textOf = async (res: Response) =>
  res.status === 200 && (res.headers.get('content-type') ?? '').includes('spreadsheetml') ? sheetText(res) : res.text();

// Pages first: they run on the built site as it was when this file started.
describe.each(SIDES)('$name accounts, the other township on the pages', (side) => {
  it.each(side.accounts)(
    '%s: every back-office page shows nothing of the other township',
    async (u) => {
      const cookie = signIn(ctx, u);
      for (const { pattern } of adminPages()) {
        const target = idFor(pattern, side);
        const path = pattern
          .replace('[id]', String(target ?? 999_999))
          .replace(
            '[level]/[id]',
            `township/${side.other === SHIQIAO ? townshipId('shiqiao-zhen') : townshipId('qingxi')}`,
          );
        const res = await fetch(`${site.base}${path.replace('[level]', 'township')}`, {
          headers: { cookie },
          redirect: 'manual',
        });
        expect(res.status, `${u} ${path}`).toBeLessThan(500);
        expectNothingOf(await res.text(), side.other, `${u} page ${path}`);
        if (target !== null) expect([403, 404], `${u} page ${path} → ${res.status}`).toContain(res.status);
      }
    },
    300_000,
  );

  it('the lists show its accounts their own township’s records (so the checks above are not vacuous)', async () => {
    const cookie = signIn(ctx, side.accounts[0]);
    const queue = await (await app.request('/api/admin/complaints', { headers: { cookie } })).text();
    expect(queue).toContain(side.own.secrets[0]);
    const files = await (await fetch(`${site.base}/admin/enterprises`, { headers: { cookie } })).text();
    expect(files).toContain(`href="/admin/enterprises/${side.own.enterprise}"`);
  });
});

describe('county accounts', () => {
  // The same requests the township accounts were refused: a county account is shown each record, so a refusal above
  // is the township condition's doing.
  it.each(['xianban', 'xianzhang'])('%s opens and lists both townships’ records', async (u) => {
    const cookie = signIn(ctx, u);
    for (const r of [QINGXI, SHIQIAO]) {
      for (const path of [
        `/api/admin/complaints/${r.complaint}`,
        `/api/admin/assignments/${r.assignment}`,
        `/api/admin/enterprises/${r.enterprise}`,
        `/api/admin/tasks/${r.task}`,
        `/api/admin/draws/${r.draw}`,
        `/api/admin/patrols/${r.patrol}`,
      ])
        expect((await app.request(path, { headers: { cookie } })).status, `${u} ${path}`).toBe(200);
      const queue = await (await app.request('/api/admin/complaints', { headers: { cookie } })).text();
      expect(queue, u).toContain(r.secrets[0]);
      for (const page of [`/admin/complaints/${r.complaint}`, `/admin/enterprises/${r.enterprise}`]) {
        const res = await fetch(`${site.base}${page}`, { headers: { cookie }, redirect: 'manual' });
        expect(res.status, `${u} ${page}`).toBe(200);
      }
      for (const [page, words] of [
        ['/admin/complaints', r.secrets[0]],
        ['/admin/enterprises', r.secrets[1]],
        ['/admin/tasks', r.secrets[1]],
        ['/admin/draws', r.secrets[3]],
        ['/admin/patrols', r.secrets[4]],
      ] as const) {
        const html = await (await fetch(`${site.base}${page}`, { headers: { cookie } })).text();
        expect(html, `${u} ${page}`).toContain(words);
      }
    }
  });
});

describe.each(SIDES)('$name accounts aimed at the other township through the API', (side) => {
  it.each(side.accounts)(
    '%s: every API route and export refuses its records and shows none of its words',
    async (u) => {
      const cookie = signIn(ctx, u);
      const before = versionsOf(ctx, side.other);
      for (const key of apiRoutes) {
        const { path, target, init } = requestFor(key, side);
        let res = await app.request(path, { ...init, headers: { ...(init.headers ?? {}), cookie } });
        // A route that takes photos takes a form: the same fields and a photo, so the form is not what refuses.
        if (res.status === 415) {
          const body = await asForm(key, versionsOf(ctx, side.other).assignment);
          res = await app.request(path, { method: init.method, body, headers: { cookie } });
        }
        expect(res.status, `${u} ${key} → ${res.status}`).toBeLessThan(500);
        expectNothingOf(await textOf(res), side.other, `${u} ${key}`);
        if (target !== null || LINKING.has(key))
          expect([400, 403, 404, 409, 422], `${u} ${key} → ${res.status}`).toContain(res.status);
        if (target !== null && init.method === 'GET' && POLICY[key] !== 'anyone')
          expect([403, 404], `${u} ${key}`).toContain(res.status);
        if (!OWN.has(key)) expect(versionsOf(ctx, side.other), `${u} ${key} changed the record`).toEqual(before);
      }
    },
    600_000,
  );
});
