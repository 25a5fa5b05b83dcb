CREATE TABLE `assignment_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assignment_id` integer NOT NULL,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor_id` integer,
	`note` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignment_events_assignment` ON `assignment_events` (`assignment_id`,`at`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`complaint_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`department_id` integer,
	`status` text DEFAULT 'pending' NOT NULL,
	`ack_due_at` integer NOT NULL,
	`answer_due_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` integer,
	`answered_at` integer,
	`answered_by` integer,
	`outcome` text,
	`finding` text,
	`reviewed_at` integer,
	`reviewed_by` integer,
	`return_count` integer DEFAULT 0 NOT NULL,
	`urge_count` integer DEFAULT 0 NOT NULL,
	`last_urged_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` integer,
	`updated_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`answered_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_complaint` ON `assignments` (`complaint_id`);--> statement-breakpoint
CREATE INDEX `assignments_village_status` ON `assignments` (`village_id`,`status`);--> statement-breakpoint
CREATE INDEX `assignments_department_status` ON `assignments` (`department_id`,`status`);--> statement-breakpoint
CREATE INDEX `assignments_status_due` ON `assignments` (`status`,`answer_due_at`);--> statement-breakpoint
CREATE TABLE `department_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assignment_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	`kind` text NOT NULL,
	`document_number` text NOT NULL,
	`acted_on` text NOT NULL,
	`penalty_kind` text,
	`amount_yuan` real,
	`note` text,
	`recorded_by` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `department_actions_assignment` ON `department_actions` (`assignment_id`);--> statement-breakpoint
CREATE TABLE `field_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`subject_id` integer NOT NULL,
	`part_id` integer,
	`file` text NOT NULL,
	`thumb_file` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`exif_lat` real,
	`exif_lng` real,
	`exif_taken_at` integer,
	`exif_source` text,
	`uploaded_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `field_photos_subject` ON `field_photos` (`subject`,`subject_id`,`part_id`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`link` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_user_dedupe` ON `notifications` (`user_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notifications_user_unread` ON `notifications` (`user_id`,`read_at`,`id`);--> statement-breakpoint
CREATE TABLE `patrol_participants` (
	`patrol_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`patrol_id`, `user_id`),
	FOREIGN KEY (`patrol_id`) REFERENCES `night_patrols`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patrol_participants_user` ON `patrol_participants` (`user_id`);