import {
  INSPECTION_AREAS,
  type AreaProblems,
  type EnterpriseStatus,
  type InspectionArea,
  type RemediationType,
} from '../../../../db/schema-enforcement.ts';
import { AREA_LABELS, ENTERPRISE_STATUS_LABELS, REMEDIATION_LABELS, REVISIT_TYPE_LABELS } from '../labels.ts';
import {
  cellText,
  parseCoordinates,
  parseDate,
  parseLicence,
  parseProgress,
  parseRemediation,
  parseRevisitType,
  splitProblems,
} from './cells.ts';

/** The fifteen columns of the dynamic management list (seed 002, 附件2), in its order. */
export const DYNAMIC_LIST_COLUMNS = [
  { key: 'seq', header: '序号', width: 6 },
  { key: 'name', header: '企业名称', width: 26 },
  { key: 'industry', header: '行业类别', width: 12 },
  { key: 'address', header: '详细地址', width: 28 },
  { key: 'coords', header: '经纬度', width: 22 },
  { key: 'person', header: '企业法人或负责人', width: 12 },
  { key: 'revisitType', header: '属于“回头看”四种排查类型类别', width: 22 },
  { key: 'licence', header: '营业执照办理情况', width: 10 },
  { key: 'environment', header: '存在环境违法行为、环境风险问题情况', width: 30 },
  { key: 'safety', header: '存在安全隐患情况', width: 30 },
  { key: 'other', header: '存在其他问题情况', width: 30 },
  { key: 'remediation', header: '整治类型', width: 10 },
  { key: 'plannedOn', header: '计划完成时间', width: 12 },
  { key: 'progress', header: '整治进度', width: 24 },
  { key: 'responsible', header: '责任人', width: 10 },
] as const;
export type ColumnKey = (typeof DYNAMIC_LIST_COLUMNS)[number]['key'];
export const DYNAMIC_LIST_HEADERS = DYNAMIC_LIST_COLUMNS.map((c) => c.header);
export const COLUMN_HEADER = Object.fromEntries(DYNAMIC_LIST_COLUMNS.map((c) => [c.key, c.header])) as Record<
  ColumnKey,
  string
>;

/** Which inspection areas each problem column of the list holds. */
export const PROBLEM_COLUMNS = {
  environment: ['environment'],
  safety: ['safety', 'fire', 'special'],
  other: ['licensing', 'process', 'leasing', 'site'],
} as const satisfies Record<string, readonly InspectionArea[]>;
type ProblemColumn = keyof typeof PROBLEM_COLUMNS;
// Text without an area label goes to the column's first area: 环境保护, 生产安全, 行政许可.
const DEFAULT_AREA: Record<ProblemColumn, InspectionArea> = {
  environment: 'environment',
  safety: 'safety',
  other: 'licensing',
};

