import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { complaints, replyTemplates, users } from '../../db/schema.ts';
import { enterprises, inspectionDraws, nightPatrols, tasks } from '../../db/schema-enforcement.ts';
import { apiKeys } from '../../db/schema-public.ts';
import { revisitInput } from '../../api/domain/enforcement/revisits.ts';
import { cleanText, decimal, freeText, visibleLength } from '../../api/domain/shared/text-input.ts';
import { freshContext } from '../helpers/context.ts';
import { validFields, ZHULIN } from '../helpers/report.ts';
import { listen } from '../helpers/server.ts';
import { signIn } from '../helpers/staff.ts';

function formData(fields: Record<string, string>) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

const { ctx } = await freshContext();
const server = await listen(ctx);
afterAll(() => server.close());
const admin = signIn(ctx, 'admin');
const triage = signIn(ctx, 'shouli');

// ---- Generators of hostile text and numbers ----

/**
 * Characters that draw nothing: zero-width, joiners, bidi marks and overrides, BOM, soft hyphen, fillers, odd spaces.
 */
const INVISIBLE = [
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u200F',
  '\u2060',
  '\uFEFF',
  '\u00AD',
  '\u180E',
  '\u034F',
  '\u115F',
  '\u3164',
  '\uFE0F',
  '\u2800',
  '\u202E',
  '\u2066',
  '\u3000',
  '\u00A0',
  '\u2003',
  ' ',
  '\t',
  '\n',
];
const invisibleRun = (min: number) =>
  fc.array(fc.constantFrom(...INVISIBLE), { minLength: min, maxLength: 60 }).map((a) => a.join(''));
/** A few visible characters drowned in invisible ones: fewer than `visible` a reader would see. */
const paddedShort = (visible: number) =>
  fc
    .tuple(fc.array(fc.constantFrom('脏', '臭', 'a', '1'), { minLength: 1, maxLength: visible - 1 }), invisibleRun(12))
    .map(([v, pad]) => v.map((c, i) => c + pad.slice(i * 3, i * 3 + 3)).join('') + pad);
const CONTROLS = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((i) => i !== 9 && i !== 10 && i !== 13),
  0x7f,
  0x85,
  0x9b,
].map((c) => String.fromCharCode(c));
const withInserted = (base: string, bad: fc.Arbitrary<string>) =>
  fc.tuple(bad, fc.nat({ max: base.length })).map(([b, at]) => base.slice(0, at) + b + base.slice(at));
const withControl = (base: string) => withInserted(base, fc.constantFrom(...CONTROLS, '\u2028', '\uFFFF'));
const withLoneSurrogate = (base: string) =>
  withInserted(
    base,
    fc
      .oneof(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff }))
      .map((c) => String.fromCharCode(c)),
  );
const brokenText = (base: string) => fc.oneof(withControl(base), withLoneSurrogate(base));

/**
 * Numbers a lenient parser (Number(), z.coerce) takes but a person never writes: hex, exponent, Infinity, odd digits
 * and spaces.
 */
const sneakyNumber = (lo: number, hi: number) =>
  fc.oneof(
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `0x${n.toString(16)}`),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `0X${n.toString(16).toUpperCase()}`),
    fc.double({ min: lo / 10, max: hi / 10, noNaN: true }).map((d) => `${d.toFixed(4)}e1`),
    fc.double({ min: lo * 10, max: hi * 10, noNaN: true }).map((d) => `${d.toFixed(2)}E-1`),
    fc
      .integer({ min: Math.ceil(lo), max: Math.floor(hi) })
      .map((n) => String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `\u00A0${n}`),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `${n}\u200B`),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `+${n}`),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((n) => `0b${n.toString(2)}`),
    fc.constantFrom('Infinity', '-Infinity', 'NaN', '.5', '5.', '1_0', '3,5', '--3', '30 .5'),
  );

// ---- Helpers ----

interface Refusal {
  status: number;
  message: string;
  fields?: Record<string, string>;
}

async function call(method: string, path: string, body: unknown, cookie?: string): Promise<Refusal> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : {};
  return { status: res.status, message: parsed.error?.message ?? '', fields: parsed.error?.fields };
}

