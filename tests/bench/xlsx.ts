// A 10,000-line dynamic list (seed 002) imported and exported through the API, beside exceljs
// alone reading and writing the same file, all in the same run on this machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createApp } from '../../api/app.ts';
import { createContext } from '../../api/context.ts';
import { parseEnv } from '../../api/env.ts';
import { DYNAMIC_LIST_HEADERS } from '../../api/services/dynamic-list-columns.ts';
import { cellCenter, DEMO_VILLAGES } from '../../db/seed/demo-geography.ts';
import { seedDemo } from '../../db/seed/demo.ts';
import { signIn } from '../helpers/staff.ts';

const N = 10_000;
const RUNS = 3;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗'.split('');
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '强', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '华', '平', '刚', '桂英',
  '建国', '建华', '国强', '志强', '海燕', '春梅', '丽娟', '红霞', '金凤', '永刚', '德明', '文杰', '晓东', '宏伟', '玉兰', '建平', '俊', '斌', '浩', '鹏',
  '小龙', '国平', '新民', '根宝', '阿大', '水根', '福林', '荣华', '林生', '土根'];
const BUSINESS: [string, string][] = [
  ['塑料造粒', '塑料制品'], ['五金加工', '金属制品'], ['家具喷漆', '家具制造'], ['电镀', '金属表面处理'], ['废品回收', '再生资源'],
  ['石材切割', '非金属矿物制品'], ['印染', '纺织'], ['木材加工', '木材加工'], ['铸造', '金属铸造'], ['油漆调配', '化工'],
  ['橡胶粉碎', '橡胶制品'], ['砂洗', '纺织'], ['小锅炉', '热力供应'], ['泡沫切割', '塑料制品'], ['铝材抛光', '金属表面处理'],
  ['废油提炼', '化工'], ['纸箱印刷', '印刷'], ['酿造', '食品制造'], ['饲料加工', '农副食品加工'], ['汽修喷漆', '机动车维修'],
];
const PROBLEMS = ['废气未经收集处理直排，车间异味明显', '生产废水经暗管排入河道', '无环评手续，未配套污染防治设施', '危险废物露天堆放，无台账', ''];
const SAFETY = ['生产安全：设备传动部位无防护罩；消防安全：车间内堆放大量易燃物', '消防安全：疏散通道堵塞，“三合一”住人', '特种设备：锅炉未经检验', ''];
const OTHER = ['行政许可：无营业执照经营', '厂房出租：厂房群租，未签安全协议；现场管理：原料露天堆放', '工艺设备：使用淘汰落后设备', ''];
const REVISIT = ['', '', '第一类：关停取缔后复产经营', '第二类：治理改造后重新沦为“散乱污”', '第三类：空置厂房新的“散乱污”进驻', '第四类：新发现未纳入“散乱污”整治'];
const REMEDIATION = ['关停取缔', '整改提升', '搬迁入园'];
const PROGRESS = ['待整治', '整治中：已断水断电', '整治中：设备拆除中', '待整治：已下达整改通知', '已完成整治：已验收'];

// Deterministic, so every run measures the same file.
const rand = (i: number, k: number) => {
  const s = Math.sin(i * 12.9898 + k * 78.233) * 43758.5453;
  return s - Math.floor(s);
};
const pick = <T>(list: readonly T[], i: number, k: number) => list[Math.floor(rand(i, k) * list.length)]!;

/** A realistic dynamic list: unlicensed workshops named by the seed-002 rule, spread over the six demo villages. */
async function buildList(batch: number): Promise<Buffer> {
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
    const lng = c.lng + (rand(i, 1) - 0.5) * 0.016, lat = c.lat + (rand(i, 2) - 0.5) * 0.016;
    const month = 1 + Math.floor(rand(i, 3) * 12);
    ws.addRow([
      i + 1, licensed ? `青溪${person}${business}有限公司` : `${person}${business}作坊`, industry, `青溪镇${village.name}${1 + (i % 12)}组${1 + (i % 97)}号`,
      `${lng.toFixed(6)}, ${lat.toFixed(6)}`, person, pick(REVISIT, i, 4), licensed ? '已办理' : '未办理', pick(PROBLEMS, i, 5), pick(SAFETY, i, 6),
      pick(OTHER, i, 7), pick(REMEDIATION, i, 8), new Date(Date.UTC(2026, month - 1, 1 + (i % 28))), pick(PROGRESS, i, 9), `${SURNAMES[(i + 3) % 20]}村长`,
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

export async function benchXlsx(row: (...cells: (string | number)[]) => void) {
  // A different file each run (its title differs): the server keeps the last file it read, for
  // the commit that follows a preview, and no run may find the previous run's file there.
  const files = await Promise.all(Array.from({ length: RUNS + 1 }, (_, k) => buildList(k + 1)));
  console.log(`dynamic list: ${N} lines, ${(files[0]!.length / 1e6).toFixed(2)} MB`);
  const post = async (t: Awaited<ReturnType<typeof fresh>>, path: string, file: Buffer) => {
    const res = await t.app.request(path, { method: 'POST', body: new Uint8Array(file), headers: { cookie: t.cookie, 'content-type': XLSX } });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
    if (body.counts.create !== N) throw new Error(`${path}: expected ${N} new files, got ${JSON.stringify(body.counts)}`);
  };
  const targets = await Promise.all(Array.from({ length: RUNS + 1 }, fresh)); // the first warms up
  const read: number[] = [], write: number[] = [], imported: number[] = [], exported: number[] = [];
  let exportedBytes = 0;
  for (const [k, t] of targets.entries()) {
    const file = files[k]!;
    const wb = new ExcelJS.Workbook();
    const r = await ms(() => wb.xlsx.load(file as unknown as ArrayBuffer));
    const w = await ms(() => wb.xlsx.writeBuffer());
    const i = await ms(async () => {
      await post(t, '/api/admin/imports/dynamic-list/preview', file);
      await post(t, '/api/admin/imports/dynamic-list', file);
    });
    const e = await ms(async () => {
      const res = await t.app.request('/api/admin/exports/dynamic-list.xlsx', { headers: { cookie: t.cookie } });
      exportedBytes = (await res.arrayBuffer()).byteLength;
    });
    if (k === 0) continue;
    read.push(r), write.push(w), imported.push(i), exported.push(e);
  }
  const [r, w, i, e] = [read, write, imported, exported].map(median) as [number, number, number, number];
  console.log(`exported file: ${(exportedBytes / 1e6).toFixed(2)} MB; medians of ${RUNS} runs after one warm-up`);
  row(`import ${N}-line dynamic list (preview + commit, one transaction): ms`, i.toFixed(0), `${r.toFixed(0)} exceljs read`, (i / r).toFixed(2), '≤ 2');
  row(`export ${N}-line dynamic list: ms`, e.toFixed(0), `${w.toFixed(0)} exceljs write`, (e / w).toFixed(2), '≤ 2');
  row(`import + export: ms`, (i + e).toFixed(0), `${(r + w).toFixed(0)} exceljs read + write`, ((i + e) / (r + w)).toFixed(2), '≤ 2');
}
