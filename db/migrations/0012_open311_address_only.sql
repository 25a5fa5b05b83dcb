ALTER TABLE `complaints` ADD `needs_location` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `complaints_needs_location` ON `complaints` (`id`) WHERE needs_location = 1;