ALTER TABLE `exposures` RENAME TO `cases`;--> statement-breakpoint
ALTER TABLE `exposure_photos` RENAME TO `case_photos`;--> statement-breakpoint
ALTER TABLE `case_photos` RENAME COLUMN `exposure_id` TO `case_id`;--> statement-breakpoint
DROP INDEX `exposure_photos_exposure`;--> statement-breakpoint
CREATE INDEX `case_photos_case` ON `case_photos` (`case_id`,`kind`,`seq`);--> statement-breakpoint
DROP INDEX `exposures_status_published`;--> statement-breakpoint
CREATE INDEX `cases_status_published` ON `cases` (`status`,`published_at`);--> statement-breakpoint
DROP INDEX `exposures_village`;--> statement-breakpoint
CREATE INDEX `cases_village` ON `cases` (`village_id`,`status`);
