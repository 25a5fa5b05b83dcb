import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { issueApiKey } from '../../api/domain/open311/keys.ts';
import { createAccount } from '../../api/domain/accounts/accounts.ts';
import { createSession, staffByUsername } from '../../api/domain/accounts/sessions.ts';
import { departments, users, villages } from '../../db/schema.ts';
import { enterprises, tasks } from '../../db/schema-enforcement.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { cellCenter } from '../../api/seed/demo-geography.ts';
import { demoPhoto } from '../../api/seed/demo-photo.ts';
import { hasBrowser, launch } from '../helpers/browser.ts';
import { startPortal, type PortalProcess } from '../helpers/portal-process.ts';
import { readable } from '../security/redaction-forms.ts';

// Reporters no page may ever name, in the scripts and styles that slipped through before (issue 11):
// unique strings, each filed on the site and through Open311, searched for (normalised: any case,
// spacing, dot, zero-width character or digit form) in every public answer and every answer a
// leader, a village or department officer, or triage before the audited reveal can load.
const REPORTERS = [
  {
    name: '柯南德尔测试',
    open311: { first_name: '德尔测试', last_name: '柯南' },
    phone: '13987651234',
    site: '13987651234',
    api: '+86 139 8765 1234',
    email: 'canary.q7x2@example.org',
  },
  {
    name: 'Zqx Wolfe',
    open311: { first_name: 'Zqx', last_name: 'Wolfe' },
    phone: '13987652345',
    site: '139 8765 2345',
    api: '139-8765-2345',
    email: 'zqx.wolfe.q7@example.org',
  },
  {
    name: '热依拉·吐尔逊江',
    open311: { first_name: '热依拉・吐尔逊江', last_name: '' },
    phone: '13987653456',
    site: '+86 139-8765-3456',
    api: '13987653456',
    email: 'reyila.q7@example.org',
  },
  {
    name: '欧 阳 柯 岚',
    open311: { first_name: '柯 岚', last_name: '欧 阳' },
    phone: '13987654567',
    site: '139 - 8765 - 4567',
    api: '+86-139-8765-4567',
    email: 'ouyang.q7@example.org',
  },
  {
    name: '上官柯岚诺亚德尔',
    open311: { first_name: '柯岚诺亚德尔', last_name: '上官' },
    phone: '13987655678',
    site: '+8613987655678',
    api: '139 8765 5678',
    email: 'shangguan.q7@example.org',
  },
];
/**
 * Writings the site may refuse (it keeps 11 digits, + and 86, spaces and dashes); tried, and stored only if accepted.
 */
const ODD_PHONES = [
  '139/8765/1234',
  '139_8765_1234',
  '１３９８７６５１２３４',
  '一三九八七六五一二三四',
  '壹叁玖捌柒陆伍壹贰叁肆',
  '①③⑨⑧⑦⑥⑤①②③④',
];

/**
 * What must be found nowhere: the names (whole, and a Latin or dotted name's parts), phones and e-mails, as the
 * normaliser reads them.
 */
const NEEDLES = [
  ...new Set(
    REPORTERS.flatMap((r) => [
      readable(r.name),
      r.phone,
      readable(r.email.split('@')[0]!),
      readable(r.email),
      ...r.name
        .split(/[\s·]+/)
        .filter((p) => /^[A-Za-z]{4,}$/.test(p) || (r.name.includes('·') && p.length >= 2))
        .map(readable),
    ]),
  ),
];
/** The same as typed, for binary answers (images) searched byte for byte. */
const RAW = REPORTERS.flatMap((r) => [r.name, r.phone, r.email, r.site, r.api]);

/** Staff typing the reporters into the case: every name in another writing, every phone in every format. */
const TYPED = [
  '经 zqx  WOLFE、Ｚｑｘ　Ｗｏｌｆｅ、热依拉・吐尔逊江、热依拉•吐尔逊江、欧阳柯岚、欧 阳 柯岚、上官柯岚诺亚德尔、柯南\u200B德尔测试等群众多次举报',
  '联系电话 139 - 8765 - 1234、139/8765/2345、139_8765_3456、１３９８７６５４５６７、一三九八七六五五六七八、' +
    '壹叁玖捌柒陆伍壹贰叁肆、①③⑨⑧⑦⑥⑤②③④⑤、139 八七六5 ③④⑤⑥、+86 139 8765 4567、139.8765.5678',
  '邮箱 zqx.wolfe.q7@example.org、reyila.q7＠example．org、ouyang.q7 at example dot org，身份证 33010219800101123X',
  '2026-10-08 21:30 夜查时发现作坊仍在熔炼。',
].join('\n');

