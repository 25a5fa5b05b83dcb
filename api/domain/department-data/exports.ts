import type { TableColumn } from '../enforcement/tables/progress.ts';
import { reportWorkbook } from '../enforcement/tables/xlsx.ts';
import { ENTERPRISE_STATUS_LABELS } from '../enforcement/labels.ts';
import { fmtTime } from '../shared/time.ts';
import { CLASS_NAMES, INDICATOR_LABELS } from './evaluation-settings.ts';
import type { Evaluation, EvaluationRow } from './evaluation.ts';
import type { Landlord } from './landlords.ts';

const num = (x: number | null, digits = 2) => (x === null ? '' : Number(x.toFixed(digits)));

export const EVALUATION_COLUMNS: TableColumn[] = [
  { header: '序号', width: 6 },
  { header: '企业（作坊）名称', width: 26 },
  { header: '属地村（社区）', width: 12 },
  { header: '税收（万元）', group: '年度数据', width: 10 },
  { header: '产值（万元）', group: '年度数据', width: 10 },
  { header: '能耗（吨标准煤）', group: '年度数据', width: 10 },
  { header: '用地（亩）', group: '年度数据', width: 9 },
  { header: '从业人数', group: '年度数据', width: 8 },
  ...(['tax_per_mu', 'output_per_mu', 'energy_per_output', 'output_per_employee'] as const).map((k) => ({
    header: `${INDICATOR_LABELS[k].name}（${INDICATOR_LABELS[k].unit}）`,
    group: '评价指标',
    width: 12,
  })),
  { header: '综合得分', width: 8 },
  { header: '分类', width: 12 },
  { header: '僵尸企业', width: 16 },
  { header: '档案状态', width: 10 },
];

export function evaluationCells(r: EvaluationRow, i: number): (string | number)[] {
  const v = r.values;
  return [
    i + 1,
    r.name,
    r.village,
    num(r.figures.taxWan),
    num(r.figures.outputWan),
    num(r.figures.energyTce),
    num(r.figures.landMu),
    r.figures.employees ?? '',
    num(v?.tax_per_mu ?? null),
    num(v?.output_per_mu ?? null),
    num(v?.energy_per_output ?? null, 3),
    num(v?.output_per_employee ?? null),
    r.score ? r.score.total : '',
    r.score ? `${r.score.class} 类（${CLASS_NAMES[r.score.class]}）` : '未评价（无用地面积）',
    r.zombie ?? '',
    ENTERPRISE_STATUS_LABELS[r.status],
  ];
}

const weightsLine = (e: Evaluation) =>
  e.settings.indicators.map((i) => `${INDICATOR_LABELS[i.key].name} ${i.weight} 分（基准 ${i.benchmark}）`).join('、');

/** The year's evaluation and its remediation list (D 类 and 僵尸), one sheet each. */
export function evaluationWorkbook(e: Evaluation, township: string, year: number, now: Date) {
  const cuts = e.settings.classCuts;
  const subtitle =
    `${year} 年度　权重：${weightsLine(e)}　分类：A ≥ ${cuts.A}，B ≥ ${cuts.B}，C ≥ ${cuts.C}，其余 D　` +
    `导出于 ${fmtTime(now)}`;
  return reportWorkbook([
    {
      sheetName: '亩产效益综合评价',
      title: `${township}亩产效益综合评价表（${year} 年度）`,
      subtitle,
      columns: EVALUATION_COLUMNS,
      rows: e.rows.map(evaluationCells),
    },
    {
      sheetName: '整治名单',
      title: `${township} D 类及“僵尸”企业整治名单（${year} 年度）`,
      subtitle,
      columns: EVALUATION_COLUMNS,
      rows: e.remediation.map(evaluationCells),
    },
  ]);
}

export const LANDLORD_COLUMNS: TableColumn[] = [
  { header: '序号', width: 6 },
  { header: '出租方', width: 14 },
  { header: '联系电话', width: 16 },
  { header: '出租作坊数', width: 8 },
  { header: '其中未整治完成', width: 8 },
  { header: '承租企业（作坊）', width: 48 },
  { header: '所在村（社区）', width: 20 },
];

export function landlordCells(l: Landlord, i: number): (string | number)[] {
  return [
    i + 1,
    l.names.join('、'),
    l.phones.join('、'),
    l.files.length,
    l.open,
    l.files.map((f) => `${f.name}（${ENTERPRISE_STATUS_LABELS[f.status]}）`).join('\n'),
    [...new Set(l.files.map((f) => f.village))].join('、'),
  ];
}

export function landlordsWorkbook(list: Landlord[], township: string, now: Date) {
  return reportWorkbook([
    {
      sheetName: '出租方名单',
      title: `${township}向“散乱污”作坊出租场地的出租方名单`,
      subtitle: `按出租作坊数排列　导出于 ${fmtTime(now)}`,
      columns: LANDLORD_COLUMNS,
      rows: list.map(landlordCells),
      footer: [
        '合计',
        `${list.length} 人`,
        '',
        list.reduce((a, l) => a + l.files.length, 0),
        list.reduce((a, l) => a + l.open, 0),
        '',
        '',
      ],
    },
  ]);
}
