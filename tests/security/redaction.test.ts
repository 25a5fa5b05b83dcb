// Redaction of typical cases (issue 11): a reporter's name, a phone, an ID number or an e-mail is
// found however it is written, masked, named (never shown) by the check at publication, and never
// sent to a browser: not in an API answer of the editor, not in its preview.
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERGE_DEPTH, reportersQuery, reporterStrings } from '../../api/domain/public/cases.ts';
import { publicCase } from '../../api/domain/public/published-cases.ts';
import { LEAK, leaks, redactionRules, redactText } from '../../api/domain/public/redaction.ts';
import { normalise } from '../../api/domain/public/redaction-normalise.ts';
import { auditLog, complaints } from '../../db/schema.ts';
import { enterpriseComplaints } from '../../db/schema-enforcement.ts';
import { cases } from '../../db/schema-public.ts';
import { freshContext } from '../helpers/context.ts';
import { duringWork, STALL_LIMIT_MS } from '../helpers/event-loop.ts';
import { reportForm, ZHULIN } from '../helpers/report.ts';
import { listen } from '../helpers/server.ts';
import { listenWithPages } from './site-server.ts';
import { json, signIn } from '../helpers/staff.ts';
import {
  email,
  emailWritten,
  idNumber,
  idWritten,
  mobile,
  phoneWritten,
  readable,
  reporterName,
  sprinkle,
  ZERO_WIDTH,
} from './redaction-forms.ts';

const DATE = '2026-10-08 21:30';
const FILLER = [
  '现场检查发现作坊仍在生产',
  '烟气直排，气味刺鼻',
  '村委会已断水断电',
  `${DATE} 夜查时又发现`,
  '设备已拆除，原料清运完毕',
  '经整治办验收通过',
  '负责人表示停止生产',
];
const PLACEHOLDERS = '某某（电话已隐去）（证件号码已隐去）（邮箱已隐去）';

const zw = fc.record({
  where: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
  chars: fc.shuffledSubarray(ZERO_WIDTH, { minLength: 1 }),
});
/** Case text with the secrets placed among the filler, in a random order. */
const caseText = (secrets: string[]) =>
  fc
    .shuffledSubarray(FILLER, { minLength: 2 })
    .chain((filler) => fc.shuffledSubarray([...filler, ...secrets], { minLength: filler.length + secrets.length }))
    .map((parts) => (parts.includes(FILLER[3]!) ? parts : [FILLER[3]!, ...parts]).join('，').concat('。'));

/** Digits of a phone as the masking must have removed them: the whole number and its last eight. */
const phoneGone = (out: string, digits: string) =>
  !readable(out).includes(digits) && !readable(out).includes(digits.slice(-8));

