import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { AppContext } from '../context.ts';
import { tableLimits } from '../env.ts';
import { bodySource, jsonBody } from '../http/body.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { readBytes } from '../http/form-stream.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { departments } from '../../db/schema.ts';
import { departmentServes, viewedTownship, workingTownship } from '../domain/shared/township-links.ts';
import { TableRows } from '../domain/shared/table-rows.ts';
import { optionalRecordId, recordId } from '../domain/shared/text-input.ts';
import { defaultYear, evaluate } from '../domain/department-data/evaluation.ts';
import { saveSettings, settingsInput } from '../domain/department-data/evaluation-settings.ts';
import { workbookOffThread } from '../domain/department-data/export-workbook.ts';
import { importFigures } from '../domain/department-data/figures-import.ts';
import type { ImportOutcome } from '../domain/department-data/import-outcome.ts';
import { listImports } from '../domain/department-data/import-record.ts';
import { landlords } from '../domain/department-data/landlords.ts';
import { importRegister } from '../domain/department-data/register-import.ts';
import { matchByHand, registerLists } from '../domain/department-data/register-entries.ts';

const actorOf = (u: { id: number; displayName: string }) => ({ id: u.id, label: u.displayName });
const yearOf = (label: string) =>
  z.coerce
    .number({ error: `${label}应为年份` })
    .int({ error: `${label}应为年份` })
    .min(2000, { error: `${label}应在 2000 年以后` })
    .max(2100, { error: `${label}应在 2100 年以前` });
const fileName = z
  .string({ error: '缺少文件名' })
  .trim()
  .min(1, { error: '缺少文件名' })
  .max(200, { error: '文件名最多 200 个字' });
/** A county account names the township it imports for or looks at; a township account's is its own. */
const townshipId = optionalRecordId('乡镇（街道）');
const registerQuery = z.object({ departmentId: recordId('部门'), fileName, townshipId });
const figuresQuery = z.object({ year: yearOf('年度').optional(), fileName, townshipId });
const yearQuery = z.object({ year: yearOf('年度').optional(), townshipId });
const listQuery = z.object({ departmentId: recordId('部门').optional(), townshipId });
const townshipQuery = z.object({ townshipId });
const matchInput = z
  .object({
    enterpriseId: recordId('企业档案编号').nullable().optional(),
    /** '1': the row has no file here (a wrong automatic match undone); kept through re-imports like a match. */
    none: z.literal('1', { error: '参数有误：none' }).optional(),
    /** The match the person saw; the page's form for an unmatched row leaves it out. */
    from: z.number({ error: '原匹配应为档案编号' }).int().positive().nullable().default(null),
  })
  .refine((m) => m.none === '1' || m.enterpriseId != null, { error: '请填写企业档案编号' })
  .transform((m) => ({ enterpriseId: m.none === '1' ? null : (m.enterpriseId ?? null), from: m.from }));
const notFound = (what: string) => (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, `${what}不存在`);
};

/** An import's answer: 200 with counts, or the refusal with its errors by line (nothing written). */
function answer(c: Context<StaffEnv>, r: ImportOutcome) {
  if (r.ok) return c.json(r);
  return c.json(
    { error: { message: r.message }, importId: r.importId, errors: r.errors, errorCount: r.errorCount },
    r.status,
  );
}