/** Headers as people retype them: spaces, line breaks, straight or curly quotes, 、 or /. */
export const normalizeHeader = (s: string) => s.replace(/[\s“”"'‘’、/，,]/g, '');
const BY_HEADER = new Map(DYNAMIC_LIST_COLUMNS.map((c) => [normalizeHeader(c.header), c.key]));
export const columnOfHeader = (text: string): ColumnKey | undefined => BY_HEADER.get(normalizeHeader(text));

/** What the list says about an enterprise: the part of its file the fifteen columns carry. */
export interface ListRecord {
  name: string;
  industry: string;
  address: string;
  villageName?: string;
  lat: number | null;
  lng: number | null;
  personInCharge: string;
  revisitType: number | null;
  businessLicence: boolean;
  problems: AreaProblems;
  remediationType: RemediationType | null;
  plannedOn: string | null;
  status: EnterpriseStatus;
  progressNote: string;
  responsible: string;
}

export type SheetCell = string | number | Date | null;

const joinAreas = (problems: AreaProblems, areas: readonly InspectionArea[]) =>
  areas
    .filter((a) => problems[a])
    .map((a) => `${AREA_LABELS[a]}：${problems[a]}`)
    .join('；');
// The calendar date alone: written as a UTC midnight, which a spreadsheet shows as that day.
const dateCell = (ymd: string | null) => (ymd ? new Date(`${ymd}T00:00:00Z`) : null);

/**
 * The sheet has no village column: without coordinates, an address that does not name its village
 * is written after the village's name, so that the line can be imported again.
 */
const addressCell = (e: ListRecord) =>
  e.lat == null && e.villageName && !e.address.includes(e.villageName) ? `${e.villageName}${e.address}` : e.address;

/** One line of the list, in column order. */
export function toSheetRow(e: ListRecord, seq: number): SheetCell[] {
  return [
    seq,
    e.name,
    e.industry,
    addressCell(e),
    e.lat == null || e.lng == null ? '' : `${e.lng.toFixed(6)}, ${e.lat.toFixed(6)}`,
    e.personInCharge,
    e.revisitType ? (REVISIT_TYPE_LABELS[e.revisitType as 1 | 2 | 3 | 4] ?? '') : '',
    e.businessLicence ? '已办理' : '未办理',
    e.problems.environment ?? '',
    joinAreas(e.problems, PROBLEM_COLUMNS.safety),
    joinAreas(e.problems, PROBLEM_COLUMNS.other),
    e.remediationType ? REMEDIATION_LABELS[e.remediationType] : '',
    dateCell(e.plannedOn),
    e.progressNote ? `${ENTERPRISE_STATUS_LABELS[e.status]}：${e.progressNote}` : ENTERPRISE_STATUS_LABELS[e.status],
    e.responsible,
  ];
}

export interface CellError {
  column: string;
  message: string;
}

/**
 * A sheet line read back: only the fields of columns the sheet has (an update leaves the rest
 * as they were), the areas its problem columns speak for, and what could not be read.
 */
export interface ParsedLine {
  fields: Partial<ListRecord>;
  problemAreas: InspectionArea[];
  errors: CellError[];
}

/** `date1904`: the workbook counts its date serials from 1904 (api/domain/shared/xlsx/read.ts). */
export function fromSheetRow(cells: Partial<Record<ColumnKey, unknown>>, { date1904 = false } = {}): ParsedLine {
  const fields: Partial<ListRecord> = {};
  const errors: CellError[] = [];
  const has = (k: ColumnKey) => k in cells;
  const text = (k: ColumnKey) => cellText(cells[k]);
  const read = <T>(
    k: ColumnKey,
    parse: (v: unknown) => { ok: true; value: T } | { ok: false; message: string },
    set: (v: T) => void,
  ) => {
    if (!has(k)) return;
    const r = parse(cells[k]);
    if (r.ok) set(r.value);
    else errors.push({ column: COLUMN_HEADER[k], message: r.message });
  };
  if (has('name')) fields.name = text('name');
  if (has('industry')) fields.industry = text('industry');
  if (has('address')) fields.address = text('address');
  if (has('person')) fields.personInCharge = text('person');
  if (has('responsible')) fields.responsible = text('responsible');
  read('coords', parseCoordinates, (c) => Object.assign(fields, c));
  read('revisitType', parseRevisitType, (v) => (fields.revisitType = v));
  read('licence', parseLicence, (v) => (fields.businessLicence = v));
  read('remediation', parseRemediation, (v) => (fields.remediationType = v));
  read(
    'plannedOn',
    (v) => parseDate(v, date1904),
    (v) => (fields.plannedOn = v),
  );
  read('progress', parseProgress, (p) => Object.assign(fields, p));

  const problemAreas: InspectionArea[] = [];
  const problems: AreaProblems = {};
  for (const col of Object.keys(PROBLEM_COLUMNS) as ProblemColumn[]) {
    if (!has(col)) continue;
    problemAreas.push(...PROBLEM_COLUMNS[col]);
    for (const [area, t] of splitProblems(text(col), DEFAULT_AREA[col])) {
      problems[area] = problems[area] ? `${problems[area]}；${t}` : t;
      if (!problemAreas.includes(area)) problemAreas.push(area);
    }
  }
  if (problemAreas.length)
    fields.problems = Object.fromEntries(INSPECTION_AREAS.filter((a) => problems[a]).map((a) => [a, problems[a]]));
  return { fields, problemAreas, errors };
}

/** Which column of the list shows each stored field: for an input problem and for the import's preview. */
export const FIELD_COLUMN: Record<string, ColumnKey> = {
  name: 'name',
  industry: 'industry',
  address: 'address',
  lat: 'coords',
  lng: 'coords',
  personInCharge: 'person',
  revisitType: 'revisitType',
  businessLicence: 'licence',
  remediationType: 'remediation',
  plannedOn: 'plannedOn',
  status: 'progress',
  progressNote: 'progress',
  responsible: 'responsible',
  villageId: 'coords',
};

/** The field an enterprise-input problem is about, as the column a person sees. */
export function columnOfField(path: readonly PropertyKey[]): string {
  const [field, area] = path;
  if (field === 'problems') {
    const col = (Object.keys(PROBLEM_COLUMNS) as ProblemColumn[]).find((c) =>
      (PROBLEM_COLUMNS[c] as readonly PropertyKey[]).includes(area!),
    );
    return COLUMN_HEADER[col ?? 'other'];
  }
  const key = FIELD_COLUMN[String(field)];
  return key ? COLUMN_HEADER[key] : '—';
}
