import type { Connection } from '../../../db/connection.ts';
import { prepared } from '../../../db/prepared.ts';

// Plain SQL: this runs in the write thread too (decision 009). The text (FTS5) and space-time
// (R*Tree) indexes hold every complaint up to a watermark; the write thread adds the ones above
// it in batches, outside the filings' own transactions (decision 010). Readers scan the rows
// above the mark directly: there are at most a few hundred of them.

/** SQL for the highest complaint id already in both indexes. */
export const WATERMARK = '(SELECT complaints_indexed FROM search_watermark)';
/** SQL for "this complaint is not in the indexes yet", for readers' scans of the rest. */
export const ABOVE_WATERMARK = `id > ${WATERMARK}`;

/** Complaints added per transaction: one FTS5 segment and one fsync for all of them. */
export const INDEX_BATCH = 512;

/** R*Tree time unit (migration 0001): 5000 days in ms. */
const RTREE_T = '432000000000.0';

const RANGE = `SELECT (SELECT complaints_indexed FROM search_watermark) AS wm, count(*) AS n, max(id) AS top
  FROM (SELECT id FROM complaints WHERE ${ABOVE_WATERMARK} ORDER BY id LIMIT ?)`;
const TO_FTS = `INSERT INTO complaints_fts(rowid, description, address)
  SELECT id, description, coalesce(address, '') FROM complaints WHERE id > ? AND id <= ?`;
const TO_RTREE = `INSERT INTO complaints_rtree(id, min_lat, max_lat, min_lng, max_lng, min_t, max_t, created_at,
  category_id, status, village_id)
  SELECT id, lat, lat, lng, lng, created_at / ${RTREE_T}, created_at / ${RTREE_T}, created_at, category_id, status,
    village_id
  FROM complaints WHERE id > ? AND id <= ?`;
const MOVE_MARK = 'UPDATE search_watermark SET complaints_indexed = ?';

/**
 * Indexes up to `limit` complaints above the watermark and moves it; returns how many. Call it
 * inside a write transaction: the rows, both indexes and the mark move together.
 */
export function indexComplaints(conn: Connection, limit = INDEX_BATCH): number {
  const { wm, n, top } = prepared(conn, RANGE).get(limit) as { wm: number; n: number; top: number | null };
  if (top === null) return 0;
  prepared(conn, TO_FTS).run(wm, top);
  prepared(conn, TO_RTREE).run(wm, top);
  prepared(conn, MOVE_MARK).run(top);
  return n;
}

/** Brings both indexes up to date, a batch per transaction (start-up, bulk loads). */
export function indexAllComplaints(conn: Connection): number {
  const batch = conn.transaction(() => indexComplaints(conn, 50_000));
  let total = 0;
  for (let n = batch.immediate(); n > 0; n = batch.immediate()) total += n;
  return total;
}
