/**
 * A tokenizer for the few OOXML parts an import reads, fed decoded text in pieces. It looks at
 * each character a bounded number of times: no backtracking regular expression runs over the
 * untrusted XML (a lazy `<si>([\s\S]*?)</si>` over unclosed strings had been quadratic), and an
 * unfinished tag, comment or CDATA section may not grow past `maxConstruct` characters.
 */
export interface XmlHandler {
  /** `name` without its namespace prefix (x:row is row); `tag` is valid only during the call. */
  open(name: string, tag: Tag, selfClosing: boolean): void;
  close(name: string): void;
  /** Raw character data s[from, to) (entities not yet decoded); one text may come in several pieces. */
  text(s: string, from: number, to: number): void;
}

/** The attributes of the tag being opened: a view of the text, so that no tag allocates a map. */
export class Tag {
  s = '';
  from = 0;
  to = 0;
  /** The raw value of attribute `name` (qualified as written: r:id), or undefined. */
  attr(name: string): string | undefined {
    const { s, to } = this;
    for (let i = this.from; (i = nextAttribute(s, i, to, AT)) >= 0; ) {
      if (AT[1]! - AT[0]! === name.length && s.startsWith(name, AT[0]!)) return s.slice(AT[2]!, AT[3]!);
    }
    return undefined;
  }
  all(): Map<string, string> {
    const { s, to } = this;
    const out = new Map<string, string>();
    for (let i = this.from; (i = nextAttribute(s, i, to, AT)) >= 0; ) {
      const n = s.slice(AT[0]!, AT[1]!);
      if (!out.has(n)) out.set(n, s.slice(AT[2]!, AT[3]!));
    }
    return out;
  }
}

export class XmlError extends Error {}

const localName = (qname: string) => {
  const colon = qname.indexOf(':');
  return colon < 0 ? qname : qname.slice(qname.lastIndexOf(':') + 1);
};
// space, tab, LF, CR, / >
const isNameEnd = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62;

export class XmlScanner {
  private readonly handler: XmlHandler;
  private readonly maxConstruct: number;
  private readonly tag = new Tag();
  private carry = '';
  private last = false;
  // Where the next " ' and > are in the current piece (-2: not looked for yet, -1: none left).
  // Each is searched for again only once passed, so the searches cover the text once, not once per tag.
  private dq = -2;
  private sq = -2;
  private gt = -2;

  constructor(handler: XmlHandler, maxConstruct: number) {
    this.handler = handler;
    this.maxConstruct = maxConstruct;
  }

