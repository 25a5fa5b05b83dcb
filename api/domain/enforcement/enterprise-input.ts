import { z } from 'zod';
import { blankOr } from '../shared/blank-field.ts';
import {
  decimal,
  freeText,
  optionalDecimal,
  optionalRecordId,
  optionalText,
  textOrEmpty,
} from '../shared/text-input.ts';
import { beijingDate, isCalendarDate } from '../shared/time.ts';
import {
  ENTERPRISE_STATUSES,
  FOUR_WITHOUTS,
  INSPECTION_AREAS,
  REMEDIATION_TYPES,
  STRUCTURES,
  type InspectionArea,
} from '../../../db/schema-enforcement.ts';

const text = (label: string, max = 200) => textOrEmpty(label, max);
const date = (label: string) =>
  z
    .string()
    .trim()
    .refine(isCalendarDate, { error: `${label}不是有效日期，请写成 2026-01-31 的格式` })
    .nullish()
    .or(z.literal('').transform(() => null));
const area = (label: string) =>
  optionalDecimal(label, { min: 0, max: 10_000_000, invalid: `${label}须为数字（平方米，如 120.5）` });
const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'on', '1', '0']).transform((v) => v === 'true' || v === 'on' || v === '1'),
]);

export const UNLICENSED_NAME_HINT =
  '无营业执照的，名称按“负责人姓名+经营内容+作坊（或个体户）”填写，如“张三塑料造粒作坊”';

export function unlicensedNameProblem(name: string, person: string): string | null {
  if (!/(作坊|个体户)$/.test(name)) return UNLICENSED_NAME_HINT;
  if (person && !name.startsWith(person)) return `名称应以负责人姓名“${person}”开头。${UNLICENSED_NAME_HINT}`;
  return null;
}

const problems = z
  .partialRecord(z.enum(INSPECTION_AREAS), freeText('问题情况', { max: 1000, tooLong: '每项问题最多 1000 个字' }))
  .default({})
  .transform(
    (p) =>
      Object.fromEntries(Object.entries(p).filter(([, v]) => v && v !== '无')) as Partial<
        Record<InspectionArea, string>
      >,
  );

/** Every field of the survey form (seed 000) and the dynamic list (seed 002), with Chinese messages. */
export const enterpriseFields = z.object({
  name: freeText('企业名称', { min: 2, max: 100, required: '请填写企业名称', tooShort: '企业名称至少 2 个字' }),
  villageId: optionalRecordId('属地村（社区）', { invalid: '请选择属地村（社区）' }),
  industry: text('行业类别', 50),
  address: text('详细地址'),
  lat: optionalDecimal('纬度', { min: 3, max: 54, range: '纬度不在中国境内' }),
  lng: optionalDecimal('经度', { min: 73, max: 136, range: '经度不在中国境内' }),
  personInCharge: text('负责人', 50),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9+\- ()]{0,30}$/, { error: '联系电话只能包含数字和 + - ( )' })
    .default(''),
  businessLicence: bool.default(false),
  licenceScope: text('经营范围', 500),
  licenceIssuedOn: date('营业执照核发时间'),
  taxRegistration: bool.default(false),
  taxIssuedOn: date('税务登记核发时间'),
  otherPermit: text('其他证照', 100),
  otherPermitIssuedOn: date('其他证照核发时间'),
  premises: z.enum(['owned', 'rented'], { error: '经营场所请选自建或租赁' }).nullish(),
  landlord: text('出租房业主', 50),
  landlordPhone: z
    .string()
    .trim()
    .regex(/^[0-9+\- ()]{0,30}$/, { error: '业主电话只能包含数字和 + - ( )' })
    .default(''),
  landArea: area('占地面积'),
  stateLandArea: area('国有土地面积'),
  collectiveLandArea: area('集体土地面积'),
  buildingArea: area('建筑面积'),
  structure: z.enum(STRUCTURES, { error: '请选择建筑结构' }).nullish(),
  illegalBuildingArea: area('违法建筑面积'),
  workers: optionalDecimal('从业人数', { integer: true, min: 0, max: 100_000 }),
  problems,
  fourWithouts: z.array(z.enum(FOUR_WITHOUTS)).default([]),
  remediationType: z.enum(REMEDIATION_TYPES, { error: '整治类型只能是关停取缔、整改提升或搬迁入园' }).nullish(),
  remediationReason: text('理由', 1000),
  revisitType: optionalDecimal('回头看类型', {
    integer: true,
    min: 1,
    max: 4,
    invalid: '回头看类型为 1–4',
    range: '回头看类型为 1–4',
  }),
  plannedOn: date('计划完成时间'),
  progressNote: text('整治进度', 1000),
  responsible: text('责任人', 100),
  surveyedBy: text('调查人', 50),
  surveyedOn: date('调查时间'),
});

