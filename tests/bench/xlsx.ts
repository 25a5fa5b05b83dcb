// A 10,000-line dynamic list (seed 002) imported and exported through the API, beside exceljs
// alone reading and writing the same file, all in the same run on this machine; then hostile
// files (decision 011), each read in a process of its own by our import thread and by exceljs's
// streaming reader: how long until the answer, and the process's peak memory.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { createApp } from '../../api/app.ts';
import { createContext } from '../../api/context.ts';
import { importLimits, parseEnv } from '../../api/env.ts';
import { DYNAMIC_LIST_HEADERS } from '../../api/domain/enforcement/dynamic-list/columns.ts';
import { closeImportThreads, previewImport } from '../../api/domain/enforcement/dynamic-list/import.ts';
import { readFirstSheet } from '../../api/domain/shared/xlsx/read.ts';
import { cellCenter, DEMO_VILLAGES } from '../../api/seed/demo-geography.ts';
import { seedDemo } from '../../api/seed/demo.ts';
import { signIn } from '../helpers/staff.ts';
import { deflateBomb, SHEET_HEAD, SHEET_TAIL, SST_HEAD, workbook } from '../security/xlsx-bombs.ts';

const N = 10_000;
const RUNS = 3;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗'.split('');
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '磊',
  '强',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '秀英',
  '华',
  '平',
  '刚',
  '桂英',
  '建国',
  '建华',
  '国强',
  '志强',
  '海燕',
  '春梅',
  '丽娟',
  '红霞',
  '金凤',
  '永刚',
  '德明',
  '文杰',
  '晓东',
  '宏伟',
  '玉兰',
  '建平',
  '俊',
  '斌',
  '浩',
  '鹏',
  '小龙',
  '国平',
  '新民',
  '根宝',
  '阿大',
  '水根',
  '福林',
  '荣华',
  '林生',
  '土根',
];
const BUSINESS: [string, string][] = [
  ['塑料造粒', '塑料制品'],
  ['五金加工', '金属制品'],
  ['家具喷漆', '家具制造'],
  ['电镀', '金属表面处理'],
  ['废品回收', '再生资源'],
  ['石材切割', '非金属矿物制品'],
  ['印染', '纺织'],
  ['木材加工', '木材加工'],
  ['铸造', '金属铸造'],
  ['油漆调配', '化工'],
  ['橡胶粉碎', '橡胶制品'],
  ['砂洗', '纺织'],
  ['小锅炉', '热力供应'],
  ['泡沫切割', '塑料制品'],
  ['铝材抛光', '金属表面处理'],
  ['废油提炼', '化工'],
  ['纸箱印刷', '印刷'],
  ['酿造', '食品制造'],
  ['饲料加工', '农副食品加工'],
  ['汽修喷漆', '机动车维修'],
];
const PROBLEMS = [
  '废气未经收集处理直排，车间异味明显',
  '生产废水经暗管排入河道',
  '无环评手续，未配套污染防治设施',
  '危险废物露天堆放，无台账',
  '',
];
const SAFETY = [
  '生产安全：设备传动部位无防护罩；消防安全：车间内堆放大量易燃物',
  '消防安全：疏散通道堵塞，“三合一”住人',
  '特种设备：锅炉未经检验',
  '',
];
const OTHER = [
  '行政许可：无营业执照经营',
  '厂房出租：厂房群租，未签安全协议；现场管理：原料露天堆放',
  '工艺设备：使用淘汰落后设备',
  '',
];
const REVISIT = [
  '',
  '',
  '第一类：关停取缔后复产经营',
  '第二类：治理改造后重新沦为“散乱污”',
  '第三类：空置厂房新的“散乱污”进驻',
  '第四类：新发现未纳入“散乱污”整治',
];
const REMEDIATION = ['关停取缔', '整改提升', '搬迁入园'];
const PROGRESS = ['待整治', '整治中：已断水断电', '整治中：设备拆除中', '待整治：已下达整改通知', '已完成整治：已验收'];

// Deterministic, so every run measures the same file.
const rand = (i: number, k: number) => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return s - Math.floor(s);
};
const pick = <T>(list: readonly T[], i: number, k: number) => list[Math.floor(rand(i, k) * list.length)]!;