  feed(chunk: string): void {
    const s = this.carry ? this.carry + chunk : chunk;
    this.carry = '';
    this.dq = this.sq = this.gt = -2;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        this.handler.text(s, i, n);
        return;
      }
      if (lt > i) this.handler.text(s, i, lt);
      const end = this.construct(s, lt);
      if (end < 0) {
        // Unfinished: kept for the next piece, but never without bound.
        if (n - lt > this.maxConstruct) throw new XmlError('XML 标签过长');
        this.carry = s.slice(lt);
        return;
      }
      i = end;
    }
  }

  /** After the last piece: anything still open is a truncated document. */
  end(): void {
    this.last = true;
    if (this.carry) this.feed('');
    if (this.carry) throw new XmlError('XML 不完整');
  }

  /** Handles the construct starting at `lt`; returns the index after it, or -1 if it is not all here yet. */
  private construct(s: string, lt: number): number {
    const next = s.charCodeAt(lt + 1);
    if (next === 33 /* ! */) {
      if (s.length - lt < 9 && !this.last) return -1; // cannot tell <!-- from <![CDATA[ yet
      if (s.startsWith('<!--', lt)) {
        const close = s.indexOf('-->', lt + 4);
        return close < 0 ? -1 : close + 3;
      }
      if (s.startsWith('<![CDATA[', lt)) {
        const close = s.indexOf(']]>', lt + 9);
        if (close < 0) return -1;
        const t = escapeCdata(s.slice(lt + 9, close));
        this.handler.text(t, 0, t.length);
        return close + 3;
      }
      // A DOCTYPE could declare entities; OOXML parts never carry one.
      throw new XmlError('XML 含有文档类型声明');
    }
    if (next === 63 /* ? */) {
      const close = s.indexOf('?>', lt + 2);
      return close < 0 ? -1 : close + 2;
    }
    const gt = this.tagEnd(s, lt + 1);
    if (gt < 0) return -1;
    const closing = next === 47; /* / */
    let nameEnd = lt + (closing ? 2 : 1);
    while (nameEnd < gt && !isNameEnd(s.charCodeAt(nameEnd))) nameEnd++;
    const name = localName(s.slice(lt + (closing ? 2 : 1), nameEnd));
    if (!name) throw new XmlError('XML 标签没有名称');
    if (closing) this.handler.close(name);
    else {
      const selfClosing = s.charCodeAt(gt - 1) === 47;
      const tag = this.tag;
      tag.s = s;
      tag.from = nameEnd;
      tag.to = selfClosing ? gt - 1 : gt;
      this.handler.open(name, tag, selfClosing);
    }
    return gt + 1;
  }

  /** The first > from `p` outside a quoted attribute value, or -1 if the tag is not all here yet. */
  private tagEnd(s: string, p: number): number {
    for (;;) {
      if (this.gt !== -1 && this.gt < p) this.gt = s.indexOf('>', p);
      if (this.gt < 0) return -1;
      if (this.dq !== -1 && this.dq < p) this.dq = s.indexOf('"', p);
      if (this.sq !== -1 && this.sq < p) this.sq = s.indexOf("'", p);
      const q = this.dq < 0 ? this.sq : this.sq < 0 ? this.dq : Math.min(this.dq, this.sq);
      if (q < 0 || q > this.gt) return this.gt;
      const close = s.indexOf(q === this.dq ? '"' : "'", q + 1);
      if (close < 0) return -1;
      p = close + 1;
    }
  }
}

// CDATA is literal text; re-escaping its & keeps one decoding path for all character data.
const escapeCdata = (t: string) => (t.includes('&') ? t.split('&').join('&amp;') : t);

// Where the last attribute read lies: name from, name to, value from, value to.
const AT = new Int32Array(4);

/** Reads the attribute at or after `i` in s[i, to) into AT; returns the index after it, or -1 when none is left. */
function nextAttribute(s: string, i: number, to: number, at: Int32Array): number {
  while (i < to && isSpace(s.charCodeAt(i))) i++;
  if (i >= to) return -1;
  at[0] = i;
  while (i < to && s.charCodeAt(i) !== 61 /* = */ && !isSpace(s.charCodeAt(i))) i++;
  at[1] = i;
  while (i < to && isSpace(s.charCodeAt(i))) i++;
  if (i >= to || s.charCodeAt(i) !== 61) throw new XmlError('XML 属性格式有误');
  i++;
  while (i < to && isSpace(s.charCodeAt(i))) i++;
  const quote = s.charCodeAt(i);
  if (i >= to || (quote !== 34 && quote !== 39)) throw new XmlError('XML 属性格式有误');
  const close = s.indexOf(quote === 34 ? '"' : "'", i + 1);
  if (close < 0 || close >= to) throw new XmlError('XML 属性格式有误');
  at[2] = i + 1;
  at[3] = close;
  return close + 1;
}
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Character data with XML's five entities and character references decoded, then OOXML's
 * _xHHHH_ escapes (control characters). Both patterns match in one pass without backtracking
 * across the text. A reference to no character is the file's fault.
 */
export function decodeText(s: string): string {
  if (s.includes('&')) {
    s = s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (m, e: string) => {
      if (e[0] !== '#') return ENTITIES[e] ?? m;
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
      if (code > 0x10ffff) throw new XmlError('XML 字符引用无效');
      return String.fromCodePoint(code);
    });
  }
  return s.includes('_x')
    ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    : s;
}
