CREATE TABLE `field_submissions` (
	`user_id` integer NOT NULL,
	`client_key` text NOT NULL,
	`result` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `client_key`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `task_evidence` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `task_evidence` ADD `original_file` text;--> statement-breakpoint
ALTER TABLE `task_evidence` ADD `accuracy_m` real;--> statement-breakpoint
ALTER TABLE `task_evidence` ADD `device_taken_at` integer;--> statement-breakpoint
ALTER TABLE `task_evidence` ADD `clock_offset_ms` integer;--> statement-breakpoint
ALTER TABLE `field_photos` ADD `sha256` text;--> statement-breakpoint
ALTER TABLE `field_photos` ADD `original_file` text;--> statement-breakpoint
ALTER TABLE `field_photos` ADD `accuracy_m` real;--> statement-breakpoint
ALTER TABLE `field_photos` ADD `device_taken_at` integer;--> statement-breakpoint
ALTER TABLE `field_photos` ADD `clock_offset_ms` integer;