interface Prepared {
  cookies: Record<'shouli' | 'admin' | 'lingdao' | 'zhulin' | 'xikou' | 'shengtai', string>;
  apiKey: string;
  xikouId: number;
  ecoId: number;
  taskId: number;
  enterpriseId: number;
}

/** The demo township, a village officer for 溪口村 (where the canaries report), signed-in staff and an Open311 key. */
async function prepare(dir: string): Promise<Prepared> {
  const ctx = await createContext(parseEnv({ NODE_ENV: 'test', DATA_DIR: dir }));
  await seedDemo(ctx, { samples: true });
  const xikouId = ctx.db.select({ id: villages.id }).from(villages).where(eq(villages.code, 'qingxi-xikou')).get()!.id;
  const ecoId = ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, 'eco')).get()!.id;
  const made = await createAccount(
    ctx.db,
    { id: null, label: '测试' },
    { username: 'xikou', displayName: '溪口村网格员', role: 'village', villageId: xikouId },
  );
  if (!made.ok) throw new Error(made.message);
  const session = (username: string) => {
    const u = staffByUsername(ctx.db, username)!;
    ctx.db.update(users).set({ mustChangePassword: false }).where(eq(users.id, u.id)).run();
    return `sid=${createSession(ctx.db, u.id, ctx.clock(), ctx.sessions).token}`;
  };
  const cookies = Object.fromEntries(
    (['shouli', 'admin', 'lingdao', 'zhulin', 'xikou', 'shengtai'] as const).map((u) => [u, session(u)]),
  ) as Prepared['cookies'];
  const key = issueApiKey(
    ctx.db,
    { id: staffByUsername(ctx.db, 'admin')!.id, label: '管理员' },
    '微信小程序',
    ctx.clock(),
  );
  const task = ctx.db.select().from(tasks).where(eq(tasks.status, 'accepted')).orderBy(asc(tasks.id)).get()!;
  const enterprise = ctx.db
    .select({ villageId: enterprises.villageId })
    .from(enterprises)
    .where(eq(enterprises.id, task.enterpriseId))
    .get()!;
  if (enterprise.villageId !== xikouId) throw new Error('the demo accepted shutdown moved out of 溪口村');
  ctx.db.$client.close();
  return { cookies, apiKey: key.key, xikouId, ecoId, taskId: task.id, enterpriseId: task.enterpriseId };
}

interface Filed {
  id: number;
  code?: string;
  reporter: (typeof REPORTERS)[number];
}

