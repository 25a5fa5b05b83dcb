CREATE TABLE `complaint_followups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`complaint_id` integer NOT NULL,
	`kind` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`rating` text,
	`linked_complaint_id` integer,
	`reviewed_at` integer,
	`reviewed_by` integer,
	`review_note` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`linked_complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reviewed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `complaint_followups_complaint` ON `complaint_followups` (`complaint_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `complaint_followups_kind` ON `complaint_followups` (`kind`,`created_at`);--> statement-breakpoint
CREATE TABLE `reward_schemes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`claim_days` integer DEFAULT 90 NOT NULL,
	`relapse_eligible` integer DEFAULT true NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `reward_tiers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scheme_id` integer NOT NULL,
	`category_id` integer,
	`name` text NOT NULL,
	`amount_yuan` real NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	FOREIGN KEY (`scheme_id`) REFERENCES `reward_schemes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`category_id`) REFERENCES `complaint_categories`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reward_tiers_scheme` ON `reward_tiers` (`scheme_id`,`sort`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`complaint_id` integer NOT NULL,
	`scheme_id` integer NOT NULL,
	`tier_id` integer NOT NULL,
	`amount_yuan` real NOT NULL,
	`status` text DEFAULT 'proposed' NOT NULL,
	`reason` text NOT NULL,
	`proposed_by` integer NOT NULL,
	`proposed_at` integer NOT NULL,
	`decided_by` integer,
	`decided_at` integer,
	`decision_note` text,
	`claim_deadline` integer,
	`claimed_at` integer,
	`claimed_via` text,
	`paid_at` integer,
	`paid_by` integer,
	`payment_ref` text,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`scheme_id`) REFERENCES `reward_schemes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tier_id`) REFERENCES `reward_tiers`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`proposed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`paid_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_complaint_live` ON `rewards` (`complaint_id`) WHERE status <> 'rejected';--> statement-breakpoint
CREATE INDEX `rewards_status` ON `rewards` (`status`,`proposed_at`);--> statement-breakpoint
CREATE TABLE `track_photos` (
	`id` text PRIMARY KEY NOT NULL,
	`complaint_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`source_kind` text NOT NULL,
	`source_id` text NOT NULL,
	`blur` text DEFAULT '[]' NOT NULL,
	`file` text NOT NULL,
	`thumb_file` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`withdrawn_at` integer,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `track_photos_complaint` ON `track_photos` (`complaint_id`,`seq`);--> statement-breakpoint
CREATE TABLE `message_templates` (
	`key` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`body` text NOT NULL,
	`sms_template_code` text,
	`updated_at` integer NOT NULL,
	`updated_by` integer,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`template` text NOT NULL,
	`params` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`cause_type` text NOT NULL,
	`cause_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`locked_until` integer,
	`last_error` text,
	`provider_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	`user_id` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_dedupe` ON `outbox_messages` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_messages` (`status`,`next_attempt_at`);--> statement-breakpoint
ALTER TABLE `complaint_contacts` ADD `email` text;--> statement-breakpoint
ALTER TABLE `complaint_contacts` ADD `notify` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `complaint_photos` ADD `followup_id` integer;--> statement-breakpoint
ALTER TABLE `complaints` ADD `reporter_alert` text;--> statement-breakpoint
ALTER TABLE `complaints` ADD `reporter_alert_at` integer;--> statement-breakpoint
ALTER TABLE `complaints` ADD `relapse_of_id` integer;--> statement-breakpoint
CREATE INDEX `complaints_reporter_alert` ON `complaints` (`reporter_alert_at`) WHERE reporter_alert is not null;--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;--> statement-breakpoint
ALTER TABLE `users` ADD `phone` text;--> statement-breakpoint
ALTER TABLE `users` ADD `notify_email` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `notify_sms` integer DEFAULT false NOT NULL;