describe('the normaliser and the masking, on generated writings', () => {
  it('filler, placeholders and generated names share no character (else tests could pass or fail by chance)', () => {
    const filler = new Set(Array.from(FILLER.join('') + PLACEHOLDERS));
    fc.assert(
      fc.property(reporterName, (r) => Array.from(r.given + r.written).every((ch) => !filler.has(ch) || /\s/.test(ch))),
      { numRuns: 300 },
    );
  });

  it("masks every reporter's name and phone however staff wrote it; the check finds them before, nothing after", () => {
    const written = fc
      .record({ name: reporterName, d: mobile, zwName: zw, zwPhone: zw, plus: fc.boolean() })
      .chain((r) => phoneWritten(r.d).map((pw) => ({ ...r, pw })))
      .chain((r) =>
        caseText([
          sprinkle(r.name.written, r.zwName.where, r.zwName.chars),
          sprinkle(r.pw, r.zwPhone.where, r.zwPhone.chars),
        ]).map((text) => ({ ...r, text })),
      );
    fc.assert(
      fc.property(written, ({ name, d, plus, text }) => {
        const rules = redactionRules({
          name: '',
          personInCharge: '',
          landlord: '',
          businessLicence: false,
          reporters: [name.given, plus ? `+86 ${d}` : d],
        });
        expect(leaks(text, rules), text).toEqual(expect.arrayContaining([LEAK.reporterName, LEAK.reporterPhone]));
        const out = redactText(text, rules);
        expect(readable(out), `${text} → ${out}`).not.toContain(readable(name.given));
        expect(readable(out)).not.toContain(readable(name.written));
        expect(phoneGone(out, d), `${text} → ${out}`).toBe(true);
        expect(leaks(out, rules), out).toEqual([]);
        expect(out).toContain(DATE);
        expect(out).not.toMatch(/[\u200B-\u200D\u2060\uFEFF\u00AD]/);
      }),
      { numRuns: 400 },
    );
  });

  it("masks any phone, ID number and e-mail, a reporter's or not, and the check names each kind", () => {
    const written = fc
      .record({ d: mobile, id: idNumber, e: email, z: zw })
      .chain((r) =>
        fc
          .tuple(phoneWritten(r.d), idWritten(r.id), emailWritten(r.e))
          .map(([pw, iw, ew]) => ({ ...r, secrets: [pw, iw, ew].map((x) => sprinkle(x, r.z.where, r.z.chars)) })),
      )
      .chain((r) => caseText(r.secrets).map((text) => ({ ...r, text })));
    const none = redactionRules(null);
    fc.assert(
      fc.property(written, ({ d, id, e, text }) => {
        expect(leaks(text, none), text).toEqual(expect.arrayContaining([LEAK.phone, LEAK.id, LEAK.email]));
        const out = redactText(text, none);
        expect(phoneGone(out, d), `${text} → ${out}`).toBe(true);
        expect(readable(out), `${text} → ${out}`).not.toContain(id.slice(0, 17));
        expect(readable(out), `${text} → ${out}`).not.toContain(readable(e.local));
        expect(leaks(out, none), out).toEqual([]);
        expect(out).toContain(DATE);
      }),
      { numRuns: 400 },
    );
  });

  it('leaves dates, clock times and ordinary quantities as they were', () => {
    const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2039-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(
        date,
        fc.integer({ min: 0, max: 99_999 }),
        fc.integer({ min: 0, max: 999_999 }),
        fc.constantFrom('-', '/', '.'),
        (d, area, fine, sep) => {
          const iso = d.toISOString();
          const text =
            `${iso.slice(0, 10).replaceAll('-', sep)} ${iso.slice(11, 16)} 检查，` +
            `${iso.slice(0, 4)}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日复查，面积 ${area} 平方米，罚款 ${fine} 元。`;
          expect(redactText(text, redactionRules(null))).toBe(text);
          expect(leaks(text, redactionRules(null))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('catches the writings named in the issue', () => {
    const rules = redactionRules({
      name: '',
      personInCharge: '',
      landlord: '',
      businessLicence: false,
      reporters: ['Zqx Wolfe', '阿依古丽·买买提', '欧阳明', '13987654321'],
    });
    const written = [
      'Zqx Wolfe',
      'zqx wolfe',
      'ZQX  WOLFE',
      'ZqxWolfe',
      'Ｚｑｘ　Ｗｏｌｆｅ',
      'Zqx\u200BWolfe',
      '阿依古丽·买买提',
      '阿依古丽・买买提',
      '阿依古丽•买买提',
      '阿依古丽 买买提',
      '欧 阳 明',
      '欧\u200B阳\u00AD明',
      '139 - 8765 - 4321',
      '139/8765/4321',
      '139_8765_4321',
      '１３９８７６５４３２１',
      '一三九八七六五四三二一',
      '壹叁玖捌柒陆伍肆叁贰壹',
      '①③⑨⑧⑦⑥⑤④③②①',
      '139 八七六5 ④③②①',
      '+86 139 8765 4321',
    ];
    for (const w of written)
      expect(redactText(`群众${w}举报`, rules), w).toBe(
        /\d/.test(normalise(w)) ? '群众（电话已隐去）举报' : '群众某某举报',
      );
    expect(
      redactText(
        '身份证 33010219800101123X，邮箱 zqx.w@example.org、zqx at example dot com、abc＠qq．com',
        redactionRules(null),
      ),
    ).toBe('身份证 （证件号码已隐去），邮箱 （邮箱已隐去）、（邮箱已隐去）、（邮箱已隐去）');
    // A reporter's surname alone is not masked (it is anyone's), his given name with it is, in any spacing.
    expect(redactText('欧阳先生说欧阳 明来过', rules)).toBe('欧阳先生说某某来过');
  });
});

// Through the real API: a case whose saved text holds a reporter's string is not published.
const now = Date.parse('2026-11-02T02:00:00Z');
const { ctx, app } = await freshContext({}, { now: () => now });
const cookies = new Map<string, string>();
function cookie(user: string) {
  if (!cookies.has(user)) cookies.set(user, signIn(ctx, user));
  return cookies.get(user)!;
}
const call = (method: string, path: string, body: unknown, user: string) =>
  app.request(path, { method, ...json(body, cookie(user)) });
const row = (id: number) => ctx.db.select().from(cases).where(eq(cases.id, id)).get()!;

async function fileReport(name: string, phone: string): Promise<number> {
  const res = await app.request('/api/complaints', {
    method: 'POST',
    body: reportForm({ anonymous: '0', name, phone, description: '村口铸造作坊夜里开工，烟很大，气味刺鼻。' }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { trackingCode } = await res.json();
  return ctx.db.select({ id: complaints.id }).from(complaints).where(eq(complaints.trackingCode, trackingCode)).get()!
    .id;
}

const REPORTER = { name: 'Zqx Wolfe', phone: '13987651234' };
const DOTTED = { name: '阿依古丽·买买提', phone: '13712345678' };

async function caseWithReporters() {
  const ent = await call(
    'POST',
    '/api/admin/enterprises',
    { name: '青溪铸造有限公司', businessLicence: true, personInCharge: '钱七', lat: ZHULIN.lat, lng: ZHULIN.lng },
    'shouli',
  );
  expect(ent.status, await ent.clone().text()).toBe(201);
  const enterpriseId = (await ent.json()).id as number;
  const created = await call('POST', '/api/admin/cases', { enterpriseId }, 'shouli');
  expect(created.status, await created.clone().text()).toBe(201);
  return { enterpriseId, id: (await created.json()).id as number };
}
const { enterpriseId, id: caseId } = await caseWithReporters();

const save = (text: string, user = 'shouli') =>
  call(
    'PATCH',
    `/api/admin/cases/${caseId}`,
    {
      version: row(caseId).version,
      title: '竹林村铸造作坊完成整改',
      villageId: row(caseId).villageId,
      happenedOn: '2026-11-01',
      summary: text,
      actions: '断水\n断电',
      found: { environment: text },
    },
    user,
  );
const act = (action: string, user: string) =>
  call('POST', `/api/admin/cases/${caseId}/actions`, { action, version: row(caseId).version }, user);

/** No reporter string, in any writing, anywhere in a body. */
function expectNoReporter(body: string, where: string) {
  const seen = readable(body);
  for (const r of [REPORTER, DOTTED]) {
    expect(seen, `${where} names ${r.name}`).not.toContain(readable(r.name));
    expect(seen, `${where} carries ${r.phone}`).not.toContain(r.phone);
  }
  for (const part of ['zqx', 'wolfe', '买买提', '阿依古丽']) expect(seen, `${where} names ${part}`).not.toContain(part);
}

describe('publication and the editor, through the API', () => {
  it('a name typed before the complaint was linked: hidden from all, publishing refused till saved again', async () => {
    expect(
      (await save('举报人 Zqx  Wolfe（一三九 8765 ④③②①）和阿依古丽・买买提反映，2026-10-08 21:30 夜查属实')).status,
    ).toBe(200);
    // Not a reporter yet: the name stays, the phone (any phone) does not.
    expect(row(caseId).summary).toContain('Zqx  Wolfe');
    expect(row(caseId).summary).not.toMatch(/8765/);
    const complaintIds = [await fileReport(REPORTER.name, REPORTER.phone), await fileReport(DOTTED.name, DOTTED.phone)];
    const linked = await call('POST', `/api/admin/enterprises/${enterpriseId}/complaints`, { complaintIds }, 'shouli');
    expect(linked.status, await linked.clone().text()).toBe(200);
    // The stored text is proved to hold the canary, so the searches below are not vacuous.
    expect(readable(row(caseId).summary)).toContain(readable(REPORTER.name));

    for (const user of ['shouli', 'admin', 'lingdao']) {
      const res = await app.request(`/api/admin/cases/${caseId}`, { headers: { cookie: cookie(user) } });
      expect(res.status).toBe(200);
      const body = await res.text();
      expectNoReporter(body, `GET /api/admin/cases/${caseId} as ${user}`);
      const e = JSON.parse(body);
      expect(e.rules).toBeUndefined();
      expect(e.pendingMasking).toEqual([LEAK.reporterName]);
      expect(e.summary).toContain('举报人 某某');
      const list = await app.request('/api/admin/cases', { headers: { cookie: cookie(user) } });
      expectNoReporter(await list.text(), `GET /api/admin/cases as ${user}`);
    }

    expect((await act('submit', 'shouli')).status).toBe(200);
    const refused = await act('approve', 'admin');
    expect(refused.status).toBe(409);
    const message = (await refused.json()).error.message as string;
    expect(message).toContain(LEAK.reporterName);
    expectNoReporter(message, 'the refusal');
    expect(row(caseId).status).toBe('pending');
    expect(publicCase(ctx.db, caseId).status).toBe('missing');

    // Saving what the editor shows masks it; then a second person may publish.
    const shown = await (
      await app.request(`/api/admin/cases/${caseId}`, { headers: { cookie: cookie('shouli') } })
    ).json();
    expect((await save(shown.summary)).status).toBe(200);
    expectNoReporter(JSON.stringify(row(caseId)), 'the saved row');
    expect((await act('submit', 'shouli')).status).toBe(200);
    const ok = await act('approve', 'admin');
    expect(ok.status, await ok.clone().text()).toBe(200);
    const page = publicCase(ctx.db, caseId);
    expect(page.status).toBe('ok');
    expectNoReporter(JSON.stringify(page), 'the public case');
    expect(JSON.stringify(page)).toContain('2026-10-08 21:30');
    expect((await act('unpublish', 'shouli')).status).toBe(400); // a reason is required
    const down = await call(
      'POST',
      `/api/admin/cases/${caseId}/actions`,
      { action: 'unpublish', version: row(caseId).version, reason: '核对中' },
      'shouli',
    );
    expect(down.status).toBe(200);
  });

  it('refuses to publish while any generated reporter string, phone, ID or e-mail stays, naming its kind', async () => {
    const secret = fc.oneof(
      fc
        .constantFrom(REPORTER.name, DOTTED.name)
        .chain((n) =>
          fc.constantFrom(
            n,
            n.toUpperCase(),
            n.replace(/[ ·]/, ''),
            n.replace('·', '•'),
            n.replace(' ', '\u3000'),
            sprinkle(n, [true], ['\u200B']),
          ),
        )
        .map((w) => ({ w, kind: LEAK.reporterName })),
      fc
        .constantFrom(REPORTER.phone, DOTTED.phone)
        .chain((d) => phoneWritten(d))
        .map((w) => ({ w, kind: LEAK.reporterPhone })),
      mobile.chain((d) => phoneWritten(d)).map((w) => ({ w, kind: LEAK.phone })),
      idNumber.chain((id) => idWritten(id)).map((w) => ({ w, kind: LEAK.id })),
      email.chain((e) => emailWritten(e)).map((w) => ({ w, kind: LEAK.email })),
    );
    const field = fc.constantFrom('title', 'summary', 'actions', 'found');
    await fc.assert(
      fc.asyncProperty(secret, field, zw, async (s, f, z) => {
        // As a row saved before this check existed, or before its complaint was linked.
        const w = sprinkle(s.w, z.where, z.chars);
        const text = `竹林村${w}，${DATE} 复查`;
        const set = f === 'found' ? { found: { environment: text } } : { [f]: text };
        ctx.db
          .update(cases)
          .set({ title: '竹林村铸造作坊完成整改', summary: '', actions: '断水', found: {}, ...set, status: 'pending' })
          .where(eq(cases.id, caseId))
          .run();
        const before = row(caseId);
        const audits = ctx.db.select({ id: auditLog.id }).from(auditLog).all().length;
        const res = await act('approve', 'admin');
        expect(res.status, w).toBe(409);
        const message = (await res.json()).error.message as string;
        expect(message, w).toContain(s.kind);
        expect(readable(message)).not.toContain(readable(s.w).slice(0, 6));
        expect(row(caseId)).toEqual(before);
        expect(ctx.db.select({ id: auditLog.id }).from(auditLog).all().length).toBe(audits);
        expect(publicCase(ctx.db, caseId).status).not.toBe('ok');
      }),
      { numRuns: 60 },
    );
  });
});

describe('the preview endpoint', () => {
  const preview = (body: unknown, user = 'shouli') => call('POST', `/api/admin/cases/${caseId}/preview`, body, user);
  const draft = (text: string) => ({
    title: `竹林村${text}`.slice(0, 80),
    summary: text,
    actions: text,
    found: { environment: text, fire: text },
  });

  it('gives the office alone the redacted draft and the kinds hidden, never a reporter string', async () => {
    ctx.db.update(cases).set({ status: 'draft' }).where(eq(cases.id, caseId)).run();
    const typed = `群众 zqx wolfe（139/8765/1234）与阿依古丽•买买提来电，${DATE} 夜查属实，邮箱 zqx＠example．org`;
    const res = await preview(draft(typed));
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await res.text();
    expectNoReporter(body, 'the preview');
    const p = JSON.parse(body);
    expect(p.summary).toBe(`群众 某某（（电话已隐去））与某某来电，${DATE} 夜查属实，邮箱 （邮箱已隐去）`);
    expect(p.leaks).toEqual(expect.arrayContaining([LEAK.reporterName, LEAK.reporterPhone, LEAK.email]));
    expect(p.remaining).toEqual([]);
    expect(Object.keys(p).sort()).toEqual(['actions', 'found', 'leaks', 'ok', 'remaining', 'summary', 'title']);
    for (const user of ['lingdao', 'zhulin', 'shengtai'])
      expect((await preview(draft(typed), user)).status, user).toBe(403);
    expect(
      (await app.request(`/api/admin/cases/${caseId}/preview`, { method: 'POST', ...json(draft(typed)) })).status,
    ).toBe(401);
    expect((await call('POST', '/api/admin/cases/999999/preview', draft('x'), 'shouli')).status).toBe(404);
  });

  it('answers any body with 200 or a Chinese 4xx naming the field, never 5xx, and saves nothing', async () => {
    const before = row(caseId);
    const audits = ctx.db.select({ id: auditLog.id }).from(auditLog).all().length;
    const anyValue = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
    );
    const body = fc.oneof(
      fc.record({ title: anyValue, summary: anyValue, actions: anyValue, found: anyValue }, { requiredKeys: [] }),
      fc.record({ title: fc.string({ unit: 'binary', minLength: 81, maxLength: 120 }) }),
      fc.record({
        found: fc.dictionary(
          fc.string({ minLength: 1, maxLength: 10 }),
          fc.string({ unit: 'binary', maxLength: 1200 }),
          { minKeys: 1, maxKeys: 3 },
        ),
      }),
      anyValue,
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await preview(b);
        expect(res.status, JSON.stringify(b)).toBeLessThan(500);
        if (res.status !== 200) {
          expect(res.status).toBe(400);
          expect((await res.json()).error.message).toMatch(/[\u4e00-\u9fa5]/);
        } else expectNoReporter(await res.text(), 'the preview');
      }),
      { numRuns: 200 },
    );
    const long = await preview({ title: '竹'.repeat(81) });
    expect((await long.json()).error.message).toContain('标题');
    const area = await preview({ found: { kitchen: '油烟' } });
    expect(area.status).toBe(400);
    expect((await area.json()).error.message).toContain('检查方面');
    const notJson = await app.request(`/api/admin/cases/${caseId}/preview`, {
      method: 'POST',
      headers: { cookie: cookie('shouli'), 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(notJson.status).toBe(400);
    expect(row(caseId)).toEqual(before);
    expect(ctx.db.select({ id: auditLog.id }).from(auditLog).all().length).toBe(audits);
  });

  it(`holds the event loop under ${STALL_LIMIT_MS} ms for the largest hostile draft`, async () => {
    const server = await listen(ctx);
    try {
      const hostile = [
        '1 '.repeat(1000),
        'a.'.repeat(1000),
        'a@'.repeat(1000),
        'a at '.repeat(400),
        '王五'.repeat(1000),
        '\u200B１'.repeat(1000),
        'Zqx Wolfe '.repeat(200),
        '一三九'.repeat(666),
        `${DATE} `.repeat(117),
        'x'.repeat(2000),
      ];
      // A running server has compiled these paths long before; a fresh one (and this process's first fetch) has not.
      for (const h of hostile) {
        await fetch(`${server.base}/api/admin/cases/${caseId}/preview`, {
          method: 'POST',
          ...json({ summary: h.slice(0, 200) }, cookie('shouli')),
        }).then((r) => r.text());
      }
      for (const h of hostile) {
        const body = {
          title: h.slice(0, 80),
          summary: h,
          actions: h,
          found: Object.fromEntries(
            ['licensing', 'process', 'safety', 'fire', 'special', 'environment', 'leasing', 'site'].map((k) => [
              k,
              h.slice(0, 1000),
            ]),
          ),
        };
        const run = await duringWork(server.base, () =>
          fetch(`${server.base}/api/admin/cases/${caseId}/preview`, {
            method: 'POST',
            ...json(body, cookie('shouli')),
          }).then(async (r) => ({ status: r.status, text: await r.text() })),
        );
        expect(run.result.status, run.result.text.slice(0, 200)).toBe(200);
        expect(run.blockedMs, `${h.slice(0, 20)}: ${run.blockedMs.toFixed(1)} ms`).toBeLessThan(STALL_LIMIT_MS);
      }
    } finally {
      await server.close();
    }
  });
});

// Reporters who come to a case by a merge, or after it was published (issue 11): their strings are
// masked in the editor, refused at publication and taken out of every public answer, cached pages included.
describe('reporters of merged complaints, and reporters who come after publication', () => {
  const LATE = { name: 'Quillon Brax', phone: '13655501234' };
  const MERGED = { name: '古丽娜·吐尔逊', phone: '13655505678' };
  const CHAIN = { name: '司马青云', phone: '13655509012' };
  const LATE_ONES = [LATE, MERGED, CHAIN];
  const TEXT = `群众 Quillon Brax、古丽娜・吐尔逊和司马 青云多次反映，${DATE} 夜查属实，作坊已关停`;
  const status = (id: number) =>
    ctx.db.select({ s: complaints.status }).from(complaints).where(eq(complaints.id, id)).get()!.s;
  const version = (id: number) =>
    ctx.db.select({ v: complaints.version }).from(complaints).where(eq(complaints.id, id)).get()!.v;
  const merge = async (id: number, targetId: number) => {
    const res = await call(
      'POST',
      `/api/admin/complaints/${id}/actions`,
      { action: 'merge', version: version(id), targetId },
      'shouli',
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(status(id)).toBe('merged');
  };
  const link = async (enterprise: number, complaintIds: number[]) => {
    const res = await call('POST', `/api/admin/enterprises/${enterprise}/complaints`, { complaintIds }, 'shouli');
    expect(res.status, await res.clone().text()).toBe(200);
  };
  // The real front with the built pages and its page cache, on this file's database.
  let server: Awaited<ReturnType<typeof listenWithPages>>;
  beforeAll(async () => {
    server = await listenWithPages(ctx);
  });
  afterAll(() => server?.close());

  /** Which of the late reporters a body names, in any writing (their phones were never in the case). */
  const named = (body: string) =>
    LATE_ONES.filter((r) => readable(body).includes(readable(r.name)) || readable(body).includes(r.phone)).map(
      (r) => r.name,
    );

  it('follows merge chains up to MERGE_DEPTH, through the partial index, and stops on a cycle', async () => {
    const ent = await call(
      'POST',
      '/api/admin/enterprises',
      {
        name: '青溪链式合并测试有限公司',
        businessLicence: true,
        personInCharge: '孙八',
        lat: ZHULIN.lat + 0.001,
        lng: ZHULIN.lng,
      },
      'shouli',
    );
    expect(ent.status, await ent.clone().text()).toBe(201);
    const e = (await ent.json()).id as number;
    // A chain built row by row (the API only ever merges one step at a time): c0 linked, c1 merged into c0, c2 into c1…
    const chain: number[] = [];
    for (let i = 0; i <= MERGE_DEPTH + 1; i++)
      chain.push(await fileReport(`链${'甲乙丙丁戊己庚辛壬癸'[i]}某`, `1365560${String(1000 + i)}`));
    ctx.db
      .insert(enterpriseComplaints)
      .values({ complaintId: chain[0]!, enterpriseId: e, linkedAt: new Date(now) })
      .run();
    for (let i = 1; i < chain.length; i++)
      ctx.db
        .update(complaints)
        .set({ status: 'merged', mergedIntoId: chain[i - 1]! })
        .where(eq(complaints.id, chain[i]!))
        .run();
    const found = reporterStrings(ctx.db, [e]).get(e)!;
    for (let i = 0; i < chain.length; i++)
      expect(found.includes(`1365560${String(1000 + i)}`), `depth ${i}`).toBe(i <= MERGE_DEPTH);
    // A corrupt cycle (c0 merged into the last) ends at the bound instead of looping.
    ctx.db
      .update(complaints)
      .set({ mergedIntoId: chain.at(-1)! })
      .where(eq(complaints.id, chain[0]!))
      .run();
    expect(reporterStrings(ctx.db, [e]).get(e)!.length).toBeGreaterThan(0);
    ctx.db.update(complaints).set({ mergedIntoId: null }).where(eq(complaints.id, chain[0]!)).run();

    // The merge step is an index search, not a scan of every complaint.
    const plan = ctx.db.all<{ detail: string }>(sql`explain query plan ${reportersQuery([e])}`);
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/SEARCH m USING (COVERING )?INDEX complaints_merged_into \(merged_into_id=\?\)/);
    expect(details).not.toMatch(/SCAN (m|complaints)\b/);
  });

  it('masks in the editor, and refuses to publish, the reporter of a complaint merged into a linked one', async () => {
    const ent = await call(
      'POST',
      '/api/admin/enterprises',
      {
        name: '青溪合并举报测试有限公司',
        businessLicence: true,
        personInCharge: '周九',
        lat: ZHULIN.lat,
        lng: ZHULIN.lng + 0.001,
      },
      'shouli',
    );
    const e = (await ent.json()).id as number;
    const id = (await (await call('POST', '/api/admin/cases', { enterpriseId: e }, 'shouli')).json()).id as number;
    const linked = await fileReport('蔡十一', '13655511111');
    const merged = await fileReport(MERGED.name, MERGED.phone);
    const chained = await fileReport(CHAIN.name, CHAIN.phone);
    await link(e, [linked]);
    await merge(chained, merged); // the chain: chained → merged → linked
    await merge(merged, linked);
    const saved = await call(
      'PATCH',
      `/api/admin/cases/${id}`,
      {
        version: row(id).version,
        title: '竹林村合并举报测试案例',
        villageId: row(id).villageId,
        happenedOn: '2026-11-01',
        summary: TEXT,
      },
      'shouli',
    );
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect(named(row(id).summary)).toEqual([LATE.name]);
    // As a row saved before the merge: the editor hides it and publication is refused.
    ctx.db.update(cases).set({ summary: TEXT, status: 'pending' }).where(eq(cases.id, id)).run();
    for (const user of ['shouli', 'lingdao']) {
      const body = await (await app.request(`/api/admin/cases/${id}`, { headers: { cookie: cookie(user) } })).text();
      expect(named(body), user).toEqual([LATE.name]);
    }
    const refused = await call(
      'POST',
      `/api/admin/cases/${id}/actions`,
      { action: 'approve', version: row(id).version },
      'admin',
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toContain(LEAK.reporterName);
    expect(row(id).status).toBe('pending');
  });

  it('a complaint linked, or merged into a linked one, after publication: its reporter leaves at once', async () => {
    // From /cases/{id}, /cases, the feed and every public JSON, cached pages included.
    const ent = await call(
      'POST',
      '/api/admin/enterprises',
      {
        name: '青溪发布后关联测试有限公司',
        businessLicence: true,
        personInCharge: '吴十',
        lat: ZHULIN.lat + 0.002,
        lng: ZHULIN.lng + 0.002,
      },
      'shouli',
    );
    const e = (await ent.json()).id as number;
    const id = (await (await call('POST', '/api/admin/cases', { enterpriseId: e }, 'shouli')).json()).id as number;
    const title = '竹林村发布后关联测试案例';
    const saved = await call(
      'PATCH',
      `/api/admin/cases/${id}`,
      {
        version: row(id).version,
        title,
        villageId: row(id).villageId,
        happenedOn: '2026-11-05',
        summary: TEXT,
        found: { environment: TEXT },
        actions: '断水\n断电',
      },
      'shouli',
    );
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect(
      (await call('POST', `/api/admin/cases/${id}/actions`, { action: 'submit', version: row(id).version }, 'shouli'))
        .status,
    ).toBe(200);
    const ok = await call(
      'POST',
      `/api/admin/cases/${id}/actions`,
      { action: 'approve', version: row(id).version },
      'admin',
    );
    expect(ok.status, await ok.clone().text()).toBe(200);

    const surfaces = [
      '/cases',
      `/cases/${id}`,
      '/feed.xml',
      '/sitemap.xml',
      '/api/case-map',
      '/api/open311/v2/requests.json',
      '/api/open311/v2/requests.xml',
      '/api/open311/v2/services.json',
    ];
    const read = async () =>
      Object.fromEntries(
        await Promise.all(
          surfaces.map(async (p) => {
            const res = await fetch(`${server.base}${p}`);
            expect(res.status, p).toBe(200);
            return [p, await res.text()] as const;
          }),
        ),
      );
    const whoIsNamed = (bodies: Record<string, string>) =>
      Object.fromEntries(Object.entries(bodies).map(([p, b]) => [p, named(b)]));
    // Published while none of them was a reporter: the names are on the pages (so the searches below can fail).
    const first = await read();
    for (const p of ['/cases', `/cases/${id}`, '/feed.xml'])
      expect(named(first[p]!), p).toEqual(LATE_ONES.map((r) => r.name));
    // The pages are cached: a change that bumps nothing is not seen yet.
    ctx.db
      .update(cases)
      .set({ title: `${title}（复核）` })
      .where(eq(cases.id, id))
      .run();
    expect(await (await fetch(`${server.base}/cases/${id}`)).text()).not.toContain('（复核）');

    const late = await fileReport(LATE.name, LATE.phone);
    await link(e, [late]);
    const afterLink = await read();
    expect(afterLink[`/cases/${id}`]).toContain('（复核）'); // rendered anew, not served from the cache
    for (const p of surfaces) expect(named(afterLink[p]!), p).not.toContain(LATE.name);
    for (const p of ['/cases', `/cases/${id}`, '/feed.xml'])
      expect(named(afterLink[p]!), p).toEqual([MERGED.name, CHAIN.name]);

    // A chain merged into the linked complaint, the last step after publication.
    const merged = await fileReport(MERGED.name, MERGED.phone);
    const chained = await fileReport(CHAIN.name, CHAIN.phone);
    await merge(chained, merged);
    expect(named((await read())[`/cases/${id}`]!)).toEqual([MERGED.name, CHAIN.name]); // not reporters of this case yet
    await merge(merged, late);
    expect(whoIsNamed(await read())).toEqual(Object.fromEntries(surfaces.map((p) => [p, []])));
    const page = await (await fetch(`${server.base}/cases/${id}`)).text();
    expect(page).toContain('群众 某某、某某和某某多次反映');
    expect(page).toContain(DATE);
    expect(named(JSON.stringify(publicCase(ctx.db, id)))).toEqual([]);
  });
});
