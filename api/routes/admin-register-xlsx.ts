import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { ENTERPRISE_STATUSES, REMEDIATION_TYPES } from '../../db/schema-enforcement.ts';
import type { AppContext } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { exportDynamicList } from '../services/dynamic-list-export.ts';
import { commitImport, previewImport, type ImportOutcome } from '../services/dynamic-list-import.ts';

const exportQuery = z.object({
  villageId: z.coerce.number({ error: '村（社区）参数有误' }).int().positive({ error: '村（社区）参数有误' }).optional(),
  status: z.enum(ENTERPRISE_STATUSES, { error: '整治状态参数有误' }).optional(),
  remediationType: z.enum(REMEDIATION_TYPES, { error: '整治类型参数有误' }).optional(),
});
/** The raw .xlsx bytes of an upload (the page sends the file itself, not a form). */
async function upload(c: Context<StaffEnv>): Promise<Buffer> {
  const bytes = Buffer.from(await c.req.arrayBuffer());
  if (bytes.length === 0) throw new ApiError(400, '请选择要导入的 .xlsx 文件');
  return bytes;
}

/** The line-by-line report with the counts; after a commit that wrote everything, the counts alone. */
function answer(c: Context<StaffEnv>, r: ImportOutcome, rows = true) {
  if (r.ok) return c.json(rows ? { rows: r.rows, counts: r.counts } : { counts: r.counts });
  return c.json({ error: { message: r.message }, ...r.report }, r.status);
}

/** The dynamic list of seed 002 as .xlsx, out and in. Policy: api/http/policy.ts (exports scoped by enterpriseScope). */
export function adminRegisterXlsxRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/exports/dynamic-list.xlsx', zValidator('query', exportQuery, badQuery), async (c) => {
      const file = await exportDynamicList(ctx.db, staff(c), c.req.valid('query'), ctx.clock());
      return xlsxDownload(new Uint8Array(file.bytes), file.filename, 'dynamic-list.xlsx');
    })
    .post('/imports/dynamic-list/preview', async (c) => answer(c, previewImport(ctx.db, ctx.villageAreas(), await upload(c), ctx.clock())))
    .post('/imports/dynamic-list', async (c) => answer(c, commitImport(ctx.db, staff(c), ctx.villageAreas(), await upload(c), ctx.clock()), false));
}
