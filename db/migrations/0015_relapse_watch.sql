CREATE TABLE `data_imports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`township_id` integer NOT NULL,
	`kind` text NOT NULL,
	`department_id` integer,
	`file_name` text NOT NULL,
	`sha256` text NOT NULL,
	`bytes` integer NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`rows_inserted` integer DEFAULT 0 NOT NULL,
	`rows_updated` integer DEFAULT 0 NOT NULL,
	`rows_unchanged` integer DEFAULT 0 NOT NULL,
	`errors` text DEFAULT '[]' NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `data_imports_township` ON `data_imports` (`township_id`,`kind`,`created_at`);--> statement-breakpoint
CREATE TABLE `enterprise_figures` (
	`enterprise_id` integer NOT NULL,
	`year` integer NOT NULL,
	`tax_wan` real,
	`output_wan` real,
	`energy_tce` real,
	`land_mu` real,
	`employees` integer,
	`import_id` integer,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`enterprise_id`, `year`),
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`import_id`) REFERENCES `data_imports`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `evaluation_settings` (
	`year` integer PRIMARY KEY NOT NULL,
	`indicators` text NOT NULL,
	`class_cuts` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `meter_daily` (
	`meter_id` integer NOT NULL,
	`day` integer NOT NULL,
	`kwh` real NOT NULL,
	`import_id` integer NOT NULL,
	PRIMARY KEY(`meter_id`, `day`),
	FOREIGN KEY (`meter_id`) REFERENCES `meters`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `meter_intervals` (
	`meter_id` integer NOT NULL,
	`minute` integer NOT NULL,
	`minutes` integer NOT NULL,
	`kwh` real NOT NULL,
	`import_id` integer NOT NULL,
	PRIMARY KEY(`meter_id`, `minute`),
	FOREIGN KEY (`meter_id`) REFERENCES `meters`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `meters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`township_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`enterprise_id` integer,
	`kind` text DEFAULT 'power' NOT NULL,
	`account_no` text NOT NULL,
	`tariff` text,
	`holder` text DEFAULT '' NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`lat` real,
	`lng` real,
	`note` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` integer,
	`updated_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `meters_kind_account` ON `meters` (`kind`,`account_no`);--> statement-breakpoint
CREATE INDEX `meters_enterprise` ON `meters` (`enterprise_id`);--> statement-breakpoint
CREATE INDEX `meters_village` ON `meters` (`village_id`,`tariff`);--> statement-breakpoint
CREATE TABLE `patrol_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`township_id` integer NOT NULL,
	`title` text NOT NULL,
	`seed` text NOT NULL,
	`size` integer NOT NULL,
	`random_share` real NOT NULL,
	`candidates` text NOT NULL,
	`ranked_ids` text NOT NULL,
	`drawn_ids` text NOT NULL,
	`patrol_id` integer,
	`created_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`patrol_id`) REFERENCES `night_patrols`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patrol_plans_township` ON `patrol_plans` (`township_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `power_flags` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule` text NOT NULL,
	`meter_id` integer NOT NULL,
	`enterprise_id` integer,
	`township_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`first_day` integer NOT NULL,
	`last_day` integer NOT NULL,
	`strength` real NOT NULL,
	`evidence` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`reason` text,
	`revisit_id` integer,
	`decided_by` integer,
	`decided_at` integer,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`detected_at` integer NOT NULL,
	FOREIGN KEY (`meter_id`) REFERENCES `meters`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`revisit_id`) REFERENCES `revisits`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `power_flags_key` ON `power_flags` (`meter_id`,`rule`,`first_day`);--> statement-breakpoint
CREATE INDEX `power_flags_status_village` ON `power_flags` (`status`,`village_id`);--> statement-breakpoint
CREATE INDEX `power_flags_enterprise` ON `power_flags` (`enterprise_id`);--> statement-breakpoint
CREATE INDEX `power_flags_rule_status` ON `power_flags` (`rule`,`status`);--> statement-breakpoint
CREATE TABLE `register_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`import_id` integer NOT NULL,
	`township_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	`line` integer NOT NULL,
	`credit_code` text,
	`name` text NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`register_status` text DEFAULT '' NOT NULL,
	`enterprise_id` integer,
	`matched_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`import_id`) REFERENCES `data_imports`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `register_entries_import` ON `register_entries` (`import_id`);--> statement-breakpoint
CREATE INDEX `register_entries_enterprise` ON `register_entries` (`enterprise_id`);--> statement-breakpoint
CREATE INDEX `register_entries_unmatched` ON `register_entries` (`township_id`,`department_id`) WHERE enterprise_id is null;--> statement-breakpoint
CREATE TABLE `watch_rules` (
	`rule` text PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`params` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `enterprises` ADD `credit_code` text;--> statement-breakpoint
CREATE INDEX `enterprises_credit_code` ON `enterprises` (`credit_code`) WHERE credit_code is not null;