/** Other departments' registers and figures, 亩产效益, landlords (issue 15). Policy: api/http/policy.ts. */
export function adminDepartmentDataRoutes(ctx: AppContext) {
  const limits = tableLimits(ctx.env);
  /** The township looked at: a township account's own; a county account's choice (else the first). */
  const township = (c: Context<StaffEnv>, chosen?: number) => {
    const t = viewedTownship(ctx.db, staff(c), chosen);
    if (!t) throw new ApiError(403, '乡镇（街道）：只能查看本乡镇（街道）的数据');
    return t;
  };
  /** The township an import or a match is for: a county account must choose it. */
  const importTownship = (c: Context<StaffEnv>, chosen?: number) =>
    orThrow(workingTownship(ctx.db, staff(c), chosen)).townshipId;
  /** The uploaded file itself (the page sends its bytes, not a form). */
  const upload = async (c: Context<StaffEnv>) => {
    const tooLarge = () => new ApiError(413, `文件超过 ${Math.round(limits.maxBytes / 1024 / 1024)} MB 上限，无法导入`);
    if (Number(c.req.header('content-length')) > limits.maxBytes) throw tooLarge();
    const bytes = await readBytes(bodySource(c), limits.maxBytes);
    if (bytes === null) throw tooLarge();
    if (bytes === 'incomplete') throw new ApiError(400, '上传中断，请重新选择文件');
    if (bytes.length === 0) throw new ApiError(400, '请选择要导入的文件（.xlsx 或 .csv）');
    return bytes;
  };
  return new Hono<StaffEnv>()
    .get('/department-data/imports', zValidator('query', townshipQuery, badQuery), (c) =>
      c.json({
        imports: listImports(ctx.db, township(c, c.req.valid('query').townshipId).id, ['register', 'figures']),
      }),
    )
    .post('/department-data/registers', zValidator('query', registerQuery, badQuery), async (c) => {
      const q = c.req.valid('query');
      const dept = ctx.db
        .select({ id: departments.id })
        .from(departments)
        .where(eq(departments.id, q.departmentId))
        .get();
      if (!dept) throw new ApiError(400, '部门不存在');
      const into = importTownship(c, q.townshipId);
      // A township's 站所 keeps lists of its own township only; county departments' lists are split by township.
      if (!departmentServes(ctx.db, dept.id, into)) throw new ApiError(400, '部门：该站所不属于所选的乡镇（街道）');
      const bytes = await upload(c);
      const input = { townshipId: into, departmentId: dept.id, user: actorOf(staff(c)) };
      const rows = new TableRows({ bytes }, limits);
      return answer(c, await importRegister(ctx.db, input, { fileName: q.fileName, bytes }, rows, ctx.clock()));
    })
    .post('/department-data/figures', zValidator('query', figuresQuery, badQuery), async (c) => {
      const q = c.req.valid('query');
      const into = importTownship(c, q.townshipId);
      const bytes = await upload(c);
      const input = { townshipId: into, year: q.year, user: actorOf(staff(c)) };
      const rows = new TableRows({ bytes }, limits);
      return answer(c, await importFigures(ctx.db, input, { fileName: q.fileName, bytes }, rows, ctx.clock()));
    })
    .get('/department-data/registers', zValidator('query', listQuery, badQuery), (c) =>
      c.json(registerLists(ctx.db, township(c, c.req.valid('query').townshipId).id, c.req.valid('query').departmentId)),
    )
    .post(
      '/department-data/register-entries/:id/match',
      zValidator('param', z.object({ id: recordId('登记记录') }), notFound('登记记录')),
      async (c) => {
        const input = await jsonBody(c, matchInput);
        const entryId = c.req.valid('param').id;
        const r = matchByHand(ctx.db, staff(c), { entryId, ...input }, ctx.clock());
        return c.json(orThrow(r));
      },
    )
    .get('/department-data/evaluation', zValidator('query', yearQuery, badQuery), (c) => {
      const q = c.req.valid('query');
      const year = q.year ?? defaultYear(ctx.clock());
      return c.json({ year, ...evaluate(ctx.db, township(c, q.townshipId).id, year) });
    })
    .get('/department-data/evaluation.xlsx', zValidator('query', yearQuery, badQuery), async (c) => {
      const now = ctx.clock();
      const q = c.req.valid('query');
      const year = q.year ?? defaultYear(now);
      const t = township(c, q.townshipId);
      const job = { kind: 'evaluation', townshipId: t.id, township: t.name, year, now } as const;
      const body = await workbookOffThread(ctx.db, job);
      return xlsxDownload(body, `${t.name}亩产效益综合评价_${year}.xlsx`, `evaluation_${year}.xlsx`);
    })
    .put(
      '/department-data/evaluation-settings/:year',
      zValidator('param', z.object({ year: yearOf('年度') }), badQuery),
      async (c) => {
        const input = await jsonBody(c, settingsInput);
        const r = saveSettings(ctx.db, actorOf(staff(c)), c.req.valid('param').year, input, ctx.clock());
        return c.json(orThrow(r));
      },
    )
    .get('/department-data/landlords', zValidator('query', townshipQuery, badQuery), (c) =>
      c.json({ landlords: landlords(ctx.db, township(c, c.req.valid('query').townshipId).id) }),
    )
    .get('/department-data/landlords.xlsx', zValidator('query', townshipQuery, badQuery), async (c) => {
      const t = township(c, c.req.valid('query').townshipId);
      const job = { kind: 'landlords', townshipId: t.id, township: t.name, now: ctx.clock() } as const;
      const body = await workbookOffThread(ctx.db, job);
      return xlsxDownload(body, `${t.name}出租方名单.xlsx`, 'landlords.xlsx');
    });
}
