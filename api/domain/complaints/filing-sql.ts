import type { Connection } from '../../../db/connection.ts';
import { prepared } from '../../../db/prepared.ts';
import type { ThreadWork } from '../../../db/write-thread.ts';
import { DUPLICATE_RULE, hasOpenNeighbour } from './neighbours.ts';
import { FOLLOWABLE } from './follow.ts';
import { INDEX_BATCH, indexComplaints } from './search-index.ts';

// Plain SQL over the raw connection: this module runs in the write thread, where loading drizzle
// alone added 124 MB to the process (decision 009). The columns are db/schema.ts's, and
// tests/unit/filing-columns.test.ts holds the INSERTs below to them.

/** One report's rows as the write thread receives them: plain data, since it crosses threads. */
export interface FilingJob {
  complaint: {
    trackingCode: string;
    townshipId: number;
    villageId: number | null;
    /** The other township whose boundary lies within BORDER_METRES of the point (county-routing.ts). */
    borderTownshipId?: number | null;
    outsideVillages: boolean;
    /** The category's code: the thread resolves it, so a report without photos costs the HTTP thread no query. */
    categoryCode: string;
    lat: number;
    lng: number;
    address: string | null;
    description: string;
    seenAtMs: number | null;
    source: 'web' | 'form' | 'api' | 'seed';
    idempotencyKey: string | null;
    createdAtMs: number;
    dueAtMs: number;
    hasPhotos: boolean;
    /** The body's fingerprint (filing-fingerprint.ts): a reused key replays only the same body. */
    idempotencyHash?: string | null;
    /** An address and no point (Open311): lat/lng are the township's centre, a placeholder (decision 016). */
    needsLocation?: boolean;
    /** Follows this report (follow.ts): filed merged into it, if it is still being worked on. */
    mergeIntoId?: number | null;
  };
  contact: { name: string | null; phone: string | null; email: string | null; notify: boolean } | null;
  photos: {
    id: string;
    seq: number;
    file: string;
    thumbFile: string;
    width: number;
    height: number;
    bytes: number;
    exifLat: number | null;
    exifLng: number | null;
    exifTakenAtMs: number | null;
    exifSource: 'file' | 'browser' | null;
  }[];
  /** The Open311 key that filed it: recorded (and its last use) in the same transaction, never on file without it. */
  apiKeyId: number | null;
  /** Staff are told when another open report of the same kind lies within DUPLICATE_RULE.metres since then. */
  duplicateSinceMs: number;
}

/** A filing an idempotency key already made, as the thread and the HTTP thread both read it. */
export interface EarlierFiling {
  id: number;
  trackingCode: string;
  townshipId: number;
  villageId: number | null;
  outside: number;
  createdAtMs: number;
  idempotencyHash: string | null;
}

/**
 * What the thread did with a report: filed it, found the filing its key already made with the
 * same body, found the key used for another body (nothing of that filing is told), or refused its category.
 */
export type FilingOutcome =
  | { id: number }
  | { earlier: EarlierFiling }
  | { keyConflict: true }
  | { unknownCategory: true }
  | { followGone: true };

export const BY_IDEMPOTENCY_KEY = `SELECT id, tracking_code AS trackingCode, township_id AS townshipId,
  village_id AS villageId, outside_villages
  AS outside, created_at AS createdAtMs,
  idempotency_hash AS idempotencyHash FROM complaints WHERE idempotency_key = ?`;

/**
 * A key's earlier filing is this report's only if the bodies match; a filing from before hashes were kept matches none.
 */
export const sameBody = (earlier: EarlierFiling, hash: string | null | undefined) =>
  earlier.idempotencyHash === (hash ?? null);
export const ACTIVE_CATEGORY = 'SELECT id FROM complaint_categories WHERE code = ? AND active = 1';

export const INSERT_COMPLAINT = `INSERT INTO complaints (tracking_code, township_id, village_id, border_township_id,
  outside_villages, category_id, lat, lng, address,
    description, seen_at, status, due_at, has_photos, possible_duplicate, source, idempotency_key, idempotency_hash,
      created_at, updated_at, needs_location)
  VALUES (@trackingCode, @townshipId, @villageId, @borderTownshipId, @outsideVillages, @categoryId, @lat, @lng,
    @address, @description, @seenAtMs, 'submitted', @dueAtMs, @hasPhotos, @possibleDuplicate, @source, @idempotencyKey,
      @idempotencyHash, @createdAtMs, @createdAtMs, @needsLocation)
  RETURNING id`;
export const INSERT_CONTACT =
  'INSERT INTO complaint_contacts (complaint_id, name, phone, email, notify) VALUES (?, ?, ?, ?, ?)';
