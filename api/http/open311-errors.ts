import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CONTENT_TYPES, errorsBody, splitFormat, type Format } from '../domain/open311/format.ts';
import { ApiError } from './errors.ts';

/** A refusal in the spec's shape: an array of {code, description}, in the format the path asked for. */
export class Open311Error extends Error {
  readonly status: ContentfulStatusCode;
  readonly descriptions: string[];
  readonly headers?: Record<string, string>;
  constructor(status: ContentfulStatusCode, descriptions: string | string[], headers?: Record<string, string>) {
    const list = Array.isArray(descriptions) ? descriptions : [descriptions];
    super(list[0]);
    this.status = status;
    this.descriptions = list;
    this.headers = headers;
  }
}

export const NOT_FOUND = '没有这个接口资源（路径须以 .json 或 .xml 结尾）';

/** Every path under /api/open311/ answers its errors in Open311's shape, whichever layer refuses it. */
export const isOpen311Path = (path: string) => path.startsWith('/api/open311/');

// The format follows the path's suffix, errors included; XML is the spec's required one.
export const formatOf = (c: Context): Format => splitFormat(c.req.path.split('/').pop() ?? '')?.format ?? 'xml';

function errors(c: Context, status: ContentfulStatusCode, descriptions: string[], headers?: Record<string, string>) {
  const format = formatOf(c);
  if (headers) for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.body(
    errorsBody(
      format,
      descriptions.map((description) => ({ code: status, description })),
    ),
    status,
    { 'Content-Type': CONTENT_TYPES[format] },
  );
}

/**
 * Any error on an Open311 path as <errors><error><code/><description/></error></errors> (or its
 * JSON): our own refusals, the API's shared ones (a cross-site post, a body too large), and 500.
 */
export function open311OnError(err: Error, c: Context): Response {
  if (err instanceof Open311Error) return errors(c, err.status, err.descriptions, err.headers);
  if (err instanceof ApiError) return errors(c, err.status, [err.message], err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    const status = err.status as ContentfulStatusCode;
    return errors(c, status, [status === 413 ? '提交内容过大' : '请求无效']);
  }
  // Only the stack: a request body may carry a reporter's contact.
  console.error(`[open311] ${c.req.method} ${c.req.path} failed:`, err.stack ?? err.message);
  return errors(c, 500, ['服务器内部错误，请稍后再试']);
}

/** The methods each resource takes, for 405 and its Allow header. */
function allowedMethods(resource: string): string | null {
  const file = splitFormat(resource.split('/').pop() ?? '');
  if (!file) return null;
  const dir = resource.includes('/') ? resource.slice(0, resource.lastIndexOf('/')) : '';
  if (dir === '') {
    if (file.name === 'requests') return 'GET, POST';
    return ['discovery', 'services', 'servicerequestupdates'].includes(file.name) ? 'GET' : null;
  }
  return dir === 'services' || dir === 'requests' ? 'GET' : null;
}

/** What no route took: a resource we have with a method it does not take (405), or none (404). */
export function open311Fallback(c: Context): Response {
  const resource = /\/open311\/v2\/(.*)$/.exec(c.req.path)?.[1] ?? '';
  const allow = allowedMethods(resource);
  if (allow && c.req.method !== 'GET' && c.req.method !== 'HEAD')
    return errors(c, 405, [`${resource} 不接受 ${c.req.method} 请求（只接受 ${allow}）`], { Allow: allow });
  return errors(c, 404, [NOT_FOUND]);
}
