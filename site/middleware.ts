import { defineMiddleware, sequence } from 'astro:middleware';
import { getContext } from '../api/context.ts';
import { maxReportBodyBytes } from '../api/env.ts';
import { isCrossSite, ownOrigin } from '../api/http/same-origin.ts';
import { decide } from '../api/http/policy.ts';
import { SESSION_COOKIE, validateSession } from '../api/domain/accounts/sessions.ts';
import { isBusy } from '../api/domain/shared/busy.ts';

const text = (body: string, status: number) =>
  new Response(body, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/** Page forms get the API's CSRF rule, and a body size known before it is read. */
const guardWrites = defineMiddleware(async ({ request }, next) => {
  if (request.method === 'GET' || request.method === 'HEAD') return next();
  const { env } = await getContext();
  const h = request.headers;
  if (
    isCrossSite(
      { method: request.method, origin: h.get('origin'), secFetchSite: h.get('sec-fetch-site') },
      ownOrigin(env.PUBLIC_BASE_URL, request.url),
    )
  ) {
    return text('拒绝跨站提交：请从本站页面提交', 403);
  }
  const length = Number(h.get('content-length') ?? NaN);
  // Browsers always send a length with a form; node's parser holds the body to it.
  if (!Number.isFinite(length)) return text('请求缺少长度', 411);
  if (length > maxReportBodyBytes(env)) return text('提交内容过大，请减少或缩小照片', 413);
  return next();
});

/** Back-office pages: the session from the cookie, then the same POLICY table the API obeys. */
const guardAdmin = defineMiddleware(async (context, next) => {
  if (!context.url.pathname.startsWith('/admin')) return next();
  // Back-office forms post to the API through admin.ts, and no page takes a POST (POLICY has
  // none): one submitted natively, before that script ran, goes back to its page, empty.
  if (context.request.method === 'POST') return context.redirect(context.url.pathname, 303);
  const ctx = await getContext();
  const session = validateSession(ctx.db, context.cookies.get(SESSION_COOKIE)?.value, ctx.clock(), ctx.sessions);
  context.locals.user = session?.user ?? null;
  const decision = decide(
    `${context.request.method === 'HEAD' ? 'GET' : context.request.method} ${context.routePattern}`,
    session?.user.role ?? null,
  );
  if (decision === 'login') {
    // A search may be a tracking code the reporter read out: the way back keeps the page, never the search.
    const back = new URL(context.url);
    back.searchParams.delete('q');
    return context.redirect(`/admin/login?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
  }
  if (decision === 'forbidden') {
    return new Response(
      '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>无权访问</title>' +
        '<h1>无权访问此页面</h1><p>您的账号没有这项权限。<a href="/admin">返回工作台</a></p></html>',
      {
        status: 403,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      },
    );
  }
  if (
    session?.user.mustChangePassword &&
    context.routePattern !== '/admin/password' &&
    context.routePattern !== '/admin/login'
  ) {
    return context.redirect('/admin/password', 303);
  }
  let response: Response;
  try {
    response = await next();
  } catch (err) {
    if (!isBusy(err)) throw err;
    return new Response(
      `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>系统繁忙</title><h1>${err.message}</h1>` +
        `<p>请约 ${err.retryAfterS} 秒后刷新本页。<a href="/admin">返回工作台</a></p></html>`,
      {
        status: 503,
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': String(err.retryAfterS) },
      },
    );
  }
  // The service worker is revalidated, not kept out of the cache (admin/offline/sw-route.ts); every page is no-store.
  if (context.routePattern !== '/admin/sw.js') response.headers.set('Cache-Control', 'no-store');
  return response;
});

export const onRequest = sequence(guardWrites, guardAdmin);
