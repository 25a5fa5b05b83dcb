import type { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { villages } from '../../../db/schema.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import type { PhotoStore } from '../shared/photos/store.ts';
import { fail, type Result } from '../shared/result.ts';
import { EVIDENCE_EXPORTERS, hasRole, OFFICE_READ } from '../shared/roles.ts';
import { beijingDate } from '../shared/time.ts';
import { DEFAULT_EVIDENCE_RULES, type EvidenceRules } from '../shared/photos/views.ts';
import { manifestCsv, manifestJson, manifestPhoto, type PackageHeader, readme } from './evidence-manifest.ts';
import { evidenceSources } from './evidence-sources.ts';
import { streamEvidenceZip } from './evidence-zip.ts';
import { visibleEnterprise } from './scope.ts';

export interface EvidencePackageDeps {
  db: Db;
  photos: PhotoStore;
  now: Date;
  /** EVIDENCE_LATE_HOURS: the marks are those the pages show. */
  rules?: EvidenceRules;
}

export interface EvidencePackage {
  /** 证据包-<企业>-<date>.zip, and an ASCII name for clients that ignore filename*. */
  fileName: string;
  fallbackName: string;
  photoCount: number;
  zip: Readable;
}

// Characters no file system or browser keeps in a download's name.
const unsafeInName = /[\\/:*?"<>|\p{Cc}]/gu;

/**
 * A file's evidence package for a penalty case: every evidence photo the exporter may see, with a manifest of
 * hashes, positions, times and people (evidence-manifest.ts). Audited before a byte is sent, naming the enterprise
 * and the photo count. Nothing of a reporter: complaints appear by number only. 404 outside the user's scope.
 */
export function exportEvidencePackage(
  deps: EvidencePackageDeps,
  user: StaffUser,
  enterpriseId: number,
): Result<EvidencePackage> {
  if (!hasRole(user, EVIDENCE_EXPORTERS)) return fail(403, '村（社区）不能导出证据包');
  const e = deps.db
    .select({
      id: enterprises.id,
      name: enterprises.name,
      address: enterprises.address,
      lat: enterprises.lat,
      lng: enterprises.lng,
      village: villages.name,
    })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .where(visibleEnterprise(user, enterpriseId))
    .get();
  if (!e) return fail(404, '企业不存在或无权查看');
  const sources = evidenceSources(deps.db, user, e);
  const rules = deps.rules ?? DEFAULT_EVIDENCE_RULES;
  const header: PackageHeader = {
    enterprise: { id: e.id, name: e.name, address: e.address, village: e.village },
    exportedAt: deps.now,
    exportedBy: { name: user.displayName, account: user.username },
    scopeNote: hasRole(user, OFFICE_READ)
      ? '本档案的全部证据照片'
      : '导出人可见范围内的证据照片：本部门参与的任务、本部门的交办反馈和执法记录，以及回头看（不含双随机和夜查）',
  };
  audit(
    deps.db,
    { id: user.id, label: user.displayName },
    {
      action: 'enterprise.evidence_export',
      objectType: 'enterprise',
      objectId: e.id,
      details: { enterprise: e.name, photos: sources.length },
    },
    deps.now,
  );
  const zip = streamEvidenceZip(
    deps.photos.dir,
    sources.map((s) => ({
      folder: s.folder,
      id: s.id,
      mtime: s.receivedAt,
      candidates: [
        ...(s.originalFile ? [{ name: s.originalFile, original: true }] : []),
        { name: s.file, original: false },
      ],
    })),
    (included) => {
      const photos = sources.map((s, i) => manifestPhoto(s, included[i] ?? null, rules));
      return [
        { path: 'manifest.json', text: manifestJson(header, photos) },
        { path: 'manifest.csv', text: manifestCsv(header, photos) },
        { path: '说明.txt', text: `\uFEFF${readme(header, photos, rules)}` },
      ];
    },
  );
  const safeName = e.name.replace(unsafeInName, '_');
  return {
    ok: true,
    fileName: `证据包-${safeName}-${beijingDate(deps.now)}.zip`,
    fallbackName: `evidence-${e.id}-${beijingDate(deps.now)}.zip`,
    photoCount: sources.length,
    zip,
  };
}
