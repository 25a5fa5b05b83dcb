import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.ts';
import type { FormRead, FormSpec } from '../domain/shared/form-spec.ts';
import { declaredLength, readBytes, readForm, sizeText, type BodySource } from './form-stream.ts';

/**
 * The body's bytes straight off the socket when node-server gave us its IncomingMessage and
 * nobody has read it: going through `c.req` first builds a Request around a web stream, which
 * cost ~50 µs of the ~230 µs a report took on the HTTP thread. Otherwise (app.request in tests,
 * a body already counted by limitBody) the Request's own stream.
 */
export function bodySource(c: Context): BodySource {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  // `=== false`: tests hand Hono a stand-in { socket } for the client address, no stream.
  return incoming?.readableDidRead === false ? incoming : c.req.raw.body;
}

/** A multipart or urlencoded form, parsed as it arrives with the endpoint's limits (form-stream.ts). */
export function formBody(c: Context, spec: FormSpec): Promise<FormRead> {
  return readForm(
    c.req.header('content-type') ?? '',
    bodySource(c),
    spec,
    declaredLength((name) => c.req.header(name)),
  );
}

/** How much JSON a request may carry, and how deep and how many values, before it is parsed. */
export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
  /** Values, counted by the commas and colons between them. */
  maxItems: number;
}

/** Staff forms: a night patrol's 50 findings of 1000 characters are the largest (~150 KB). */
export const STAFF_JSON: JsonLimits = { maxBytes: 512 * 1024, maxDepth: 32, maxItems: 10_000 };

/**
 * A JSON body, refused before JSON.parse when it is longer, deeper or has more values than the
 * endpoint needs: parsing is synchronous and its cost grows with all three (a 60 MB array held the
 * event loop for 6 s, 32,000 nested brackets for 34 ms, 64 KB of tiny keys for 11 ms).
 */
export async function jsonValue(c: Context, limits: JsonLimits): Promise<unknown> {
  const declared = Number(c.req.header('content-length'));
  const tooLarge = () => new ApiError(413, `请求内容超过 ${sizeText(limits.maxBytes)} 上限`);
  // Unread, the body is discarded after the answer (node-server), as after any early refusal.
  if (declared > limits.maxBytes) throw tooLarge();
  const bytes = await readBytes(bodySource(c), limits.maxBytes);
  if (bytes === null) throw tooLarge();
  if (bytes === 'incomplete') throw new ApiError(400, '请求内容不完整，请重新提交');
  const shape = jsonShape(bytes);
  if (shape.depth > limits.maxDepth) throw new ApiError(400, `请求内容嵌套过深（最多 ${limits.maxDepth} 层）`);
  if (shape.items > limits.maxItems) throw new ApiError(400, `请求内容的项目过多（最多 ${limits.maxItems} 个）`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ApiError(400, '请求内容不是有效的 JSON');
  }
}

/** Nesting depth and separators outside strings, in one pass over the bytes. */
export function jsonShape(bytes: Uint8Array): { depth: number; items: number } {
  let depth = 0,
    deepest = 0,
    items = 0,
    inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (b === 0x5d || b === 0x7d) depth--;
    else if (b === 0x2c || b === 0x3a) items++;
  }
  return { depth: deepest, items };
}

/** Parses a JSON body with a zod schema; a bad body is a 400 naming the first problem, in Chinese. */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  limits: JsonLimits = STAFF_JSON,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await jsonValue(c, limits));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      issue?.message && /[\u4e00-\u9fa5]/.test(issue.message)
        ? issue.message
        : `参数有误：${issue?.path.join('.') || '请求内容'}`,
    );
  }
  return parsed.data;
}

/**
 * The body limit: by Content-Length before anything is read; a chunked body is counted as it is
 * read instead. (Hono's bodyLimit read the whole of a chunked body into memory first, attack
 * included, before the route could refuse it at its first bad byte.)
 */
export function limitBody(maxSize: number, tooLarge: () => never): MiddlewareHandler {
  return (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxSize) tooLarge();
    } else {
      c.req.raw = countedRequest(c.req.raw, maxSize, tooLarge);
    }
    return next();
  };
}

/**
 * The same request, its body counted as it is read. Built from the parts, not `new Request(raw)`,
 * and with no queue of its own: either would start reading the socket at once (node-server
 * opens its body stream on first access, and a stream fills its queue when made), and the form
 * reader could no longer take the bytes straight off it.
 */
function countedRequest(raw: Request, maxSize: number, tooLarge: () => never): Request {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let size = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= raw.body?.getReader();
        if (!reader) return controller.close();
        const { done, value } = await reader.read();
        if (done) return controller.close();
        size += value.byteLength;
        if (size > maxSize) tooLarge();
        controller.enqueue(value);
      },
      cancel: (reason) => reader?.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body, duplex: 'half' } as RequestInit);
}