export const INSERT_PHOTO = `INSERT INTO complaint_photos (id, complaint_id, seq, file, thumb_file, width, height,
  bytes, exif_lat, exif_lng, exif_taken_at, exif_source)
  VALUES (@id, @complaintId, @seq, @file, @thumbFile, @width, @height, @bytes, @exifLat, @exifLng, @exifTakenAtMs,
    @exifSource)`;
export const INSERT_EVENT =
  "INSERT INTO complaint_events (complaint_id, from_status, to_status, at) VALUES (?, NULL, 'submitted', ?)";
/** The report a resident follows, if it is still one the nearby hint would offer. */
export const FOLLOWED = `SELECT id FROM complaints WHERE id = ? AND category_id = ?
  AND status IN (${FOLLOWABLE.map((s) => `'${s}'`).join(', ')})`;
/** The follower's own report, merged at its filing: the merge a staff member would make, at the same instant. */
export const MERGE_FOLLOWER =
  "UPDATE complaints SET status = 'merged', merged_into_id = ?, version = version + 1 WHERE id = ?";
export const INSERT_FOLLOW_EVENT = `INSERT INTO complaint_events (complaint_id, from_status, to_status, action,
  public_note, at) VALUES (?, 'submitted', 'merged', 'merge', ?, ?)`;
const FOLLOW_NOTE = '您选择关注附近正在办理的同一作坊的举报，本条并入该举报一并办理。';
export const INSERT_API_SUBMISSION =
  'INSERT INTO api_submissions (complaint_id, api_key_id) VALUES (?, ?) ON CONFLICT DO NOTHING';
export const KEY_USED = 'UPDATE api_keys SET last_used_at = ? WHERE id = ?';

/**
 * Runs in the write thread, inside the batch's transaction. The key is looked
 * up here, where writes are serial: a retry in the same batch finds the filing made before it.
 */
export function insertFiling(conn: Connection, job: FilingJob): FilingOutcome {
  const c = job.complaint;
  const earlier = c.idempotencyKey
    ? (prepared(conn, BY_IDEMPOTENCY_KEY).get(c.idempotencyKey) as EarlierFiling | undefined)
    : undefined;
  if (earlier) return sameBody(earlier, c.idempotencyHash) ? { earlier } : { keyConflict: true };
  const category = prepared(conn, ACTIVE_CATEGORY).get(c.categoryCode) as { id: number } | undefined;
  if (!category) return { unknownCategory: true };
  // Checked here, where writes are serial: the report followed may have been resolved since the hint offered it.
  if (c.mergeIntoId && !prepared(conn, FOLLOWED).get(c.mergeIntoId, category.id)) return { followGone: true };
  // A placeholder point is near nothing: no duplicate is guessed from it.
  const possibleDuplicate =
    !c.needsLocation && hasOpenNeighbour(conn, c, category.id, DUPLICATE_RULE.metres, job.duplicateSinceMs);
  const { id } = prepared(conn, INSERT_COMPLAINT).get({
    ...c,
    idempotencyHash: c.idempotencyHash ?? null,
    borderTownshipId: c.borderTownshipId ?? null,
    categoryId: category.id,
    outsideVillages: Number(c.outsideVillages),
    hasPhotos: Number(c.hasPhotos),
    possibleDuplicate: Number(possibleDuplicate),
    needsLocation: Number(c.needsLocation ?? false),
  }) as { id: number };
  if (job.contact) {
    const { name, phone, email, notify } = job.contact;
    prepared(conn, INSERT_CONTACT).run(id, name, phone, email, Number(notify));
  }
  for (const photo of job.photos) prepared(conn, INSERT_PHOTO).run({ ...photo, complaintId: id });
  prepared(conn, INSERT_EVENT).run(id, c.createdAtMs);
  if (c.mergeIntoId) {
    prepared(conn, MERGE_FOLLOWER).run(c.mergeIntoId, id);
    prepared(conn, INSERT_FOLLOW_EVENT).run(id, FOLLOW_NOTE, c.createdAtMs);
  }
  if (job.apiKeyId !== null) {
    prepared(conn, INSERT_API_SUBMISSION).run(id, job.apiKeyId);
    prepared(conn, KEY_USED).run(c.createdAtMs, job.apiKeyId);
  }
  return { id };
}

/**
 * The write thread's work (decision 009): residents' reports are committed by insertFiling, and
 * indexed for text and space-time search in batches after them (decision 010).
 */
export const threadWork: ThreadWork<FilingJob> = {
  write: insertFiling,
  upkeep: { run: (conn) => indexComplaints(conn, INDEX_BATCH), batch: INDEX_BATCH, afterWrites: 256, idleMs: 20 },
};
