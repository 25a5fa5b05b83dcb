import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { FormRead, FormSpec } from '../domain/shared/form-spec.ts';

/** A request body: node's IncomingMessage (the fast path) or a web stream (a Request's body). */
export type BodySource = Readable | ReadableStream<Uint8Array> | null;

const FORM_TYPE = /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\s*(;|$)/i;
const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;
// Web streams may hand over one huge chunk (a test's Buffer, a buffered body): parse it in
// slices with a turn of the event loop between them, as a socket would deliver it.
const SLICE = 64 * 1024;

export const INCOMPLETE = '表单数据不完整或格式错误，请重新提交';
export const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
export const tooLargeText = (maxBytes: number) => `提交内容超过 ${sizeText(maxBytes)} 上限，请减少或缩小照片`;
// A field name an attacker chose is shown cut short and without control characters.
const shown = (name: string) => {
  const clean = name.replace(/[\p{Cc}\p{Cf}]/gu, '');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
};

/**
 * Reads a multipart or urlencoded form as it streams in, with busboy, and stops at the first
 * thing the endpoint does not accept: an unknown or repeated field, a file where text belongs,
 * too many parts, fields or files, a field, file or body over its size. The answer does not wait
 * for the rest of the body; see `pump` for what happens to it.
 */
export function readForm(
  contentType: string,
  source: BodySource,
  spec: FormSpec,
  declaredBytes?: number,
): Promise<FormRead> {
  const fields: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const label = (name: string) => spec.label?.(name) ?? name;
  const refuse = (status: 400 | 413 | 415, message: string, field?: string): FormRead => ({
    ok: false,
    status,
    message,
    field,
    fields,
  });
  const unknown = (name: string) => refuse(400, `不认识的字段：${shown(name) || '（空名）'}`);
  const type = FORM_TYPE.exec(contentType);
  if (!type)
    return settle(
      source,
      refuse(415, '请以表单（multipart/form-data 或 application/x-www-form-urlencoded）提交'),
      spec.maxBytes,
    );
  let delimiters: DelimiterCount | undefined;
  if (type[1]!.toLowerCase() === 'multipart/form-data') {
    const boundary = BOUNDARY.exec(contentType);
    const value = boundary?.[1] ?? boundary?.[2] ?? '';
    // RFC 2046: 1 to 70 characters.
    if (value.length < 1 || value.length > 70)
      return settle(source, refuse(400, '表单格式错误：分隔符（boundary）缺失或过长'), spec.maxBytes);
    delimiters = new DelimiterCount(value);
  }
  const maxParts = spec.maxFields + spec.maxFiles;
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8',
      // busboy reports parts and urlencoded fields one early (at the closing boundary, at the
      // separator); its limits are one above ours, and our own counts below are exact. Each
      // part's header busboy 1.x bounds itself (16 KB, 2000 lines: it has no headerPairs option).
      limits: {
        parts: maxParts + 1,
        fields: spec.maxFields + 1,
        files: spec.maxFiles,
        fieldSize: spec.maxFieldBytes,
        fileSize: spec.maxFileBytes + 1,
        fieldNameSize: 200,
      },
    });
  } catch {
    return settle(source, refuse(400, INCOMPLETE), spec.maxBytes);
  }

  return new Promise((resolve) => {
    let done = false;
    let fieldCount = 0;
    let seen = 0;
    let bytes = 0;
    // What the body may still hold when a file starts: its declared length, else the limit.
    const bodyBytes =
      declaredBytes !== undefined && Number.isSafeInteger(declaredBytes) && declaredBytes >= 0
        ? Math.min(declaredBytes, spec.maxBytes)
        : spec.maxBytes;
    let before = 0; // bytes of the body before the chunk busboy is parsing
    const files: { field: string; filename: string; bytes: FileBytes }[] = [];
    const checkHead = spec.fileHead?.();
    const finish = (r: FormRead) => {
      if (done) return;
      done = true;
      stop();
      // Not from inside busboy's own event (it goes on using what destroy() clears).
      if (!r.ok) queueMicrotask(() => bb.destroy());
      resolve(r);
    };

    bb.on('field', (field, value, info) => {
      const name = field ?? ''; // a part with no name
      seen++;
      if (done) return;
      if (++fieldCount > spec.maxFields) return finish(refuse(400, `表单字段过多（最多 ${spec.maxFields} 个）`));
      if (info.nameTruncated) return finish(unknown(name));
      if (spec.files.has(name)) {
        // A browser sends an empty file input as an empty part; a script may send it as text.
        if (value !== '') finish(refuse(400, `${label(name)}必须以文件形式上传`, name));
        return;
      }
      if (spec.repeated?.has(name)) {
        if (info.valueTruncated)
          return finish(refuse(413, `${label(name)}过长（不能超过 ${sizeText(spec.maxFieldBytes)}）`, name));
        (lists[name] ??= []).push(value);
        return;
      }
      if (spec.fields.has(name)) {
        if (info.valueTruncated)
          return finish(refuse(413, `${label(name)}过长（不能超过 ${sizeText(spec.maxFieldBytes)}）`, name));
        if (Object.hasOwn(fields, name)) return finish(refuse(400, `${label(name)}提交了不止一次`, name));
        fields[name] = value;
        return;
      }
      if (!spec.ignored?.test(name)) finish(unknown(name));
    });
    bb.on('file', (field, stream, info) => {
      const name = field ?? '';
      seen++;
      stream.on('error', () => undefined);
      if (done) return void stream.resume();
      if (!spec.files.has(name)) {
        stream.resume();
        return finish(spec.fields.has(name) ? refuse(400, `${label(name)}不能是文件`, name) : unknown(name));
      }
      // Its place among the files kept at the end (earlier parts are complete).
      const kept = files.filter(isKept).length;
      // busboy stops a file at maxFileBytes + 1 (the 'limit' below).
      const file = {
        field: name,
        filename: info.filename ?? '',
        bytes: new FileBytes(Math.min(spec.maxFileBytes + 1, bodyBytes - before)),
      };
      const index = files.push(file);
      let checking = checkHead !== undefined;
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        file.bytes.push(chunk);
        if (!checking) return;
        const refusal = checkHead!(kept, file.bytes.data());
        if (refusal === undefined) return;
        checking = false;
        if (refusal !== null) finish(refuse(400, refusal, name));
      });
      stream.on('limit', () => {
        const named = file.filename ? `（${shown(file.filename)}）` : '';
        finish(refuse(413, `第 ${index} 张${label(name)}超过 ${sizeText(spec.maxFileBytes)} 上限${named}`, name));
      });
    });
    bb.on('partsLimit', () => finish(refuse(400, `表单分段过多（最多 ${maxParts} 段）`)));
    bb.on('fieldsLimit', () => finish(refuse(400, `表单字段过多（最多 ${spec.maxFields} 个）`)));
    bb.on('filesLimit', () => {
      const [field] = spec.files;
      finish(
        field ? refuse(400, `最多上传 ${spec.maxFiles} 张${label(field)}`, field) : refuse(400, '这里不接受文件上传'),
      );
    });
    bb.on('error', () => finish(refuse(400, INCOMPLETE)));
    // After the last part, and after every file stream has ended.
    bb.on('finish', () => {
      // busboy skips a part without a form-data Content-Disposition unseen; we refuse it.
      if (delimiters && delimiters.parts() > seen) return finish(refuse(400, '表单中有无法识别的部分（缺少字段名）'));
      finish({
        ok: true,
        fields,
        lists,
        files: files.filter(isKept).map((f) => ({ field: f.field, filename: f.filename, data: f.bytes.data() })),
      });
    });

    const stop = pump(source, spec.maxBytes, {
      chunk(data) {
        before = bytes;
        bytes += data.length;
        if (bytes > spec.maxBytes) return finish(refuse(413, tooLargeText(spec.maxBytes)));
        delimiters?.push(data);
        try {
          bb.write(data);
        } catch {
          finish(refuse(400, INCOMPLETE)); // a parser's throw must not become the process's
        }
      },
      end: () => bb.end(),
      fail: () => finish(refuse(400, INCOMPLETE)),
      stopped: () => done,
    });
  });
}

