import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldErrors } from '../domain/complaints/input.ts';
import { isBusy } from '../domain/shared/busy.ts';
import { logger } from './logging.ts';

/** Every error the API answers has this shape, in Chinese for the person reading it. */
export interface ErrorBody {
  error: { message: string; fields?: FieldErrors };
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly fields?: FieldErrors;
  readonly headers?: Record<string, string>;
  constructor(status: ContentfulStatusCode, message: string, fields?: FieldErrors, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.fields = fields;
    this.headers = headers;
  }
}

export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json<ErrorBody>(
      { error: { message: err.message, ...(err.fields && { fields: err.fields }) } },
      err.status,
    );
  }
  if (isBusy(err)) {
    c.header('Retry-After', String(err.retryAfterS));
    return c.json<ErrorBody>({ error: { message: err.message } }, 503);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const message = status === 413 ? '提交内容过大' : status < 500 ? '请求无效' : '服务暂时不可用';
    return c.json<ErrorBody>({ error: { message } }, status as ContentfulStatusCode);
  }
  // Only the route's pattern and the stack: a path may carry a tracking code, a body a reporter's contact.
  logger.error(
    { method: c.req.method, route: c.req.routePath, err: { message: err.message, stack: err.stack } },
    'failed',
  );
  return c.json<ErrorBody>({ error: { message: '服务器内部错误，请稍后再试' } }, 500);
}
