CREATE TABLE `health_heartbeat` (
	`id` integer PRIMARY KEY NOT NULL,
	`beat_at` integer NOT NULL,
	`pid` integer NOT NULL
);