function refine<T extends z.infer<typeof enterpriseFields>>(e: T, ctx: z.RefinementCtx) {
  if ((e.lat == null) !== (e.lng == null))
    ctx.addIssue({ code: 'custom', path: ['lat'], message: '经度和纬度要一起填写' });
  if (!e.businessLicence) {
    const problem = unlicensedNameProblem(e.name, e.personInCharge);
    if (problem) ctx.addIssue({ code: 'custom', path: ['name'], message: problem });
  }
  if (e.villageId === undefined && e.lat == null)
    ctx.addIssue({ code: 'custom', path: ['villageId'], message: '请选择属地村（社区）或填写经纬度' });
  // Issued or surveyed tomorrow is a typing slip (the plan date may of course lie ahead).
  const today = beijingDate(new Date());
  for (const [key, label] of [
    ['licenceIssuedOn', '营业执照核发时间'],
    ['taxIssuedOn', '税务登记核发时间'],
    ['otherPermitIssuedOn', '其他证照核发时间'],
    ['surveyedOn', '调查时间'],
  ] as const) {
    const d = e[key];
    if (d && (d > today || d < '1949-10-01'))
      ctx.addIssue({ code: 'custom', path: [key], message: `${label}不在合理范围内（不能晚于今天）` });
  }
  if (e.landArea != null && (e.stateLandArea ?? 0) + (e.collectiveLandArea ?? 0) > e.landArea + 0.01) {
    ctx.addIssue({ code: 'custom', path: ['stateLandArea'], message: '国有和集体土地面积之和不能大于占地面积' });
  }
  if (e.buildingArea != null && e.illegalBuildingArea != null && e.illegalBuildingArea > e.buildingArea + 0.01) {
    ctx.addIssue({ code: 'custom', path: ['illegalBuildingArea'], message: '违法建筑面积不能大于建筑面积' });
  }
}

export const enterpriseInput = enterpriseFields.superRefine(refine);
export type EnterpriseInput = z.output<typeof enterpriseInput>;

/** An edit names the version it read, as complaints do. */
export const enterpriseUpdate = enterpriseFields
  .extend({
    version: decimal('版本号', {
      integer: true,
      min: 1,
      required: '缺少版本号，请刷新页面',
      invalid: '缺少版本号，请刷新页面',
    }),
  })
  .superRefine(refine);

/**
 * The register's filters, as the page's form sends them ("全部" is empty) and as the list API and the export take them.
 */
export const registerFilter = z.object({
  villageId: optionalRecordId('村（社区）', { invalid: '村（社区）参数有误' }),
  /** A county account's filter by township (a township account sees its own only). */
  townshipId: optionalRecordId('乡镇（街道）', { invalid: '乡镇（街道）参数有误' }),
  status: blankOr(z.enum(ENTERPRISE_STATUSES, { error: '整治状态参数有误' })),
  remediationType: blankOr(z.enum(REMEDIATION_TYPES, { error: '整治类型参数有误' })),
  q: optionalText('搜索词', { max: 50 }),
});
