import { type EvidenceRules, evidenceMarks, OFF_SITE_METRES } from '../shared/photos/views.ts';
import { BEIJING_OFFSET_MS } from '../shared/time.ts';
import { EVIDENCE_KIND_LABELS, type EvidenceSource } from './evidence-sources.ts';
import { FORMULA_START } from './tables/xlsx.ts';

export const HASH_MATCH = '一致';
export const HASH_MISMATCH = '校验不符';

/** What the package holds of one photo: which bytes, and the hash of exactly those bytes. */
export interface IncludedFile {
  path: string;
  sha256: string;
  /** The original as received, or the re-encoded display copy (older photos, or an original gone missing). */
  original: boolean;
}

export interface PackageHeader {
  enterprise: { id: number; name: string; address: string; village: string };
  exportedAt: Date;
  exportedBy: { name: string; account: string };
  /** Said when the exporter's scope leaves some of the file out (a department officer). */
  scopeNote: string;
}

const POSITION_SOURCE = { file: '照片自带定位', browser: '手机定位' } as const;

/** An instant in Beijing time, ISO 8601 with its offset: what a case file reads, and still exact. */
export const beijingIso = (d: Date) => `${new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
const iso = (d: Date | null) => (d ? beijingIso(d) : null);

function hashCheck(s: EvidenceSource, f: IncludedFile | null): string {
  if (!f) return `${HASH_MISMATCH}（文件缺失）`;
  if (s.originalFile && !f.original) return `${HASH_MISMATCH}（原件缺失，附显示副本）`;
  if (!s.sha256) return '未登记（早期照片，附显示副本）';
  if (!f.original) return '未登记原件（附显示副本）';
  return f.sha256 === s.sha256.toLowerCase() ? HASH_MATCH : HASH_MISMATCH;
}

export function manifestPhoto(s: EvidenceSource, f: IncludedFile | null, rules: EvidenceRules) {
  const { metresFromSite, marks } = evidenceMarks(s, s.site, rules);
  return {
    path: f?.path ?? null,
    sha256: f?.sha256 ?? null,
    recordedSha256: s.sha256,
    hashCheck: hashCheck(s, f),
    included: f ? (f.original ? '原件' : '显示副本') : '缺失',
    kind: s.kind,
    kindLabel: EVIDENCE_KIND_LABELS[s.kind],
    evidenceOf: s.evidenceOf,
    documentNumber: s.documentNumber,
    lat: s.exifLat,
    lng: s.exifLng,
    accuracyM: s.accuracyM,
    positionSource: s.exifSource ? POSITION_SOURCE[s.exifSource] : '无',
    exifTakenAt: iso(s.exifTakenAt),
    deviceTakenAt: iso(s.deviceTakenAt),
    receivedAt: beijingIso(s.receivedAt),
    clockOffsetMs: s.clockOffsetMs,
    uploader: { name: s.uploaderName, account: s.uploaderAccount },
    metresFromSite,
    ...marks,
  };
}
export type ManifestPhoto = ReturnType<typeof manifestPhoto>;

export const manifestJson = (h: PackageHeader, photos: ManifestPhoto[]) =>
  JSON.stringify(
    {
      enterprise: h.enterprise,
      exportedAt: beijingIso(h.exportedAt),
      exportedBy: h.exportedBy,
      scope: h.scopeNote,
      photoCount: photos.length,
      photos,
    },
    null,
    2,
  );

const COLUMNS: [string, (p: ManifestPhoto) => string | number | null][] = [
  ['文件', (p) => p.path],
  ['文件SHA-256', (p) => p.sha256],
  ['登记SHA-256', (p) => p.recordedSha256],
  ['校验结果', (p) => p.hashCheck],
  ['所含文件', (p) => p.included],
  ['证据类别', (p) => p.kindLabel],
  ['证据内容', (p) => p.evidenceOf],
  ['文书编号', (p) => p.documentNumber],
  ['纬度', (p) => p.lat],
  ['经度', (p) => p.lng],
  ['定位精度（米）', (p) => p.accuracyM],
  ['定位来源', (p) => p.positionSource],
  ['照片EXIF时间', (p) => p.exifTakenAt],
  ['手机时间', (p) => p.deviceTakenAt],
  ['服务器接收时间', (p) => p.receivedAt],
  ['手机时钟偏差（秒）', (p) => (p.clockOffsetMs == null ? null : Math.round(p.clockOffsetMs / 100) / 10)],
  ['上传人', (p) => p.uploader.name],
  ['上传账号', (p) => p.uploader.account],
  ['距现场（米）', (p) => p.metresFromSite],
  ['远离现场', (p) => (p.far ? '是' : '')],
  ['补传（拍摄后逾期上传）', (p) => (p.late ? '是' : '')],
  ['手机时钟偏差大', (p) => (p.clockSkewed ? '是' : '')],
];

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is kept as text. */
function cell(v: string | number | null): string {
  if (v == null) return '';
  if (typeof v === 'number') return String(v);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
const line = (cells: (string | number | null)[]) => `${cells.map(cell).join(',')}\r\n`;

/** The manifest for Excel: UTF-8 with a BOM (else Excel reads it as GBK), the file's facts above the table. */
export function manifestCsv(h: PackageHeader, photos: ManifestPhoto[]): string {
  const head = [
    ['企业名称', h.enterprise.name],
    ['档案编号', h.enterprise.id],
    ['地址', h.enterprise.address],
    ['属地', h.enterprise.village],
    ['导出时间', beijingIso(h.exportedAt)],
    ['导出人', `${h.exportedBy.name}（${h.exportedBy.account}）`],
    ['范围', h.scopeNote],
    ['照片数', photos.length],
  ];
  return `\uFEFF${head.map(line).join('')}\r\n${line(COLUMNS.map(([name]) => name))}${photos
    .map((p) => line(COLUMNS.map(([, get]) => get(p))))
    .join('')}`;
}

/** How to check a hash, in Chinese, with a real file of this package as the example. */
export function readme(h: PackageHeader, photos: ManifestPhoto[], rules: EvidenceRules): string {
  const lateHours = Math.round((rules.lateMs / 3_600_000) * 10) / 10;
  const example = photos.find((p) => p.path)?.path ?? 'photos/task-1-line-1/xxxx.jpg';
  return `证据包说明

