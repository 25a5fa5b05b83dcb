CREATE INDEX `complaint_events_reopen` ON `complaint_events` (`at`) WHERE action = 'reopen';--> statement-breakpoint
CREATE INDEX `complaints_township` ON `complaints` (`township_id`);--> statement-breakpoint
CREATE INDEX `assignment_events_urge` ON `assignment_events` (`at`) WHERE action = 'urge';--> statement-breakpoint
CREATE INDEX `assignments_ack_due` ON `assignments` (`ack_due_at`);