async function form(path: string, fields: Record<string, string>, type: 'urlencoded' | 'multipart'): Promise<Refusal> {
  const body = type === 'urlencoded' ? new URLSearchParams(fields) : formData(fields);
  const res = await fetch(`${server.base}${path}`, { method: 'POST', body });
  const parsed = await res.json();
  return { status: res.status, message: parsed.error?.message ?? '', fields: parsed.error?.fields };
}

const rows = (table: Parameters<ReturnType<typeof ctx.db.select>['from']>[0]) =>
  ctx.db.select({ n: count() }).from(table).get()!.n;

/** A refusal: 4xx (never 5xx), its message names the field, and the table is as it was. */
async function refuses(send: () => Promise<Refusal>, label: RegExp, table: Parameters<typeof rows>[0], field?: string) {
  const before = rows(table);
  const r = await send();
  expect(r.status, r.message).toBeGreaterThanOrEqual(400);
  expect(r.status, r.message).toBeLessThan(500);
  expect(r.message).toMatch(label);
  if (field) expect(Object.keys(r.fields ?? {})).toContain(field);
  expect(rows(table)).toBe(before);
}

const RUNS = { numRuns: 25 };
const VALID_DESCRIPTION = '村口的塑料作坊每天傍晚冒黑烟，气味刺鼻。';

// ---- The shared helpers themselves ----

describe('the shared text and number rules', () => {
  const description = freeText('问题描述', { min: 10, max: 2000 });

  it('stores only well-formed NFC text without control characters, and counts what a reader sees', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const r = description.safeParse(s);
        if (!r.success) return;
        expect(r.data.isWellFormed()).toBe(true);
        expect(r.data).toBe(r.data.normalize('NFC'));
        expect(r.data).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/);
        expect(visibleLength(r.data)).toBeGreaterThanOrEqual(10);
        expect(cleanText(r.data)).toBe(r.data); // cleaning is idempotent
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses invisible padding, control characters and lone surrogates with the field named', () => {
    fc.assert(
      fc.property(fc.oneof(invisibleRun(10), paddedShort(10), brokenText(VALID_DESCRIPTION)), (s) => {
        const r = description.safeParse(s);
        expect(r.success).toBe(false);
        expect(r.error!.issues[0]!.message).toMatch(/问题描述/);
      }),
      { numRuns: 500 },
    );
  });

  it('trims and counts like the plain patterns, walking in from each end (no quadratic retry on inner runs)', () => {
    const EDGE = /[\s\p{Cf}\u034F\u115F\u1160\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0]/u.source;
    const EDGE_RUN = new RegExp(`^${EDGE}+|${EDGE}+$`, 'gu');
    const segmenter = new Intl.Segmenter('zh', { granularity: 'grapheme' });
    const piece = fc.constantFrom(
      ' ',
      '\u3000',
      '\u00A0',
      '\u200B',
      '\u200D',
      '\uFEFF',
      '\u{E0001}',
      'a',
      '中',
      'テ',
      'é',
      'e\u0301',
      'q\u0307',
      '😀',
      '👍🏽',
      'Ж',
      '\n',
      '\t',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const raw = parts.join('');
        const expected = raw
          .normalize('NFC')
          .replace(/[\u200B\u2060\uFEFF\u180E]/g, '')
          .replace(EDGE_RUN, '');
        expect(cleanText(raw)).toBe(expected);
        const visible = expected.replace(
          /[\s\p{Cf}\u034F\u115F\u1160\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu,
          '',
        );
        expect(visibleLength(expected)).toBe([...segmenter.segment(visible)].length);
      }),
      { numRuns: 500 },
    );
  });

  it('reads only plain decimals', () => {
    const lat = decimal('纬度', { min: -90, max: 90 });
    fc.assert(
      fc.property(sneakyNumber(-90, 90), (s) => {
        expect(lat.safeParse(s).success).toBe(false);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.double({ min: -90, max: 90, noNaN: true }), fc.integer({ min: 0, max: 8 }), (d, places) => {
        const written = d.toFixed(places);
        expect(lat.parse(written)).toBeCloseTo(Number(written), 10);
        expect(lat.parse(` ${written}\t`)).toBeCloseTo(Number(written), 10);
      }),
      { numRuns: 500 },
    );
    expect(lat.safeParse(Number.POSITIVE_INFINITY).success).toBe(false);
  });
});

