import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppContext } from '../context.ts';
import { importLimits } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { exportDynamicList } from '../services/dynamic-list-export.ts';
import { commitImport, previewImport, type ImportOutcome } from '../services/dynamic-list-import.ts';
import { registerFilter } from '../services/enterprise-input.ts';

const EMPTY = '请选择要导入的 .xlsx 文件';

/**
 * The raw .xlsx bytes of an upload (the page sends the file itself, not a form), refused with
 * 413 as soon as they pass `maxBytes`: by the declared length before reading, else as counted.
 * The bytes land in one buffer of their own, to be handed to the import thread without a copy.
 */
async function upload(c: Context<StaffEnv>, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new ApiError(413, `文件超过 ${Number((maxBytes / 1024 / 1024).toFixed(1))} MB 上限，无法导入：请只保留清单所在的工作表后重新保存`);
  if (Number(c.req.header('content-length')) > maxBytes) throw tooLarge();
  const body = c.req.raw.body;
  if (!body) throw new ApiError(400, EMPTY);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(r.value);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, '上传中断，请重新选择文件');
  }
  if (size === 0) throw new ApiError(400, EMPTY);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * The line-by-line report with the counts; after a commit that wrote everything, the counts
 * alone. The report arrives as JSON bytes from the import thread and is sent as it is.
 */
function answer(c: Context<StaffEnv>, r: ImportOutcome) {
  if (r.ok) return r.reportJson ? c.body(r.reportJson, 200, JSON_TYPE) : c.json({ counts: r.counts });
  if (r.retryAfterS) c.header('Retry-After', String(r.retryAfterS));
  const error = `{"error":${JSON.stringify({ message: r.message })}`;
  if (!r.reportJson) return c.body(`${error}}`, r.status, JSON_TYPE);
  // { "error": …, "rows": …, "counts": … }: the report's own braces opened after the error.
  const head = new TextEncoder().encode(`${error},`);
  const body = new Uint8Array(head.length + r.reportJson.length - 1);
  body.set(head);
  body.set(r.reportJson.subarray(1), head.length);
  return c.body(body, r.status, JSON_TYPE);
}

/** The dynamic list of seed 002 as .xlsx, out and in. Policy: api/http/policy.ts (exports scoped by enterpriseScope). */
export function adminRegisterXlsxRoutes(ctx: AppContext) {
  const limits = importLimits(ctx.env);
  return new Hono<StaffEnv>()
    .get('/exports/dynamic-list.xlsx', zValidator('query', registerFilter, badQuery), async (c) => {
      const file = orThrow(await exportDynamicList(ctx.db, staff(c), c.req.valid('query'), ctx.clock()));
      return xlsxDownload(new Uint8Array(file.bytes), file.filename, 'dynamic-list.xlsx');
    })
    // Reading, planning and committing run on the import thread (decision 011), never here.
    .post('/imports/dynamic-list/preview', async (c) => answer(c, await previewImport(ctx.db, ctx.villageAreas(), await upload(c, limits.maxFileBytes), ctx.clock(), limits)))
    .post('/imports/dynamic-list', async (c) => answer(c, await commitImport(ctx.db, staff(c), ctx.villageAreas(), await upload(c, limits.maxFileBytes), ctx.clock(), limits)));
}
