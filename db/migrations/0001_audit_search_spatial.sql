-- The audit log is the record of what staff did: the database itself refuses to change or remove it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
-- Chinese has no spaces between words: a trigram index finds any 3+ character substring.
CREATE VIRTUAL TABLE complaints_fts USING fts5(description, address, content='complaints', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO complaints_fts(rowid, description, address) VALUES (new.id, new.description, coalesce(new.address, ''));
END;
--> statement-breakpoint
CREATE TRIGGER complaints_fts_update AFTER UPDATE OF description, address ON complaints
BEGIN
  INSERT INTO complaints_fts(complaints_fts, rowid, description, address) VALUES ('delete', old.id, old.description, coalesce(old.address, ''));
  INSERT INTO complaints_fts(rowid, description, address) VALUES (new.id, new.description, coalesce(new.address, ''));
END;
--> statement-breakpoint
-- Spatial index for "other reports within 200 m in the last 90 days": a point in space and time,
-- so that years of old reports nearby are never visited. Time is in units of 5000 days, which
-- makes 90 days about as wide as the township is in degrees; in plain days the tree splits on
-- time alone and a query visits every node of the window (measured at 1M: 2.0 ms against 0.27).
-- The auxiliary columns answer the lookup without touching the complaints table.
CREATE VIRTUAL TABLE complaints_rtree USING rtree(id, min_lat, max_lat, min_lng, max_lng, min_t, max_t, +created_at, +category_id, +status, +village_id);
--> statement-breakpoint
CREATE TRIGGER complaints_rtree_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO complaints_rtree(id, min_lat, max_lat, min_lng, max_lng, min_t, max_t, created_at, category_id, status, village_id)
    VALUES (new.id, new.lat, new.lat, new.lng, new.lng, new.created_at / 432000000000.0, new.created_at / 432000000000.0, new.created_at, new.category_id, new.status, new.village_id);
END;
--> statement-breakpoint
CREATE TRIGGER complaints_rtree_update AFTER UPDATE OF lat, lng, status, category_id, village_id ON complaints
BEGIN
  UPDATE complaints_rtree SET min_lat = new.lat, max_lat = new.lat, min_lng = new.lng, max_lng = new.lng,
    status = new.status, category_id = new.category_id, village_id = new.village_id WHERE id = new.id;
END;
--> statement-breakpoint
-- Counts per village and status for the queue, kept in step with every insert and status change.
CREATE TRIGGER complaint_counts_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO complaint_counts(village_id, status, n) VALUES (coalesce(new.village_id, 0), new.status, 1)
    ON CONFLICT(village_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER complaint_counts_update AFTER UPDATE OF status, village_id ON complaints
WHEN old.status IS NOT new.status OR old.village_id IS NOT new.village_id
BEGIN
  UPDATE complaint_counts SET n = n - 1 WHERE village_id = coalesce(old.village_id, 0) AND status = old.status;
  INSERT INTO complaint_counts(village_id, status, n) VALUES (coalesce(new.village_id, 0), new.status, 1)
    ON CONFLICT(village_id, status) DO UPDATE SET n = n + 1;
END;
