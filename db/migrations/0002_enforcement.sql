CREATE TABLE `enterprise_complaints` (
	`complaint_id` integer PRIMARY KEY NOT NULL,
	`enterprise_id` integer NOT NULL,
	`linked_by` integer,
	`linked_at` integer NOT NULL,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`linked_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `enterprise_complaints_enterprise` ON `enterprise_complaints` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `enterprises` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`township_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`name` text NOT NULL,
	`industry` text DEFAULT '' NOT NULL,
	`address` text DEFAULT '' NOT NULL,
	`lat` real,
	`lng` real,
	`person_in_charge` text DEFAULT '' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`business_licence` integer DEFAULT false NOT NULL,
	`licence_scope` text DEFAULT '' NOT NULL,
	`licence_issued_on` text,
	`tax_registration` integer DEFAULT false NOT NULL,
	`tax_issued_on` text,
	`other_permit` text DEFAULT '' NOT NULL,
	`other_permit_issued_on` text,
	`premises` text,
	`landlord` text DEFAULT '' NOT NULL,
	`landlord_phone` text DEFAULT '' NOT NULL,
	`land_area` real,
	`state_land_area` real,
	`collective_land_area` real,
	`building_area` real,
	`structure` text,
	`illegal_building_area` real,
	`workers` integer,
	`problems` text DEFAULT '{}' NOT NULL,
	`four_withouts` text DEFAULT '[]' NOT NULL,
	`remediation_type` text,
	`remediation_reason` text DEFAULT '' NOT NULL,
	`revisit_type` integer,
	`planned_on` text,
	`progress_note` text DEFAULT '' NOT NULL,
	`responsible` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'listed' NOT NULL,
	`surveyed_by` text DEFAULT '' NOT NULL,
	`surveyed_on` text,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` integer,
	`updated_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`township_id`) REFERENCES `townships`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `enterprises_village_status` ON `enterprises` (`village_id`,`status`);--> statement-breakpoint
CREATE INDEX `enterprises_status` ON `enterprises` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `enterprises_village_name` ON `enterprises` (`village_id`,`name`);--> statement-breakpoint
CREATE TABLE `inspection_draw_items` (
	`draw_id` integer NOT NULL,
	`enterprise_id` integer NOT NULL,
	`outcome` text,
	`note` text,
	`recorded_at` integer,
	`recorded_by` integer,
	PRIMARY KEY(`draw_id`, `enterprise_id`),
	FOREIGN KEY (`draw_id`) REFERENCES `inspection_draws`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `inspection_draws` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`title` text NOT NULL,
	`seed` text NOT NULL,
	`filters` text NOT NULL,
	`enterprise_count` integer NOT NULL,
	`inspectors_per_department` integer NOT NULL,
	`candidate_enterprise_ids` text NOT NULL,
	`candidate_inspectors` text NOT NULL,
	`drawn_enterprise_ids` text NOT NULL,
	`drawn_inspector_ids` text NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `night_patrols` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`area` text NOT NULL,
	`village_id` integer,
	`participants` text NOT NULL,
	`summary` text DEFAULT '' NOT NULL,
	`created_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `night_patrols_started` ON `night_patrols` (`started_at`);--> statement-breakpoint
CREATE TABLE `patrol_findings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`patrol_id` integer NOT NULL,
	`enterprise_id` integer,
	`complaint_id` integer,
	`note` text NOT NULL,
	FOREIGN KEY (`patrol_id`) REFERENCES `night_patrols`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`complaint_id`) REFERENCES `complaints`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `patrol_findings_patrol` ON `patrol_findings` (`patrol_id`);--> statement-breakpoint
CREATE TABLE `revisits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enterprise_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`task_id` integer,
	`due_at` integer NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`outcome` text,
	`note` text,
	`done_at` integer,
	`done_by` integer,
	`follow_up_task_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`done_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`follow_up_task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `revisits_status_due` ON `revisits` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `revisits_village` ON `revisits` (`village_id`,`status`);--> statement-breakpoint
CREATE INDEX `revisits_enterprise` ON `revisits` (`enterprise_id`);--> statement-breakpoint
CREATE TABLE `task_departments` (
	`task_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	PRIMARY KEY(`task_id`, `department_id`),
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_departments_dept` ON `task_departments` (`department_id`,`task_id`);--> statement-breakpoint
CREATE TABLE `task_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`actor_id` integer,
	`note` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_events_task` ON `task_events` (`task_id`,`at`);--> statement-breakpoint
CREATE TABLE `task_evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`file` text NOT NULL,
	`thumb_file` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`exif_lat` real,
	`exif_lng` real,
	`exif_taken_at` integer,
	`uploaded_by` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `task_items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `task_evidence_item` ON `task_evidence` (`item_id`);--> statement-breakpoint
CREATE INDEX `task_evidence_task` ON `task_evidence` (`task_id`);--> statement-breakpoint
CREATE TABLE `task_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`code` text NOT NULL,
	`label` text NOT NULL,
	`note` text,
	`done_at` integer,
	`done_by` integer,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`done_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_items_task_code` ON `task_items` (`task_id`,`code`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enterprise_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`type` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`origin` text NOT NULL,
	`village_lead` text NOT NULL,
	`township_lead` text NOT NULL,
	`department_lead` text DEFAULT '' NOT NULL,
	`measures` text DEFAULT '' NOT NULL,
	`due_at` integer NOT NULL,
	`submitted_at` integer,
	`accepted_at` integer,
	`return_count` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by` integer,
	`updated_by` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`enterprise_id`) REFERENCES `enterprises`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`village_id`) REFERENCES `villages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tasks_village_status` ON `tasks` (`village_id`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_enterprise` ON `tasks` (`enterprise_id`);--> statement-breakpoint
CREATE INDEX `tasks_status_due` ON `tasks` (`status`,`due_at`);