企业：${h.enterprise.name}（档案编号 ${h.enterprise.id}）
地址：${h.enterprise.address || '—'}（${h.enterprise.village}）
导出时间：${beijingIso(h.exportedAt)}
导出人：${h.exportedBy.name}（账号 ${h.exportedBy.account}）
范围：${h.scopeNote}
照片数：${photos.length}

一、内容
- photos/ 下按证据分文件夹存放照片：task-任务号-line-清单项序号（整治任务清单）、revisit-回头看编号、
  draw-抽查编号（双随机）、patrol-夜查编号-finding-发现编号、complaint-举报编号-assignment-交办编号（交办反馈）、
  complaint-举报编号-department-action-记录编号（立案、处罚决定、移送公安等部门执法记录）。
- 照片为服务器收到的原始文件（原件）；早期照片未保存原件，附系统重新编码的显示副本。
- manifest.csv（可直接用 Excel 打开）与 manifest.json 逐张列明：包内文件、文件 SHA-256、登记 SHA-256 与校验结果、
  证据内容、文书编号、位置（纬度、经度）、定位精度与来源、照片 EXIF 时间、手机时间、服务器接收时间、手机时钟偏差、
  上传人及账号、距现场距离和标记。

二、如何核对 SHA-256 校验值
Windows（命令提示符，在解压后的文件夹中）：
  certutil -hashfile ${example.replace(/\//g, '\\')} SHA256
Linux：
  sha256sum ${example}
macOS：
  shasum -a 256 ${example}
输出的 64 位十六进制数应与 manifest.csv 中该照片的“文件SHA-256”相同（不区分大小写）；不同即说明文件在导出后被改动。
“登记SHA-256”是服务器收到照片时按收到的字节当场计算并登记的值（已与手机拍摄时计算的值核对）。
校验结果：
- ${HASH_MATCH}：包内原件与登记值相同，照片自上传以来未被改动。
- ${HASH_MISMATCH}：包内文件与登记值不同（或原件缺失），不能作为未经改动的原件使用，应查明原因。
- 未登记：早期照片上传时尚未登记校验值，只能证明导出后未被改动。

三、时间与标记
- 时间均为北京时间（+08:00）。照片 EXIF 时间：相机写入照片的拍摄时间；手机时间：手机按自身时钟记录的拍摄时间；
  服务器接收时间：服务器收到照片的时间；手机时钟偏差 = 服务器接收时间 − 手机发送时自身时钟的读数，
  正值表示手机时钟比服务器慢。
- 定位来源：照片自带定位（照片 EXIF 中的 GPS）、手机定位（照片不含 GPS 时手机报告的位置，附精度半径）、无。
- 远离现场：拍摄位置距企业（交办反馈和部门执法记录按举报位置）超过 ${OFF_SITE_METRES} 米。
- 补传：拍摄时间（EXIF 时间，没有时用经时钟偏差校正的手机时间）早于服务器接收时间 ${lateHours} 小时以上。
- 手机时钟偏差大：手机时钟与服务器相差 5 分钟以上，其手机时间仅供参考。
`.replace(/\n/g, '\r\n');
}