/** A realistic dynamic list: unlicensed workshops named by the seed-002 rule, spread over the six demo villages. */
export async function buildList(batch: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('动态管理清单');
  ws.addRow([`青溪镇“散乱污”企业（作坊）动态管理整治企业清单（第 ${batch} 批）`]);
  ws.addRow(DYNAMIC_LIST_HEADERS);
  for (let i = 0; i < N; i++) {
    const person = SURNAMES[i % 20]! + GIVEN[Math.floor(i / 20) % 50]!;
    const [business, industry] = BUSINESS[Math.floor(i / 1000) % 20]!;
    const licensed = i % 7 === 0;
    const village = DEMO_VILLAGES[i % DEMO_VILLAGES.length]!;
    const c = cellCenter(village.cell[0], village.cell[1]);
    // Within 0.008° of the cell's centre: inside the village whatever its wavy borders do.
    const lng = c.lng + (rand(i, 1) - 0.5) * 0.016,
      lat = c.lat + (rand(i, 2) - 0.5) * 0.016;
    const month = 1 + Math.floor(rand(i, 3) * 12);
    ws.addRow([
      i + 1,
      licensed ? `青溪${person}${business}有限公司` : `${person}${business}作坊`,
      industry,
      `青溪镇${village.name}${1 + (i % 12)}组${1 + (i % 97)}号`,
      `${lng.toFixed(6)}, ${lat.toFixed(6)}`,
      person,
      pick(REVISIT, i, 4),
      licensed ? '已办理' : '未办理',
      pick(PROBLEMS, i, 5),
      pick(SAFETY, i, 6),
      pick(OTHER, i, 7),
      pick(REMEDIATION, i, 8),
      new Date(Date.UTC(2026, month - 1, 1 + (i % 28))),
      pick(PROGRESS, i, 9),
      `${SURNAMES[(i + 3) % 20]}村长`,
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function fresh() {
  const ctx = await createContext(parseEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-bench-xlsx-')) }));
  await seedDemo(ctx, { samples: false });
  return { ctx, app: createApp(ctx), cookie: signIn(ctx, 'shouli') };
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Every line of the first sheet through exceljs's streaming reader (what decision 011 weighed against ours). */
async function streamRead(file: Buffer): Promise<number> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([file]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  });
  let lines = 0;
  for await (const sheet of reader) {
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) if (row.values) lines++;
    break;
  }
  return lines;
}

export async function benchXlsx(row: (...cells: (string | number)[]) => void) {
  // A different file each run (its title differs): the server keeps the last file it read, for
  // the commit that follows a preview, and no run may find the previous run's file there.
  const files = await Promise.all(Array.from({ length: RUNS + 1 }, (_, k) => buildList(k + 1)));
  console.log(`dynamic list: ${N} lines, ${(files[0]!.length / 1e6).toFixed(2)} MB`);
  const post = async (t: Awaited<ReturnType<typeof fresh>>, path: string, file: Buffer) => {
    const res = await t.app.request(path, {
      method: 'POST',
      body: new Uint8Array(file),
      headers: { cookie: t.cookie, 'content-type': XLSX },
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
    if (body.counts.create !== N)
      throw new Error(`${path}: expected ${N} new files, got ${JSON.stringify(body.counts)}`);
  };
  const targets = await Promise.all(Array.from({ length: RUNS + 1 }, fresh)); // the first warms up
  const read: number[] = [],
    write: number[] = [],
    imported: number[] = [],
    exported: number[] = [],
    streamed: number[] = [],
    own: number[] = [];
  let exportedBytes = 0;
  for (const [k, t] of targets.entries()) {
    const file = files[k]!;
    const wb = new ExcelJS.Workbook();
    const r = await ms(() => wb.xlsx.load(file as unknown as ArrayBuffer));
    const w = await ms(() => wb.xlsx.writeBuffer());
    const sr = await ms(() => streamRead(file));
    const o = await ms(async () => readFirstSheet(file, 20_020));
    const i = await ms(async () => {
      await post(t, '/api/admin/imports/dynamic-list/preview', file);
      await post(t, '/api/admin/imports/dynamic-list', file);
    });
    const e = await ms(async () => {
      const res = await t.app.request('/api/admin/exports/dynamic-list.xlsx', { headers: { cookie: t.cookie } });
      exportedBytes = (await res.arrayBuffer()).byteLength;
    });
    if (k === 0) continue;
    read.push(r);
    write.push(w);
    imported.push(i);
    exported.push(e);
    streamed.push(sr);
    own.push(o);
  }
  const [r, w, i, e, sr, o] = [read, write, imported, exported, streamed, own].map(median) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  console.log(`exported file: ${(exportedBytes / 1e6).toFixed(2)} MB; medians of ${RUNS} runs after one warm-up`);
  row(
    `import ${N}-line dynamic list (preview + commit, on the import thread): ms`,
    i.toFixed(0),
    `${r.toFixed(0)} exceljs read`,
    (i / r).toFixed(2),
    '≤ 2',
  );
  // The import reads the file once (the commit finds the preview's read on the same thread).
  const withStream = i - o + sr;
  row(
    `  the same with exceljs's streaming reader instead of ours (import − our read + its read): ms`,
    withStream.toFixed(0),
    `${r.toFixed(0)} exceljs read`,
    (withStream / r).toFixed(2),
    '≤ 2',
  );
  row(
    `  reading the sheet alone: ours / exceljs streaming reader: ms`,
    `${o.toFixed(0)} / ${sr.toFixed(0)}`,
    `${r.toFixed(0)} exceljs read (load)`,
    (o / r).toFixed(2),
    'for reference',
  );
  row(`export ${N}-line dynamic list: ms`, e.toFixed(0), `${w.toFixed(0)} exceljs write`, (e / w).toFixed(2), '≤ 2');
  row(
    `import + export: ms`,
    (i + e).toFixed(0),
    `${(r + w).toFixed(0)} exceljs read + write`,
    ((i + e) / (r + w)).toFixed(2),
    '≤ 2',
  );
  await closeImportThreads();
  await benchBombs(row, files[0]!);
}

const MB = 1 << 20;
/** The hostile files of decision 011's table, and a real list for comparison. */
const BOMBS: Record<string, () => Buffer> = {
  'sheet inflating to 1 GB (1000×), declaring 100 bytes': () =>
    workbook({
      sheet: { name: '', deflated: deflateBomb(SHEET_HEAD, '<row/>', 1024 * MB, SHEET_TAIL), declaredSize: 100 },
    }),
  'shared strings inflating to 1 GB': () =>
    workbook({ strings: { name: '', deflated: deflateBomb(SST_HEAD, ' ', 1024 * MB, '</sst>') } }),
  '1,000,000 unclosed <si><t> (the lazy pattern)': () =>
    workbook({ strings: { name: '', deflated: deflateBomb(SST_HEAD, '<si><t>a', 8 * MB, '') } }),
  '3,000,000 shared strings': () =>
    workbook({ strings: { name: '', deflated: deflateBomb(SST_HEAD, '<si><t>a</t></si>', 3_000_000 * 17, '</sst>') } }),
  '1,000,000 lines': () =>
    workbook({
      sheet: {
        name: '',
        deflated: deflateBomb(
          SHEET_HEAD,
          '<row><c t="inlineStr"><is><t>某</t></is></c></row>',
          1_000_000 * 51,
          SHEET_TAIL,
        ),
      },
    }),
  '20,000 lines 16,384 cells wide': () =>
    workbook({
      sheet: {
        name: '',
        deflated: deflateBomb(SHEET_HEAD, '<row><c r="XFD1"><v>1</v></c></row>', 20_000 * 35, SHEET_TAIL),
      },
    }),
  '5,000,000 empty cells': () =>
    workbook({
      sheet: {
        name: '',
        deflated: deflateBomb(`${SHEET_HEAD}<row r="1">`, '<c r="A1"/>', 5_000_000 * 11, `</row>${SHEET_TAIL}`),
      },
    }),
  '60 MB of nested elements': () =>
    workbook({ sheet: { name: '', deflated: deflateBomb(`${SHEET_HEAD}<row><c t="inlineStr">`, '<a>', 60 * MB, '') } }),
};
const LIST = 'a real 10,000-line list (ours: read and check every line; exceljs: read only)';
const LIMIT_S = 10; // IMPORT_READ_TIMEOUT_S's default
const SELF = fileURLToPath(import.meta.url);

const status = () => readFileSync('/proc/self/status', 'utf8');
const kb = (field: string, text = status()) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
/** Peak RSS from here on: Linux resets VmHWM to the current RSS when 5 is written to clear_refs. */
function resetPeak() {
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  return kb('VmRSS');
}

/** One measurement in this process (run as a child by benchBombs): prints {ms, answer, restKb, peakKb}. */
async function measureOne(kind: string, reader: 'ours' | 'exceljs', listFile: string) {
  const bytes = kind === LIST ? readFileSync(listFile) : BOMBS[kind]!();
  let answer: string;
  let ms: number;
  let restKb: number;
  if (reader === 'ours') {
    const ctx = await createContext(parseEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'sanluanwu-bench-bomb-')) }));
    if (kind === LIST) await seedDemo(ctx, { samples: false });
    const limits = importLimits(ctx.env);
    // the thread is started and warm
    await previewImport(ctx.db, ctx.villageAreas(), new Uint8Array(workbook()), new Date(), limits);
    restKb = resetPeak();
    console.log('start');
    const t0 = performance.now();
    const r = await previewImport(ctx.db, ctx.villageAreas(), new Uint8Array(bytes), new Date(), limits);
    ms = performance.now() - t0;
    answer = r.ok ? `200, ${r.counts.rows} lines` : `${r.status} ${r.message.split('：')[0]}`;
  } else {
    await streamRead(workbook());
    restKb = resetPeak();
    console.log('start');
    const t0 = performance.now();
    try {
      answer = `read ${await streamRead(bytes)} lines`;
    } catch (e) {
      answer = `error: ${(e as Error).message.slice(0, 60)}`;
    }
    ms = performance.now() - t0;
  }
  console.log(JSON.stringify({ ms, answer, restKb, peakKb: kb('VmHWM') }));
  await closeImportThreads();
  process.exit(0);
}

type Measured = { ms: number; answer: string; restKb: number; peakKb: number };

/** Runs measureOne in a child; past the time limit the child is killed (the import thread would be ended). */
function measureInChild(kind: string, reader: 'ours' | 'exceljs', listFile: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=16', SELF, 'measure', kind, reader, listFile],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let started = 0;
    let peakKb = 0;
    let timer: NodeJS.Timeout | undefined;
    const poll = setInterval(() => {
      try {
        if (started) peakKb = Math.max(peakKb, kb('VmHWM', readFileSync(`/proc/${child.pid}/status`, 'utf8')));
      } catch {} // gone
    }, 20);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!started && out.includes('start\n')) {
        started = performance.now();
        timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_S * 1000);
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearInterval(poll);
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        const m = JSON.parse(line) as Measured;
        resolve({ ...m, peakKb: Math.max(m.peakKb, peakKb) });
      } else
        resolve({
          ms: performance.now() - started,
          answer: `still reading at ${LIMIT_S} s: killed`,
          restKb: 0,
          peakKb,
        });
    });
  });
}

async function benchBombs(row: (...cells: (string | number)[]) => void, list: Buffer) {
  const listFile = join(mkdtempSync(join(tmpdir(), 'sanluanwu-bench-list-')), 'list.xlsx');
  writeFileSync(listFile, list);
  const mb = (k: number) => (k / 1024).toFixed(0);
  const text = (m: Measured) =>
    `${m.ms.toFixed(0)} ms → ${m.answer}; peak ${mb(m.peakKb)} MB${m.restKb ? ` (${mb(m.restKb)} before)` : ''}`;
  for (const kind of [LIST, ...Object.keys(BOMBS)]) {
    const ours = await measureInChild(kind, 'ours', listFile);
    const theirs = await measureInChild(kind, 'exceljs', listFile);
    row(
      `.xlsx ${kind}: time to answer, peak RSS`,
      text(ours),
      `exceljs stream: ${text(theirs)}`,
      '',
      kind === LIST ? 'for reference' : `4xx < ${LIMIT_S} s`,
    );
  }
}

if (process.argv[1] === SELF && process.argv[2] === 'measure')
  await measureOne(process.argv[3]!, process.argv[4] as 'ours' | 'exceljs', process.argv[5]!);
