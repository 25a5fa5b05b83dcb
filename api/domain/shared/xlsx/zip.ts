import { inflateRawSync } from 'node:zlib';

/**
 * The parts of an .xlsx (a zip) an import needs, inflated with limits that count the bytes
 * zlib really produces. The sizes a zip declares are never trusted to bound anything: a
 * declared size above the limit is refused at once, and a smaller one may be a lie.
 */
export interface ZipLimits {
  /** Entries in the central directory (an .xlsx has a few dozen). */
  maxEntries: number;
  /** Inflated bytes of one part. */
  maxPartBytes: number;
  /** Inflated bytes of all parts read from one file. */
  maxTotalBytes: number;
}

/** The file's fault; `message` is for the person who uploaded it. */
export class ZipError extends Error {}

export const NOT_XLSX = '文件不是有效的 .xlsx';
const NOT_ZIP = `${NOT_XLSX}（不是 zip 压缩格式）`;
const mb = (n: number) => Math.floor(n / 1024 / 1024);
export const tooBigUnzipped = (limit: number) =>
  `文件解压后过大（超过 ${mb(limit)} MB），无法导入：请只保留清单所在的工作表后重新保存`;

interface Entry {
  method: number;
  compressedSize: number;
  declaredSize: number;
  localOffset: number;
}

// An OLE2 compound file: what Excel writes for a password-protected workbook, and for an old .xls.
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export class ZipReader {
  private readonly entries = new Map<string, Entry>();
  private readonly buf: Buffer;
  private readonly limits: ZipLimits;
  private inflated = 0;

  constructor(buf: Buffer, limits: ZipLimits) {
    this.buf = buf;
    this.limits = limits;
    if (buf.subarray(0, 8).equals(OLE2))
      throw new ZipError('文件已加密或是旧版 .xls 格式：请在 Excel 中取消密码并另存为 .xlsx 后再导入');
    const eocd = findEndOfDirectory(buf);
    const count = buf.readUInt16LE(eocd + 10);
    const dirSize = buf.readUInt32LE(eocd + 12);
    let p = buf.readUInt32LE(eocd + 16);
    // split archives
    if (count !== buf.readUInt16LE(eocd + 8) || buf.readUInt16LE(eocd + 4) !== 0) throw new ZipError(NOT_ZIP);
    if (count > limits.maxEntries) throw new ZipError(`${NOT_XLSX}（压缩包内文件过多，超过 ${limits.maxEntries} 个）`);
    // ZIP64 marks its sizes and offsets 0xFFFFFFFF: a file within the upload limit never needs it.
    if (p === 0xffffffff || p + dirSize > eocd) throw new ZipError(NOT_ZIP);
    for (let n = 0; n < count; n++) {
      if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipError(NOT_ZIP);
      const flags = buf.readUInt16LE(p + 8);
      const entry: Entry = {
        method: buf.readUInt16LE(p + 10),
        compressedSize: buf.readUInt32LE(p + 20),
        declaredSize: buf.readUInt32LE(p + 24),
        localOffset: buf.readUInt32LE(p + 42),
      };
      const nameLen = buf.readUInt16LE(p + 28);
      const next = p + 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
      if (next > eocd) throw new ZipError(NOT_ZIP);
      const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
      if (flags & 1) throw new ZipError('文件已加密：请在 Excel 中取消密码后再导入');
      // The same name twice: which one a reader takes would be the attacker's choice.
      if (this.entries.has(name)) throw new ZipError(`${NOT_XLSX}（压缩包内有重名文件）`);
      this.entries.set(name, entry);
      p = next;
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A part's bytes, inflated within what is left of the limits; undefined if there is no such part. */
  read(name: string): Buffer | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    const { buf, limits } = this;
    const at = e.localOffset;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== 0x04034b50) throw new ZipError(NOT_ZIP);
    const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    if (e.compressedSize === 0xffffffff || start + e.compressedSize > buf.length) throw new ZipError(NOT_ZIP);
    const data = buf.subarray(start, start + e.compressedSize);
    const room = Math.min(limits.maxPartBytes, limits.maxTotalBytes - this.inflated);
    const tooBig = () =>
      new ZipError(tooBigUnzipped(room === limits.maxPartBytes ? limits.maxPartBytes : limits.maxTotalBytes));
    if (e.declaredSize > room) throw tooBig(); // an honest size over the limit: no need to inflate it to know
    let out: Buffer;
    if (e.method === 0) out = data;
    else if (e.method === 8) {
      if (room <= 0) throw tooBig();
      try {
        out = inflateRawSync(data, { maxOutputLength: room, chunkSize: 64 * 1024 });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig();
        throw new ZipError(`${NOT_XLSX}（压缩数据已损坏）`);
      }
    } else throw new ZipError(`${NOT_XLSX}（不支持的压缩方式）`);
    if (out.length > room) throw tooBig();
    this.inflated += out.length;
    return out;
  }
}

function findEndOfDirectory(buf: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65,535.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65_535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) return i;
  }
  throw new ZipError(NOT_ZIP);
}