// An empty file input still sends a part, with no name and no bytes.
const isKept = (f: { filename: string; bytes: FileBytes }) => f.bytes.size > 0 || f.filename !== '';

/**
 * One uploaded file's bytes, copied out of each chunk as it arrives into one buffer. Keeping the
 * chunks and joining them at the end had cost one long stretch of the event loop a report (fresh
 * memory costs 5–11 ms a MB to write here, its first touch of each page: 150–190 ms for six 7 MB
 * photos) and held every chunk's whole 64 KB backing store meanwhile (308 MB of array buffers for
 * 168 MB of photos). The buffer is allocated at the most the file may be: pages never written are
 * never resident (checked on this machine: ten 60 MB buffers with 1 MB written each added 13 MB
 * of RSS).
 */
class FileBytes {
  private buf: Buffer;
  private used = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(0, capacity));
  }
  get size() {
    return this.used;
  }
  push(chunk: Buffer) {
    // Only when the body's bytes were counted ahead of busboy's parsing (it had buffered some).
    if (this.used + chunk.length > this.buf.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(2 * this.buf.length, this.used + chunk.length));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    this.used += chunk.copy(this.buf, this.used);
  }
  data(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}

/** Counts a multipart body's delimiters as it streams past (native search, across chunk edges). */
class DelimiterCount {
  private readonly needle: Buffer;
  private tail: Buffer;
  private count = 0;
  constructor(boundary: string) {
    this.needle = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.tail = Buffer.from('\r\n'); // as busboy, for a body that opens with its first delimiter
  }
  push(chunk: Buffer) {
    const keep = this.needle.length - 1;
    // A delimiter split between chunks lies within the last bytes of one and the first of the next.
    this.count += occurrences(Buffer.concat([this.tail, chunk.subarray(0, keep)]), this.needle);
    if (chunk.length > keep) {
      this.count += occurrences(chunk, this.needle);
      this.tail = Buffer.from(chunk.subarray(chunk.length - keep));
    } else {
      this.tail = Buffer.concat([this.tail, chunk]).subarray(-keep);
    }
  }
  /** Parts between the first delimiter and the closing one. */
  parts() {
    return this.count - 1;
  }
}

function occurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

/** A refusal decided before reading: the body is left to the same clean-up as a refusal mid-way. */
function settle(source: BodySource, r: FormRead, drainBytes: number): Promise<FormRead> {
  discardBody(source, drainBytes);
  return Promise.resolve(r);
}

/** A body a route refuses before reading any of it: nothing of it is kept (see `pump` for the rest). */
export function discardBody(source: BodySource, drainBytes: number): void {
  pump(source, drainBytes, {
    chunk: () => undefined,
    end: () => undefined,
    fail: () => undefined,
    stopped: () => true,
  })();
}

/** The body's length as its Content-Length declares it (node's parser holds the body to it); none when chunked. */
export function declaredLength(header: (name: string) => string | null | undefined): number | undefined {
  const length = header('content-length');
  return typeof length === 'string' && header('transfer-encoding') == null && /^\d{1,15}$/.test(length)
    ? Number(length)
    : undefined;
}

interface Sink {
  chunk(data: Buffer): void;
  end(): void;
  fail(): void;
  /** True once the sink wants no more. */
  stopped(): boolean;
}

/**
 * Feeds a body to `sink` until it ends or the sink stops; returns the stop. After a stop nothing
 * more is parsed. Node's stream is paused and left to @hono/node-server, which after the answer
 * discards what is still coming (up to 64 MB, for 500 ms) and then closes the connection, so a
 * kept-alive socket is neither stuck on an unread body nor reading one for ever. A web stream
 * (Astro's page request) is read and discarded up to `drainBytes`, then cancelled: cancelling
 * at once would destroy the socket before the answer was written.
 */
export function pump(source: BodySource, drainBytes: number, sink: Sink): () => void {
  if (source === null) {
    queueMicrotask(() => !sink.stopped() && sink.end());
    return () => undefined;
  }
  // By shape: a web stream may come from another realm's ReadableStream (instanceof fails).
  if (!isWebStream(source)) {
    // Past its first 64 KB, a body is read one chunk a turn of the event loop. libuv reads a
    // socket up to 32 times in one turn while it has data, so several uploads on loopback each
    // handed over ~2 MB a turn and the timers and other requests waited for all of it; paused,
    // node stops reading the socket (its parser's push is refused) until the next turn. A
    // small body (a report without photos) ends in the turn it arrived.
    let read = 0;
    const resume = () => !sink.stopped() && source.resume();
    const onData = (chunk: Buffer) => {
      if (sink.stopped()) return;
      sink.chunk(chunk);
      read += chunk.length;
      if (sink.stopped() || read <= SLICE) return;
      source.pause();
      setImmediate(resume);
    };
    const onEnd = () => !sink.stopped() && sink.end();
    const onClose = () => !source.readableEnded && !sink.stopped() && sink.fail();
    const detach = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('close', onClose);
      source.pause();
    };
    // Kept after a stop: an aborted request must not become an uncaught error.
    source.on('error', () => !sink.stopped() && sink.fail());
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('close', onClose);
    return detach;
  }
  void (async () => {
    const reader = source.getReader();
    let discarded = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return void (sink.stopped() || sink.end());
        if (sink.stopped()) {
          discarded += value.byteLength;
          if (discarded > drainBytes) return void (await reader.cancel());
          continue;
        }
        for (let at = 0; at < value.byteLength && !sink.stopped(); at += SLICE) {
          if (at > 0) await new Promise((r) => setImmediate(r));
          if (!sink.stopped())
            sink.chunk(Buffer.from(value.buffer, value.byteOffset + at, Math.min(SLICE, value.byteLength - at)));
        }
      }
    } catch {
      if (!sink.stopped()) sink.fail();
    }
  })();
  return () => undefined;
}

const isWebStream = (s: Readable | ReadableStream<Uint8Array>): s is ReadableStream<Uint8Array> =>
  typeof (s as ReadableStream).getReader === 'function';

/** The whole body, up to `maxBytes`: null when it is longer (the rest is left as `pump` says). */
export function readBytes(source: BodySource, maxBytes: number): Promise<Buffer | null | 'incomplete'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: Buffer | null | 'incomplete') => {
      done = true;
      stop();
      resolve(r);
    };
    const stop = pump(source, maxBytes, {
      chunk(data) {
        size += data.length;
        if (size > maxBytes) return finish(null);
        chunks.push(data);
      },
      end: () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
      fail: () => finish('incomplete'),
      stopped: () => done,
    });
  });
}