describe('privacy canary: a reporter is named nowhere public, nor to staff before the audited reveal', () => {
  let portal: PortalProcess;
  let p: Prepared;
  let db: Database.Database;
  const filed: Filed[] = [];
  let caseId = 0;

  const api = async (path: string, user: keyof Prepared['cookies'], method = 'GET', body?: unknown) => {
    const res = await fetch(`${portal.base}${path}`, {
      method,
      headers: { cookie: p.cookies[user], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  const ok = async (path: string, user: keyof Prepared['cookies'], method = 'GET', body?: unknown) => {
    const r = await api(path, user, method, body);
    expect(r.status, `${method} ${path} as ${user}: ${r.text.slice(0, 300)}`).toBeLessThan(300);
    return r.json();
  };
  const version = (table: 'complaints' | 'cases', id: number) =>
    (db.prepare(`select version from ${table} where id = ?`).get(id) as { version: number }).version;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-canary-'));
    p = await prepare(dir);
    portal = await startPortal({}, dir);
    db = new Database(join(dir, 'portal.sqlite'), { readonly: true, fileMustExist: true });
    const at = cellCenter(2, 1); // 溪口村, where the demo's accepted shutdown is
    const photo = await demoPhoto({ hue: 300, lat: at.lat + 0.003, lng: at.lng + 0.003 }); // carries EXIF GPS

    // On the site (the report form's own endpoint), then through Open311 with the key issued above.
    for (const [i, r] of REPORTERS.entries()) {
      const form = new FormData();
      const fields = {
        category: 'air',
        lat: String(at.lat + 0.004 - i * 0.0002),
        lng: String(at.lng + 0.003),
        description: '铸造作坊夜里又开工，烟很大，气味刺鼻。',
        anonymous: '0',
        name: r.name,
        phone: r.site,
      };
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      if (i === 0) form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'canary.jpg');
      const site = await fetch(`${portal.base}/api/complaints`, { method: 'POST', body: form });
      expect(site.status, await site.clone().text()).toBe(201);
      const code = (await site.json()).trackingCode as string;
      filed.push({
        id: (db.prepare('select id from complaints where tracking_code = ?').get(code) as { id: number }).id,
        code,
        reporter: r,
      });
      const viaApi = await fetch(`${portal.base}/api/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          api_key: p.apiKey,
          service_code: 'air',
          lat: fields.lat,
          long: fields.lng,
          description: '铸造作坊又冒烟了，请尽快处理。',
          ...r.open311,
          phone: r.api,
          email: r.email,
        }),
      });
      expect(viaApi.status, await viaApi.clone().text()).toBe(201);
      filed.push({ id: Number((await viaApi.json())[0].service_request_id), reporter: r });
    }
    for (const phone of ODD_PHONES) {
      const res = await fetch(`${portal.base}/api/complaints`, {
        method: 'POST',
        body: new URLSearchParams({
          category: 'air',
          lat: String(at.lat + 0.004),
          lng: String(at.lng + 0.003),
          description: '铸造作坊夜里又开工，烟很大。',
          anonymous: '0',
          name: REPORTERS[0]!.name,
          phone,
        }),
      });
      expect([201, 400], `${phone}: ${await res.clone().text()}`).toContain(res.status);
      if (res.status === 201) {
        const code = (await res.json()).trackingCode as string;
        filed.push({
          id: (db.prepare('select id from complaints where tracking_code = ?').get(code) as { id: number }).id,
          code,
          reporter: REPORTERS[0]!,
        });
      }
    }

    // Triage works them: each accepted and assigned to 溪口村 with the eco department (so the village
    // and department officers below do see these complaints), the spaced reporter's second report
    // merged into his first; all linked to the enterprise of the demo's accepted shutdown.
    const merged = filed[7]!; // 欧 阳 柯 岚 through Open311
    const target = filed[6]!;
    for (const f of filed) {
      if (f === merged) {
        await ok(`/api/admin/complaints/${f.id}/actions`, 'shouli', 'POST', {
          action: 'merge',
          targetId: target.id,
          version: version('complaints', f.id),
        });
        continue;
      }
      await ok(`/api/admin/complaints/${f.id}/actions`, 'shouli', 'POST', {
        action: 'accept',
        version: version('complaints', f.id),
      });
      await ok(`/api/admin/complaints/${f.id}/actions`, 'shouli', 'POST', {
        action: 'assign',
        villageId: p.xikouId,
        departmentIds: [p.ecoId],
        version: version('complaints', f.id),
      });
    }

    // A case written from the accepted task, the reporters typed into it before the link: saved as
    // typed (they are not yet this case's reporters), its phones already removed.
    caseId = (await ok('/api/admin/cases', 'shouli', 'POST', { taskId: p.taskId })).id;
    const draft = (text: string) => ({
      version: version('cases', caseId),
      title: '溪口村铸造作坊被依法关停取缔',
      villageId: p.xikouId,
      remediationType: 'shutdown',
      happenedOn: '2026-10-09',
      summary: text,
      actions: `断水\n断电\n${text.split('\n')[0]}`,
      found: { environment: text, process: '使用淘汰的冲天炉' },
    });
    await ok(`/api/admin/cases/${caseId}`, 'shouli', 'PATCH', draft(TYPED));
    await ok(`/api/admin/enterprises/${p.enterpriseId}/complaints`, 'shouli', 'POST', {
      complaintIds: filed.filter((f) => f !== merged).map((f) => f.id),
    });
    const photoId = (
      db.prepare('select id from complaint_photos where complaint_id = ?').get(filed[0]!.id) as { id: string }
    ).id;
    await ok(`/api/admin/cases/${caseId}/photos`, 'shouli', 'POST', {
      source: 'complaint',
      sourceId: photoId,
      kind: 'before',
      blur: [],
      version: version('cases', caseId),
    });
    await ok(`/api/admin/cases/${caseId}/actions`, 'shouli', 'POST', {
      action: 'submit',
      version: version('cases', caseId),
    });
  }, 240_000);

  afterAll(async () => {
    db?.close();
    await portal?.stop();
  });

  it('first proves the canaries are stored, for staff to reveal', () => {
    const contacts = db
      .prepare(`select name, phone from complaint_contacts where complaint_id in (${filed.map((f) => f.id).join(',')})`)
      .all() as { name: string | null; phone: string | null }[];
    expect(contacts).toHaveLength(filed.length);
    for (const r of REPORTERS) {
      expect(contacts.filter((c) => c.phone === r.phone).length, r.phone).toBeGreaterThanOrEqual(2);
      expect(
        contacts.some((c) => c.name && readable(c.name) === readable(r.name)),
        r.name,
      ).toBe(true);
    }
    // The case as typed holds them: the searches below are not vacuous.
    const saved = db.prepare('select summary from cases where id = ?').get(caseId) as { summary: string };
    expect(readable(saved.summary)).toContain(readable('Zqx Wolfe'));
  });

  it('refuses to publish while the saved case names them, then publishes it once saved again (masked)', async () => {
    const refused = await api(`/api/admin/cases/${caseId}/actions`, 'admin', 'POST', {
      action: 'approve',
      version: version('cases', caseId),
    });
    expect(refused.status).toBe(409);
    expect(refused.json().error.message).toContain('举报人姓名');
    for (const n of NEEDLES) expect(readable(refused.text)).not.toContain(n);
    const shown = await ok(`/api/admin/cases/${caseId}`, 'shouli');
    expect(shown.pendingMasking).toContain('举报人姓名');
    await ok(`/api/admin/cases/${caseId}`, 'shouli', 'PATCH', {
      version: shown.version,
      title: shown.title,
      villageId: shown.villageId,
      remediationType: shown.remediationType,
      happenedOn: shown.happenedOn,
      summary: shown.summary,
      actions: shown.actions,
      found: shown.found,
    });
    await ok(`/api/admin/cases/${caseId}/actions`, 'shouli', 'POST', {
      action: 'submit',
      version: version('cases', caseId),
    });
    await ok(`/api/admin/cases/${caseId}/actions`, 'admin', 'POST', {
      action: 'approve',
      version: version('cases', caseId),
    });
    const published = db.prepare('select status, summary from cases where id = ?').get(caseId) as {
      status: string;
      summary: string;
    };
    expect(published.status).toBe('published');
    expect(published.summary).toContain('2026-10-08 21:30');
    expect(published.summary).toContain('（电话已隐去）');
  });

  it('finds them in no public page, feed, sitemap, Open311 answer or image, and no image carries EXIF', async () => {
    const fetched = new Map<string, { type: string; body: Buffer }>();
    const get = async (path: string) => {
      if (fetched.has(path)) return fetched.get(path)!.body;
      const res = await fetch(`${portal.base}${path}`);
      expect(res.status, path).toBeLessThan(500);
      const body = Buffer.from(await res.arrayBuffer());
      fetched.set(path, { type: res.headers.get('content-type') ?? '', body });
      return body;
    };
    const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const pages = [
      '/',
      '/report',
      '/report/done',
      '/track',
      '/cases',
      `/cases/${caseId}`,
      '/stats',
      '/results',
      `/results/${month}`,
      '/feed.xml',
      '/sitemap.xml',
    ];
    for (const f of filed) if (f.code) pages.push(`/track?code=${f.code}`, `/api/complaints/${f.code}`);
    for (const path of pages) await get(path);
    expect((await get(`/cases/${caseId}`)).toString()).toContain('（电话已隐去）');
    // Every URL the sitemap lists.
    const sitemap = (await get('/sitemap.xml')).toString();
    for (const m of sitemap.matchAll(/<loc>([^<]+)<\/loc>/g))
      await get(new URL(m[1]!).pathname + new URL(m[1]!).search);
    // Open311, both formats, the lists and every canary request.
    for (const format of ['json', 'xml']) {
      for (const path of ['discovery', 'services', 'requests', 'services/air'])
        await get(`/api/open311/v2/${path}.${format}`);
      for (const f of filed) await get(`/api/open311/v2/requests/${f.id}.${format}`);
      await get(`/api/open311/v2/requests.${format}?start_date=2000-01-01T00:00:00Z`);
    }
    // Every image a public page links to.
    const images = new Set<string>();
    for (const [path, { body }] of fetched) {
      if (path.startsWith('/api/')) continue;
      for (const m of body.toString().matchAll(/(?:src|content)="([^"]+\.(?:webp|jpg|png)|\/api\/cases\/[^"]+)"/g))
        images.add(new URL(m[1]!, portal.base).pathname);
    }
    expect([...images].filter((i) => i.startsWith('/api/cases/')).length).toBeGreaterThan(0);
    for (const img of images) {
      const meta = await sharp(await get(img)).metadata();
      expect(meta.exif, `${img} carries EXIF`).toBeUndefined();
    }
    expect(fetched.size).toBeGreaterThan(40);
    for (const [path, { type, body }] of fetched) await expectNothing(path, type, body);
  }, 180_000);

  it('finds them in nothing a leader, a village or department officer, or triage before the reveal loads', async () => {
    const detail = (id: number) => [`/admin/complaints/${id}`, `/api/admin/complaints/${id}`];
    const seeds = [
      '/admin',
      '/admin/complaints',
      '/admin/enterprises',
      '/admin/tasks',
      '/admin/revisits',
      '/admin/draws',
      '/admin/patrols',
      '/admin/cases',
      '/admin/tables',
      `/admin/cases/${caseId}`,
      `/admin/enterprises/${p.enterpriseId}`,
      `/admin/enterprises/${p.enterpriseId}/survey`,
      `/admin/tasks/${p.taskId}`,
      '/api/admin/complaints',
      '/api/admin/complaints?q=%E9%93%B8%E9%80%A0',
      '/api/admin/enterprises',
      `/api/admin/enterprises/${p.enterpriseId}`,
      '/api/admin/tasks',
      `/api/admin/tasks/${p.taskId}`,
      '/api/admin/revisits',
      '/api/admin/draws',
      '/api/admin/patrols',
      '/api/admin/cases',
      `/api/admin/cases/${caseId}`,
      '/api/admin/tables/progress',
      '/api/admin/exports/dynamic-list.xlsx',
      '/api/admin/tables/progress.xlsx',
      '/api/admin/tables/shutdown-register.xlsx',
      ...filed.flatMap((f) => detail(f.id)),
    ];
    const seen: Record<string, number> = {};
    for (const user of ['lingdao', 'xikou', 'zhulin', 'shengtai', 'shouli'] as const) {
      const answers = await crawl(portal.base, p.cookies[user], seeds, 250);
      seen[user] = [...answers.values()].filter((a) => a.status === 200).length;
      for (const [path, a] of answers) await expectNothing(`${path} as ${user}`, a.type, a.body);
      const editor = answers.get(`/admin/cases/${caseId}`);
      if (editor?.status === 200) {
        expect(editor.body.toString()).toContain('redaction-preview');
        expect(editor.body.toString(), 'the redaction rules are sent to the browser').not.toContain('redaction-rules');
      }
      // Each role loads the canaries' complaints it may see, so its answers were worth searching.
      const own = filed.filter((f) => answers.get(`/api/admin/complaints/${f.id}`)?.status === 200).length;
      // (The department joins what was assigned to it: not the merged duplicate.)
      expect(own, user).toBe({ zhulin: 0, shengtai: filed.length - 1 }[user as string] ?? filed.length);
    }
    // The editor's live preview, as triage types the canaries into a case.
    const preview = await api(`/api/admin/cases/${caseId}/preview`, 'shouli', 'POST', {
      title: '溪口村铸造作坊',
      summary: TYPED,
      actions: TYPED,
      found: { environment: TYPED },
    });
    expect(preview.status).toBe(200);
    await expectNothing('the preview', 'application/json', Buffer.from(preview.text));
    expect(Math.min(...Object.values(seen))).toBeGreaterThan(15);

    // The audited reveal does hand triage the contact: the search above would have found it.
    const revealed = await api(`/api/admin/complaints/${filed[2]!.id}/contact`, 'shouli', 'POST', {
      reason: '核实举报情况',
    });
    expect(revealed.status).toBe(200);
    expect(readable(revealed.text)).toContain(readable('Zqx Wolfe'));
    expect(readable(revealed.text)).toContain('13987652345');
    expect(
      (await api(`/api/admin/complaints/${filed[2]!.id}/contact`, 'lingdao', 'POST', { reason: '核实举报情况' }))
        .status,
    ).toBe(403);
  }, 300_000);

  it.skipIf(!hasBrowser)(
    "the editor's live preview in a browser: the server redacts as triage types; nothing loaded names a reporter",
    async () => {
      const draftId = (await ok('/api/admin/cases', 'shouli', 'POST', { taskId: p.taskId })).id as number;
      const browser = await launch();
      try {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
        await context.addCookies([{ name: 'sid', value: p.cookies.shouli.slice('sid='.length), url: portal.base }]);
        const page = await context.newPage();
        const loaded: Promise<void>[] = [];
        page.on('response', (res) =>
          loaded.push(
            res.body().then(
              (b) => expectNothing(`${res.url()} (browser)`, res.headers()['content-type'] ?? '', b),
              () => undefined,
            ),
          ),
        );
        await page.goto(`${portal.base}/admin/cases/${draftId}`);
        const summary = page.locator('textarea[name="summary"]');
        await summary.fill('群众 ZQX wolfe 来电（139/8765/2345），热依拉•吐尔逊江也反映，2026-10-08 21:30 夜查属实');
        const preview = page.locator('#redaction-preview');
        await expect.poll(() => preview.textContent()).toContain('群众 某某 来电（（电话已隐去））');
        expect(await preview.textContent()).toContain('2026-10-08 21:30');
        await expect.poll(() => page.locator('#redaction-hidden').textContent()).toContain('举报人姓名');
        for (const n of NEEDLES) expect(readable((await preview.textContent())!), n).not.toContain(n);
        expect(await page.locator('#redaction-rules').count()).toBe(0);
        await Promise.all(loaded);
        expect(loaded.length).toBeGreaterThan(3);
      } finally {
        await browser.close();
      }
    },
    120_000,
  );
});

/**
 * No canary, as typed or normalised, in an answer: text read as the normaliser reads it, .xlsx cell by cell, anything
 * else byte for byte.
 */
async function textOf(type: string, body: Buffer): Promise<string | null> {
  if (/json|html|xml|text|javascript/.test(type)) return body.toString('utf8');
  if (/spreadsheetml/.test(type)) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(body as unknown as ArrayBuffer);
    const cells: string[] = [];
    book.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.text)))));
    return cells.join('\n');
  }
  return null;
}

async function expectNothing(where: string, type: string, body: Buffer) {
  for (const raw of RAW) expect(body.includes(Buffer.from(raw)), `${where} contains ${raw}`).toBe(false);
  const text = await textOf(type, body);
  if (text === null) return;
  const seen = readable(text);
  for (const n of NEEDLES) expect(seen.includes(n), `${where} contains ${n} (normalised)`).toBe(false);
}

/** Every staff page and API answer reachable from `seeds` by the links pages show, as one signed-in user. */
async function crawl(base: string, cookie: string, seeds: string[], limit: number) {
  const answers = new Map<string, { status: number; type: string; body: Buffer }>();
  const queued = new Set<string>();
  // One visit per path and set of query keys: a list's filters are not walked value by value.
  const shape = (path: string) => {
    const u = new URL(path, base);
    return `${u.pathname}?${[...u.searchParams.keys()].sort().join('&')}`;
  };
  const queue: string[] = [];
  const enqueue = (path: string) => {
    if (
      !/^\/(admin|api\/admin)\//.test(`${path}/`) ||
      /\/(login|logout|password)\b|\/photos\/|\/evidence\/|\/(thumb|display)$/.test(path)
    )
      return;
    if (queued.has(shape(path))) return;
    queued.add(shape(path));
    queue.push(path);
  };
  seeds.forEach(enqueue);
  while (queue.length && answers.size < limit) {
    const path = queue.shift()!;
    const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' });
    expect(res.status, path).toBeLessThan(500);
    const body = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    answers.set(path, { status: res.status, type, body });
    if (type.includes('html'))
      for (const m of body.toString().matchAll(/href="(\/(?:admin|api\/admin)[^"#]*)"/g))
        enqueue(m[1]!.replaceAll('&amp;', '&'));
  }
  return answers;
}