// ---- The real endpoints ----

describe('residents: the site report and Open311', () => {
  it('refuses a description of invisible or too few visible characters, via JSON and both form encodings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(invisibleRun(12), paddedShort(10)),
        fc.constantFrom('json', 'urlencoded', 'multipart'),
        async (description, how) => {
          const fields = validFields({ description });
          await refuses(
            () =>
              how === 'json'
                ? call('POST', '/api/complaints', fields)
                : form('/api/complaints', fields, how as 'urlencoded'),
            /问题描述/,
            complaints,
            'description',
          );
        },
      ),
      RUNS,
    );
  });

  it('refuses control characters and lone surrogates in any text field', async () => {
    const fieldsWithBase = {
      description: [VALID_DESCRIPTION, /问题描述/],
      address: ['竹林村 12 号', /地址描述/],
      name: ['李四', /姓名/],
    } as const;
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...(Object.keys(fieldsWithBase) as (keyof typeof fieldsWithBase)[]))
          .chain((field) => brokenText(fieldsWithBase[field][0]).map((bad) => ({ field, bad }))),
        async ({ field, bad }) => {
          const fields = validFields({ [field]: bad, ...(field === 'name' ? { anonymous: '0' } : {}) });
          await refuses(() => call('POST', '/api/complaints', fields), fieldsWithBase[field][1], complaints, field);
        },
      ),
      RUNS,
    );
  });

  it('refuses bytes that are not UTF-8 (a surrogate encoded on its own) instead of storing U+FFFD', async () => {
    const before = rows(complaints);
    const json = Buffer.from(JSON.stringify(validFields({ description: `${VALID_DESCRIPTION}XX` })));
    const at = json.indexOf('XX');
    json[at] = 0xed; // ED A0 would start a UTF-16 surrogate written as UTF-8 (CESU-8), which UTF-8 forbids
    json[at + 1] = 0xa0;
    const res = await fetch(`${server.base}/api/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/问题描述/);
    expect(rows(complaints)).toBe(before);
  });

  it('refuses hex, exponent and other unusual numbers as coordinates', async () => {
    const near = {
      lat: sneakyNumber(ZHULIN.lat - 1, ZHULIN.lat + 1),
      lng: sneakyNumber(ZHULIN.lng - 1, ZHULIN.lng + 1),
    };
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom('lat' as const, 'lng' as const)
          .chain((field) => near[field].map((value) => ({ field, value }))),
        fc.constantFrom('json', 'urlencoded'),
        async ({ field, value }, how) => {
          const fields = validFields({ [field]: value });
          await refuses(
            () =>
              how === 'json' ? call('POST', '/api/complaints', fields) : form('/api/complaints', fields, 'urlencoded'),
            field === 'lat' ? /纬度|位置/ : /经度|位置/,
            complaints,
            field,
          );
        },
      ),
      RUNS,
    );
    // The examples from the issue, by name.
    for (const [lat, lng] of [
      ['0x1E', String(ZHULIN.lng)],
      [String(ZHULIN.lat), '1.2e2'],
      ['3e1', String(ZHULIN.lng)],
    ] as const) {
      await refuses(() => call('POST', '/api/complaints', validFields({ lat, lng })), /纬度|经度/, complaints);
    }
  });

  it('refuses the same through Open311, in its error shape', async () => {
    const keyRes = await fetch(`${server.base}/api/admin/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin },
      body: JSON.stringify({ name: '测试应用' }),
    });
    expect(keyRes.status).toBe(201);
    const apiKey = ((await keyRes.json()) as { key: string }).key;
    const post = async (fields: Record<string, string>): Promise<Refusal> => {
      const res = await fetch(`${server.base}/api/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      const body = await res.json();
      return { status: res.status, message: (body as { description: string }[]).map((e) => e.description).join(' ') };
    };
    const base = {
      api_key: apiKey,
      service_code: 'air',
      lat: String(ZHULIN.lat),
      long: String(ZHULIN.lng),
      description: VALID_DESCRIPTION,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .oneof(invisibleRun(12), paddedShort(10), brokenText(VALID_DESCRIPTION))
            .map((description) => ({ description, label: /问题描述/ })),
          sneakyNumber(ZHULIN.lat - 1, ZHULIN.lat + 1).map((lat) => ({ lat, label: /纬度|位置/ })),
          sneakyNumber(ZHULIN.lng - 1, ZHULIN.lng + 1).map((long) => ({ long, label: /经度|位置/ })),
        ),
        async ({ label, ...over }) => refuses(() => post({ ...base, ...over }), label, complaints),
      ),
      RUNS,
    );
  });
});

describe('staff forms', () => {
  let enterpriseId = 0;

  it('refuses an enterprise whose name is invisible, text is broken or numbers are not plain decimals', async () => {
    const valid = { name: '张三塑料造粒作坊', personInCharge: '张三', villageId: 1, address: '竹林村 3 组' };
    const created = await call('POST', '/api/admin/enterprises', valid, triage);
    expect(created.status).toBe(201);
    enterpriseId = ctx.db.select({ id: enterprises.id }).from(enterprises).get()!.id;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.oneof(invisibleRun(3), paddedShort(2)).map((name) => ({ name, label: /企业名称/ })),
          brokenText('竹林村 3 组').map((address) => ({ address, label: /详细地址/ })),
          brokenText('造粒').map((industry) => ({ industry, label: /行业类别/ })),
          fc.tuple(sneakyNumber(29, 31), fc.constant('120.1')).map(([lat, lng]) => ({ lat, lng, label: /纬度/ })),
          sneakyNumber(1, 5000).map((landArea) => ({ landArea, label: /占地面积/ })),
          sneakyNumber(1, 100).map((workers) => ({ workers, label: /从业人数/ })),
          sneakyNumber(1, 9).map((villageId) => ({ villageId, label: /属地村/ })),
        ),
        fc.nat(),
        async ({ label, ...over }, n) =>
          refuses(
            () => call('POST', '/api/admin/enterprises', { ...valid, name: `张三塑料造粒${n}作坊`, ...over }, triage),
            label,
            enterprises,
          ),
      ),
      RUNS,
    );
  });

  it('refuses broken text and invisible leads in a task, and a hex department id', async () => {
    const valid = {
      enterpriseId,
      type: 'shutdown',
      villageLead: '王村长',
      townshipLead: '李镇长',
      dueOn: '2027-01-31',
      measures: '断水断电',
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.oneof(invisibleRun(2), paddedShort(2)).map((villageLead) => ({ villageLead, label: /村居负责人/ })),
          brokenText('断水断电，清除原料').map((measures) => ({ measures, label: /整治措施/ })),
          sneakyNumber(1, 9).map((id) => ({ departmentIds: [id], departmentLead: '赵科长', label: /参与部门/ })),
          sneakyNumber(1, 9).map((enterpriseId) => ({ enterpriseId, label: /企业/ })),
        ),
        async ({ label, ...over }) =>
          refuses(() => call('POST', '/api/admin/tasks', { ...valid, ...over }, triage), label, tasks),
      ),
      RUNS,
    );
  });

  it('refuses broken text in a night patrol, and participants written in sneaky numbers', async () => {
    const [one, two] = ctx.db.select({ id: users.id }).from(users).limit(2).all();
    const valid = {
      startedAt: '2026-11-01T21:00',
      endedAt: '2026-11-01T23:00',
      area: '竹林村工业区',
      participantIds: [one!.id, two!.id],
      summary: '',
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.oneof(invisibleRun(2), paddedShort(2)).map((area) => ({ area, label: /巡查区域/ })),
          brokenText('发现两家作坊夜间生产').map((summary) => ({ summary, label: /情况小结/ })),
          sneakyNumber(1, 9).map((p) => ({ participantIds: [p, two!.id], label: /参加人员/ })),
          brokenText('作坊亮灯').map((note) => ({ findings: [{ note }], label: /发现的情况/ })),
          sneakyNumber(1, 9).map((villageId) => ({ villageId, label: /村（社区）/ })),
        ),
        async ({ label, ...over }) =>
          refuses(() => call('POST', '/api/admin/patrols', { ...valid, ...over }, triage), label, nightPatrols),
      ),
      RUNS,
    );
  });

  it('refuses an invisible draw title and a count written in hex or exponent', async () => {
    const valid = { title: '十一月双随机抽查', enterpriseCount: '1', departmentIds: [1] };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .oneof(invisibleRun(2), paddedShort(2), brokenText('十一月抽查'))
            .map((title) => ({ title, label: /抽查名称/ })),
          sneakyNumber(1, 50).map((enterpriseCount) => ({ enterpriseCount, label: /抽取企业数/ })),
          sneakyNumber(1, 5).map((inspectorsPerDepartment) => ({ inspectorsPerDepartment, label: /每部门抽取人数/ })),
        ),
        async ({ label, ...over }) =>
          refuses(() => call('POST', '/api/admin/draws', { ...valid, ...over }, triage), label, inspectionDraws),
      ),
      RUNS,
    );
  });

  it('refuses invisible or broken staff names, key names and reply templates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(invisibleRun(1), brokenText('陈受理')), fc.nat({ max: 9999 }), async (displayName, n) =>
        refuses(
          () => call('POST', '/api/admin/users', { username: `user${n}x`, displayName, role: 'leader' }, admin),
          /姓名/,
          users,
        ),
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(invisibleRun(2), paddedShort(2), brokenText('某某应用')), async (name) =>
        refuses(() => call('POST', '/api/admin/api-keys', { name }, admin), /使用方名称/, apiKeys),
      ),
      RUNS,
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(invisibleRun(2), brokenText('您的举报已受理，我们将尽快处理。')), async (body) =>
        refuses(() => call('PUT', '/api/admin/templates/accept', { body }, admin), /模板内容/, replyTemplates),
      ),
      RUNS,
    );
  });

  it('refuses broken text in a triage action and leaves the complaint as it was', async () => {
    const filed = await call('POST', '/api/complaints', validFields());
    expect(filed.status).toBe(201);
    const complaint = ctx.db.select().from(complaints).get()!;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          brokenText('先核实再说').map((note) => ({ action: 'note', note, label: /备注/ })),
          invisibleRun(1).map((note) => ({ action: 'note', note, label: /备注/ })),
          brokenText('已受理').map((reply) => ({ action: 'accept', reply, label: /答复/ })),
          sneakyNumber(1, 30).map((days) => ({ action: 'extend', days, reason: '需要更多时间', label: /延期天数/ })),
        ),
        async ({ label, ...action }) => {
          const r = await call(
            'POST',
            `/api/admin/complaints/${complaint.id}/actions`,
            { ...action, version: complaint.version },
            triage,
          );
          expect(r.status).toBe(400);
          expect(r.message).toMatch(label);
          expect(ctx.db.select().from(complaints).get()).toEqual(complaint);
        },
      ),
      RUNS,
    );
  });

  it('checks a revisit the same way (its schema: a revisit needs an accepted task to exist)', () => {
    fc.assert(
      fc.property(fc.oneof(invisibleRun(2), paddedShort(2), brokenText('作坊已搬走')), (note) => {
        const r = revisitInput.safeParse({ outcome: 'fine', note });
        expect(r.success).toBe(false);
        expect(r.error!.issues[0]!.message).toMatch(/现场情况/);
      }),
    );
  });

  it('still takes ordinary text, with spaces and emoji, and trims what nobody sees', async () => {
    const r = await call(
      'POST',
      '/api/complaints',
      validFields({
        description: '\u200B\u3000 村口作坊  冒黑烟 🏭，气味刺鼻！\uFEFF\n',
        address: '\u00A0竹林村 12 号\u200B',
      }),
    );
    expect(r.status).toBe(201);
    const row = ctx.db.select().from(complaints).orderBy(complaints.id).all().at(-1)!;
    expect(row.description).toBe('村口作坊  冒黑烟 🏭，气味刺鼻！');
    expect(row.address).toBe('竹林村 12 号');
  });
});
