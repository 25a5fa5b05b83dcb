import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppContext } from '../context.ts';
import { importLimits } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { exportDynamicList } from '../domain/enforcement/dynamic-list/export.ts';
import { commitImport, previewImport, type ImportOutcome } from '../domain/enforcement/dynamic-list/import.ts';
import { registerFilter } from '../domain/enforcement/enterprise-input.ts';

const EMPTY = '请选择要导入的 .xlsx 文件';

/**
 * The body's chunks: off the socket when node-server passed it on unread (its web stream costs twice the CPU), else the
 * Request's stream.
 */
async function* bodyChunks(c: Context<StaffEnv>): AsyncGenerator<Uint8Array> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !incoming.readableDidRead) {
    // Not destroyed when the loop stops early: the socket must stay open for the 413.
    yield* incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    return;
  }
  const body = c.req.raw.body;
  if (!body) return;
  const reader = body.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
  } finally {
    reader.releaseLock();
  }
}

/**
 * The raw .xlsx bytes of an upload (the page sends the file itself, not a form), refused with
 * 413 as soon as they pass `maxBytes`: by the declared length before reading, else as counted.
 * Each chunk is copied into place as it arrives: one copy of 10 MB at the end took ~40 ms of
 * this thread here (fresh pages fault in), in pieces it is spread over the upload. The buffer is
 * the view's own, to be handed to the import thread without another copy.
 */
async function upload(c: Context<StaffEnv>, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new ApiError(
      413,
      `文件超过 ${Number((maxBytes / 1024 / 1024).toFixed(1))} MB 上限，无法导入：请只保留清单所在的工作表后重新保存`,
    );
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge();
  // Untouched pages cost nothing: a chunked upload gets room for the most it may send.
  const bytes = new Uint8Array(declared !== undefined ? Number(declared) : maxBytes);
  let size = 0;
  try {
    for await (const chunk of bodyChunks(c)) {
      // leaving the loop stops reading; the rest is discarded
      if (size + chunk.byteLength > bytes.length) throw tooLarge();
      bytes.set(chunk, size);
      size += chunk.byteLength;
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, '上传中断，请重新选择文件');
  }
  if (size === 0) throw new ApiError(400, EMPTY);
  if (declared !== undefined && size !== bytes.length) throw new ApiError(400, '上传中断，请重新选择文件');
  return bytes.subarray(0, size);
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

/**
 * The dynamic list of seed 002 as .xlsx, out and in. Policy: api/http/policy.ts (exports scoped by enterpriseScope).
 */
export function adminDynamicListRoutes(ctx: AppContext) {
  const limits = importLimits(ctx.env);
  return (
    new Hono<StaffEnv>()
      .get('/exports/dynamic-list.xlsx', zValidator('query', registerFilter, badQuery), async (c) => {
        const file = orThrow(await exportDynamicList(ctx.db, staff(c), c.req.valid('query'), ctx.clock()));
        return xlsxDownload(new Uint8Array(file.bytes), file.filename, 'dynamic-list.xlsx');
      })
      // Reading, planning and committing run on the import thread (decision 011), never here.
      .post('/imports/dynamic-list/preview', async (c) =>
        answer(
          c,
          await previewImport(
            ctx.db,
            ctx.villageAreas(),
            await upload(c, limits.maxFileBytes),
            ctx.clock(),
            limits,
            staff(c).townshipId,
          ),
        ),
      )
      .post('/imports/dynamic-list', async (c) =>
        answer(
          c,
          await commitImport(
            ctx.db,
            staff(c),
            ctx.villageAreas(),
            await upload(c, limits.maxFileBytes),
            ctx.clock(),
            limits,
          ),
        ),
      )
  );
}
