import { ApiError } from './errors.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An .xlsx download with a Chinese name (RFC 6266 / 5987, ASCII fallback), never cached: staff data. */
export const xlsxDownload = (body: Uint8Array<ArrayBuffer>, name: string, fallback: string) =>
  new Response(body, {
    headers: {
      'Content-Type': XLSX_TYPE,
      'Content-Disposition': `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'private, no-store',
    },
  });

/** A .zip streamed as it is written, with a Chinese name (as above), never cached: evidence of a case. */
export const zipDownload = (body: ReadableStream, name: string, fallback: string) =>
  new Response(body, {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    },
  });

/** zValidator's hook for a query: the first problem, in its Chinese words, as a 400. */
export const badQuery = (r: { success: boolean; error?: { issues: { message: string }[] } }) => {
  if (!r.success) throw new ApiError(400, r.error?.issues[0]?.message ?? '查询条件有误');
};
