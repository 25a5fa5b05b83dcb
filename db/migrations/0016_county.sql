CREATE TABLE `assessment_indicators` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`level` text NOT NULL,
	`measure` text NOT NULL,
	`name` text NOT NULL,
	`weight` real NOT NULL,
	`penalty` real DEFAULT 0 NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`sort` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessment_indicators_level_measure` ON `assessment_indicators` (`level`,`measure`);--> statement-breakpoint
CREATE INDEX `assessment_indicators_level` ON `assessment_indicators` (`level`,`sort`);--> statement-breakpoint
CREATE TABLE `campaign_targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`campaign_id` integer NOT NULL,
	`metric` text NOT NULL,
	`township_id` integer,
	`target` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaign_targets_one` ON `campaign_targets` (`campaign_id`,`metric`,coalesce(`township_id`, 0));--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`starts_on` text NOT NULL,
	`due_on` text NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` integer,
	`updated_by` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `complaints` ADD `border_township_id` integer REFERENCES townships(id);--> statement-breakpoint
CREATE INDEX `complaints_township_status_due` ON `complaints` (`township_id`,`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `complaints_border_township` ON `complaints` (`border_township_id`) WHERE border_township_id is not null;--> statement-breakpoint
ALTER TABLE `departments` ADD `township_id` integer REFERENCES townships(id);--> statement-breakpoint
ALTER TABLE `townships` ADD `kind` text DEFAULT 'town' NOT NULL;--> statement-breakpoint
ALTER TABLE `townships` ADD `boundary` text;--> statement-breakpoint
ALTER TABLE `townships` ADD `sort` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `township_id` integer REFERENCES townships(id);--> statement-breakpoint
ALTER TABLE `inspection_draws` ADD `township_id` integer REFERENCES townships(id);--> statement-breakpoint
ALTER TABLE `night_patrols` ADD `township_id` integer REFERENCES townships(id);--> statement-breakpoint
-- An installation of one township becomes a county of one: its village officers work in their village's township,
-- and its office and leaders in that township; with several townships they stay at county level, seeing what they saw.
UPDATE `users` SET `township_id` = (SELECT `township_id` FROM `villages` WHERE `villages`.`id` = `users`.`village_id`)
  WHERE `village_id` IS NOT NULL;--> statement-breakpoint
UPDATE `users` SET `township_id` = (SELECT min(`id`) FROM `townships`)
  WHERE `village_id` IS NULL AND `role` IN ('triage', 'leader') AND (SELECT count(*) FROM `townships`) = 1;--> statement-breakpoint
UPDATE `inspection_draws` SET `township_id` = (SELECT min(`id`) FROM `townships`)
  WHERE (SELECT count(*) FROM `townships`) = 1;--> statement-breakpoint
UPDATE `night_patrols` SET `township_id` = coalesce(
  (SELECT `township_id` FROM `villages` WHERE `villages`.`id` = `night_patrols`.`village_id`),
  CASE WHEN (SELECT count(*) FROM `townships`) = 1 THEN (SELECT min(`id`) FROM `townships`) END);
