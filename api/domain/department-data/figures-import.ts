import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { enterpriseFigures } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import { guarded, refuse, type ImportOutcome } from './import-outcome.ts';
import { finishImport, startImport, writeInChunks, type UploadedFile } from './import-record.ts';
import { Matcher } from './matcher.ts';
import { CREDIT_CODE_COLUMN, checkCreditCode, NAME_COLUMN } from './register-import.ts';
import {
  addError,
  parseFigure,
  readTable,
  slices,
  type ColumnSpec,
  type LineError,
  type SheetRow,
} from './table-columns.ts';

export const FIGURE_KEYS = ['taxWan', 'outputWan', 'energyTce', 'landMu', 'employees'] as const;
type FigureKey = (typeof FIGURE_KEYS)[number];
type Key = 'creditCode' | 'name' | 'year' | FigureKey;
const WAN = { 万元: 1, 元: 0.0001, 千元: 0.1 };
/** Tax, statistics, land and energy lists, as each heads its columns; a unit in brackets is converted. */
export const FIGURE_COLUMNS: ColumnSpec<Key>[] = [
  CREDIT_CODE_COLUMN,
  NAME_COLUMN,
  { key: 'year', label: '年度', names: ['年度', '年份', '统计年度'] },
  { key: 'taxWan', label: '税收（万元）', names: ['税收', '实缴税收', '实缴税金', '税收收入', '纳税额'], units: WAN },
  {
    key: 'outputWan',
    label: '产值（万元）',
    names: ['产值', '工业总产值', '销售收入', '营业收入', '主营业务收入'],
    units: WAN,
  },
  {
    key: 'energyTce',
    label: '能耗（吨标准煤）',
    names: ['能耗', '综合能耗', '能源消费量'],
    units: { 吨标准煤: 1, 吨标煤: 1, tce: 1, 千克标准煤: 0.001, 万吨标准煤: 10_000 },
  },
  {
    key: 'landMu',
    label: '用地（亩）',
    names: ['用地', '用地亩', '用地面积', '占地面积'],
    units: { 亩: 1, 平方米: 0.0015, m2: 0.0015, '㎡': 0.0015, 公顷: 15 },
  },
  { key: 'employees', label: '从业人数', names: ['从业人数', '从业人员', '职工人数', '员工人数', '用工人数'] },
];
export const FIGURE_LABELS = Object.fromEntries(FIGURE_COLUMNS.map((c) => [c.key, c.label])) as Record<Key, string>;

type Figures = Partial<Record<FigureKey, number>>;

/**
 * Imports a year's figures (税收, 产值, 能耗, 用地亩, 从业人数) per file, matched by credit code or name as a
 * register is (and through the registers' matches, those made by hand too). A blank cell leaves the stored figure
 * as it is, so each department's file adds its own columns; a row that finds no file is listed, not refused.
 */
export async function importFigures(
  db: Db,
  input: { townshipId: number; year?: number; departmentId?: number; user: { id: number; label: string } },
  file: UploadedFile,
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>,
  now: Date,
): Promise<ImportOutcome> {
  const started = startImport(db, { ...input, kind: 'figures', file, userId: input.user.id }, now);
  if (!started.ok) return { ...started, status: 409, errors: [], errorCount: 0 };
  return guarded(db, started.id, now, () => loadFigures(db, input, started, rows, now));
}

