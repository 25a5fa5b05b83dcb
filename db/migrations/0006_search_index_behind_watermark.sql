-- Reports no longer feed the text and space-time indexes inside their own filing transaction
-- (decision 010): the write thread indexes every complaint above a watermark in batches, and
-- readers scan the few complaints above it directly. Rows at or below the mark are indexed.
CREATE TABLE `search_watermark` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`complaints_indexed` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO search_watermark(id, complaints_indexed) SELECT 1, coalesce(max(id), 0) FROM complaints;
--> statement-breakpoint
DROP TRIGGER complaints_fts_insert;
--> statement-breakpoint
DROP TRIGGER complaints_rtree_insert;
--> statement-breakpoint
-- An edit reaches the text index only for a row already in it: FTS5 must never be told to delete
-- a row it does not hold, and the indexer reads the row as it then is.
DROP TRIGGER complaints_fts_update;
--> statement-breakpoint
CREATE TRIGGER complaints_fts_update AFTER UPDATE OF description, address ON complaints
WHEN old.id <= (SELECT complaints_indexed FROM search_watermark)
BEGIN
  INSERT INTO complaints_fts(complaints_fts, rowid, description, address) VALUES ('delete', old.id, old.description, coalesce(old.address, ''));
  INSERT INTO complaints_fts(rowid, description, address) VALUES (new.id, new.description, coalesce(new.address, ''));
END;
