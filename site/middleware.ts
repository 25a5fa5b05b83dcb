import { defineMiddleware } from 'astro:middleware';
import { getContext } from '../api/context.ts';
import { isCrossSite, ownOrigin } from '../api/http/same-origin.ts';

/** Page forms get the API's CSRF rule, and a body size known before it is read. */
export const onRequest = defineMiddleware(async ({ request }, next) => {
  if (request.method === 'GET' || request.method === 'HEAD') return next();
  const { env } = await getContext();
  const h = request.headers;
  if (isCrossSite({ method: request.method, origin: h.get('origin'), secFetchSite: h.get('sec-fetch-site') }, ownOrigin(env.PUBLIC_BASE_URL, request.url))) {
    return new Response('拒绝跨站提交：请从本站页面提交', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const length = Number(h.get('content-length') ?? NaN);
  const max = env.MAX_PHOTOS * env.MAX_PHOTO_BYTES + 1024 * 1024;
  // Browsers always send a length with a form; node's parser holds the body to it.
  if (!Number.isFinite(length)) return new Response('请求缺少长度', { status: 411, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  if (length > max) return new Response('提交内容过大，请减少或缩小照片', { status: 413, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return next();
});