async function loadFigures(
  db: Db,
  input: { townshipId: number; year?: number; departmentId?: number; user: { id: number; label: string } },
  started: { id: number; sameAs: number | null },
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>,
  now: Date,
): Promise<ImportOutcome> {
  const table = await readTable(rows, FIGURE_COLUMNS, {
    all: input.year === undefined ? ['year'] : [],
    oneOf: ['creditCode', 'name'],
  });
  const present = FIGURE_KEYS.filter((k) => table.header?.at.has(k));
  if (table.header && present.length === 0) {
    addError(table, table.header.line, `没有数据列：须有${FIGURE_KEYS.map((k) => FIGURE_LABELS[k]).join('、')}之一`);
  }
  const matcher = new Matcher(db, input.townshipId, { useRegister: true });
  const notes: LineError[] = [];
  const found = new Map<string, { line: number; enterpriseId: number; year: number; figures: Figures }>();
  const turn = slices();
  for (const r of table.records) {
    await turn();
    const checked = checkCreditCode(r.values.creditCode);
    if ('error' in checked) addError(table, r.line, checked.error);
    const code = 'error' in checked ? null : checked.code;
    const name = r.values.name ?? '';
    if (!code && name === '' && !('error' in checked)) addError(table, r.line, '统一社会信用代码和名称都为空');
    // A blank 年度 cell is the year chosen in the form, as a file without the column is.
    const yearText = r.values.year?.trim() ?? '';
    const year = yearText === '' ? input.year : Number(yearText.replace(/年$/, ''));
    if (year === undefined) addError(table, r.line, '年度为空：请在该行填写年度，或导入时选择年度');
    else if (!Number.isInteger(year) || year < 2000 || year > 2100)
      addError(table, r.line, `年度“${r.values.year}”有误`);
    const figures: Figures = {};
    for (const k of present) {
      const v = parseFigure(r.values[k], r.factors[k]);
      if ('error' in v) addError(table, r.line, `${FIGURE_LABELS[k]}：${v.error}`);
      else if (v.value !== null && k === 'employees' && !Number.isInteger(v.value))
        addError(table, r.line, `从业人数“${r.values[k]}”应为整数`);
      else if (v.value !== null) figures[k] = v.value;
    }
    if (table.errorCount > 0 || year === undefined) continue;
    const m = matcher.match(code, name);
    if (m.enterpriseId === null) {
      if (notes.length < 100) notes.push({ line: r.line, message: `${name || code}：${m.note}，未导入` });
      continue;
    }
    const key = `${m.enterpriseId}:${year}`;
    const earlier = found.get(key);
    if (earlier) addError(table, r.line, `与第 ${earlier.line} 行是同一企业的同一年度`);
    else found.set(key, { line: r.line, enterpriseId: m.enterpriseId, year, figures });
  }
  if (table.errorCount > 0) return refuse(db, started.id, table, now);

  const ids = [...new Set([...found.values()].map((f) => f.enterpriseId))];
  const stored = new Map<string, Record<FigureKey, number | null>>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = db
      .select()
      .from(enterpriseFigures)
      .where(inArray(enterpriseFigures.enterpriseId, ids.slice(i, i + 500)))
      .all();
    for (const s of part) stored.set(`${s.enterpriseId}:${s.year}`, s);
  }
  const counts = { rowsRead: table.rowsRead, inserted: 0, updated: 0, unchanged: 0 };
  const writes: { insert: boolean; enterpriseId: number; year: number; figures: Figures }[] = [];
  for (const [key, f] of found) {
    await turn();
    const old = stored.get(key);
    if (!old) {
      counts.inserted++;
      writes.push({ insert: true, ...f });
    } else if (present.some((k) => f.figures[k] !== undefined && f.figures[k] !== old[k])) {
      counts.updated++;
      writes.push({ insert: false, ...f });
    } else counts.unchanged++;
  }
  const stamp = { importId: started.id, updatedBy: input.user.id, updatedAt: now };
  await writeInChunks(db, writes, (tx, w) => {
    if (w.insert)
      tx.insert(enterpriseFigures)
        .values({ enterpriseId: w.enterpriseId, year: w.year, ...w.figures, ...stamp })
        .run();
    else
      tx.update(enterpriseFigures)
        .set({ ...w.figures, ...stamp })
        .where(and(eq(enterpriseFigures.enterpriseId, w.enterpriseId), eq(enterpriseFigures.year, w.year)))
        .run();
  });
  finishImport(db, started.id, counts, notes, now);
  const unmatched = table.rowsRead - found.size;
  const details = { ...counts, unmatched };
  audit(
    db,
    input.user,
    { action: 'department_data.import', objectType: 'data_import', objectId: started.id, details },
    now,
  );
  return { ok: true, importId: started.id, counts, unmatched, notes, sameAs: started.sameAs };
}
