CREATE TABLE `api_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`revoked_at` integer,
	`revoked_by` integer,
	`last_used_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revoked_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `api_submissions` (
	`complaint_id` integer PRIMARY KEY NOT NULL,
	`api_key_id` integer NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `exposure_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`exposure_id` integer NOT NULL,
	`kind` text NOT NULL,
	`seq` integer NOT NULL,
	`source_evidence_id` text,
	`source_complaint_photo_id` text,
	`blur` text DEFAULT '[]' NOT NULL,
	`file` text NOT NULL,
	`thumb_file` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`exposure_id`) REFERENCES `exposures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `exposure_photos_exposure` ON `exposure_photos` (`exposure_id`,`kind`,`seq`);--> statement-breakpoint
CREATE TABLE `exposures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`village_id` integer NOT NULL,
	`enterprise_id` integer,
	`task_id` integer,
	`remediation_type` text,
	`found` text DEFAULT '{}' NOT NULL,
	`actions` text DEFAULT '' NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`happened_on` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`author_id` integer NOT NULL,
	`approved_by` integer,
	`published_at` integer,
	`unpublished_at` integer,
	`unpublish_reason` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`approved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `exposures_status_published` ON `exposures` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `exposures_village` ON `exposures` (`village_id`,`status`);