import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppContext } from '../context.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { exportDynamicList } from '../services/dynamic-list-export.ts';
import { commitImport, previewImport, type ImportOutcome } from '../services/dynamic-list-import.ts';
import { registerFilter } from '../services/enterprise-input.ts';

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
    .get('/exports/dynamic-list.xlsx', zValidator('query', registerFilter, badQuery), async (c) => {
      const file = orThrow(await exportDynamicList(ctx.db, staff(c), c.req.valid('query'), ctx.clock()));
      return xlsxDownload(new Uint8Array(file.bytes), file.filename, 'dynamic-list.xlsx');
    })
    .post('/imports/dynamic-list/preview', async (c) => answer(c, previewImport(ctx.db, ctx.villageAreas(), await upload(c), ctx.clock())))
    .post('/imports/dynamic-list', async (c) => answer(c, commitImport(ctx.db, staff(c), ctx.villageAreas(), await upload(c), ctx.clock()), false));
}
