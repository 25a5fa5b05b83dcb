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
-- Spatial index for "other reports within 200 m": one point per complaint.
CREATE VIRTUAL TABLE complaints_rtree USING rtree(id, min_lat, max_lat, min_lng, max_lng);
--> statement-breakpoint
CREATE TRIGGER complaints_rtree_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO complaints_rtree(id, min_lat, max_lat, min_lng, max_lng) VALUES (new.id, new.lat, new.lat, new.lng, new.lng);
END;
--> statement-breakpoint
CREATE TRIGGER complaints_rtree_update AFTER UPDATE OF lat, lng ON complaints
BEGIN
  UPDATE complaints_rtree SET min_lat = new.lat, max_lat = new.lat, min_lng = new.lng, max_lng = new.lng WHERE id = new.id;
END;
