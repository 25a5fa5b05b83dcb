// The CSV half of table-rows.ts: text split into rows as the chunks of a file arrive.
/** One row of an imported table. */
export interface TableRow {
  /** The row as the person sees it: the line of a CSV (a quoted field's line breaks not counted), Excel's row. */
  line: number;
  /** Trimmed text of each cell; an .xlsx number as written (a date is a serial: see `xlsxDate`). */
  cells: string[];
}

/** The file's fault, said in Chinese; `line` when one row is to blame. */
export class TableError extends Error {
  readonly line: number | undefined;
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `第 ${line} 行：${message}`);
    this.line = line;
  }
}

// A record still open after this much text is an unclosed quote, not a long cell.
const MAX_RECORD_CHARS = 1024 * 1024;

const QUOTE = 34,
  CR = 13,
  LF = 10;

/** Splits CSV text into rows, chunk by chunk: the separator and the encoding are fixed by the first chunk. */
export class CsvSplitter {
  private readonly decoder: TextDecoder;
  private readonly sep: number;
  private rest = '';
  private line = 1;

  constructor(head: Uint8Array) {
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    const encoding = bom || isUtf8Prefix(head) ? 'utf-8' : 'gb18030';
    this.decoder = new TextDecoder(encoding, { fatal: true });
    const firstLine = new TextDecoder(encoding).decode(head.subarray(0, Math.min(head.length, 4096)));
    this.sep = separatorOf(firstLine.split(/\r?\n/)[0] ?? '');
  }

  feed(bytes: Uint8Array, last: boolean): TableRow[] {
    let text: string;
    try {
      text = this.rest + this.decoder.decode(bytes, { stream: !last });
    } catch {
      throw new TableError('文字编码有误：请另存为 UTF-8 或 GBK 编码的 CSV', this.line);
    }
    if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const out: TableRow[] = [];
    let at = 0;
    const n = text.length;
    const sep = String.fromCharCode(this.sep);
    while (at < n) {
      const start = at;
      const startLine = this.line;
      // Most lines have no quote and end in \n: split natively (a third of the time of the loop below).
      const nl = text.indexOf('\n', at);
      if (nl >= 0) {
        const lineText = text.slice(at, nl > at && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl);
        if (!lineText.includes('"') && !lineText.includes('\r')) {
          const cells = lineText.split(sep);
          let blank = true;
          for (let i = 0; i < cells.length; i++) if ((cells[i] = cells[i]!.trim()) !== '') blank = false;
          if (!blank) out.push({ line: startLine, cells });
          this.line = startLine + 1;
          at = nl + 1;
          continue;
        }
      }
      const cells: string[] = [];
      let complete = false;
      let lines = 0;
      for (;;) {
        if (at < n && text.charCodeAt(at) === QUOTE) {
          // A quoted field: "" is one quote; line breaks inside it belong to the cell.
          let value = '';
          let from = at + 1;
          let closed = false;
          for (;;) {
            const q = text.indexOf('"', from);
            if (q < 0) break;
            if (text.charCodeAt(q + 1) === QUOTE) {
              value += text.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            if (q + 1 === n && !last) break; // "" may be split across chunks
            value += text.slice(from, q);
            at = q + 1;
            closed = true;
            break;
          }
          if (!closed) break;
          // Anything between the closing quote and the separator is kept, as Excel does.
          let end = at;
          while (end < n && text.charCodeAt(end) !== this.sep && !isBreak(text.charCodeAt(end))) end++;
          cells.push((value + text.slice(at, end)).trim());
          at = end;
        } else {
          let end = at;
          while (end < n && text.charCodeAt(end) !== this.sep && !isBreak(text.charCodeAt(end))) end++;
          cells.push(text.slice(at, end).trim());
          at = end;
        }
        if (at >= n) {
          complete = last;
          break;
        }
        const c = text.charCodeAt(at);
        if (c === this.sep) {
          at++;
          continue;
        }
        // A line break: \r\n, \n or \r; a \r at the chunk's end may be half of \r\n.
        if (c === CR && at + 1 === n && !last) break;
        at += c === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
        lines = 1;
        complete = true;
        break;
      }
      if (!complete) {
        if (last) throw new TableError('引号没有配对（"）：单元格未结束', startLine);
        this.rest = text.slice(start);
        if (this.rest.length > MAX_RECORD_CHARS) throw new TableError('一行过长或引号没有配对（"）', startLine);
        return out;
      }
      this.line = startLine + lines;
      if (cells.some((c) => c !== '')) out.push({ line: startLine, cells });
    }
    this.rest = '';
    return out;
  }
}

const isBreak = (c: number) => c === LF || c === CR;

/** Whether the bytes are UTF-8, allowing a character cut off at the end. */
function isUtf8Prefix(head: Uint8Array): boolean {
  let end = head.length;
  for (let back = 0; back < 3 && end > 0 && (head[end - 1]! & 0xc0) === 0x80; back++) end--;
  if (end > 0 && head[end - 1]! >= 0xc0) end--;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** The separator the header uses most: comma, tab or semicolon (quotes not looked into). */
function separatorOf(header: string): number {
  const counts = [',', '\t', ';'].map((s) => header.replace(/"[^"]*"/g, '').split(s).length);
  const best = counts.indexOf(Math.max(...counts));
  return [44, 9, 59][best]!;
}
