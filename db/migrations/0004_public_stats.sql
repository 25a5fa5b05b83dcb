-- Public statistics (/stats, /results) read these small tables, kept in step by triggers, instead of
-- grouping a million complaints on every page view. Filing a report fires one trigger: one UPSERT.
-- A month is the Beijing calendar month (UTC+8) as YYYY-MM; a filing time never changes.
-- Counts of complaints by filing month, village (0: held at township level), category and current status.
CREATE TABLE `public_complaint_counts` (
	`month` text NOT NULL,
	`village_id` integer NOT NULL,
	`category_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `village_id`, `category_id`, `status`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Histograms for the medians, in whole hours from filing: 'accept' to accepted_at, 'resolve' to the
-- complaint's latest 'resolve' event. One entry per complaint, keyed by its filing month.
CREATE TABLE `public_complaint_durations` (
	`kind` text NOT NULL,
	`month` text NOT NULL,
	`hours` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`kind`, `month`, `hours`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Status changes by the month staff made them, named as the action (accept, reject, merge, resolve, ...).
CREATE TABLE `public_complaint_actions` (
	`month` text NOT NULL,
	`action` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `action`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The one trigger a filed report fires (a report arrives already accepted only from an import or seed).
CREATE TRIGGER public_counts_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO public_complaint_counts(month, village_id, category_id, status, n)
    VALUES (strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), coalesce(new.village_id, 0), new.category_id, new.status, 1)
    ON CONFLICT(month, village_id, category_id, status) DO UPDATE SET n = n + 1;
  INSERT INTO public_complaint_durations(kind, month, hours, n)
    SELECT 'accept', strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), max(0, (new.accepted_at - new.created_at) / 3600000), 1
    WHERE new.accepted_at IS NOT NULL
    ON CONFLICT(kind, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER public_counts_update AFTER UPDATE OF status, village_id, category_id ON complaints
WHEN old.status IS NOT new.status OR old.village_id IS NOT new.village_id OR old.category_id IS NOT new.category_id
BEGIN
  UPDATE public_complaint_counts SET n = n - 1
    WHERE month = strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch')
      AND village_id = coalesce(old.village_id, 0) AND category_id = old.category_id AND status = old.status;
  INSERT INTO public_complaint_counts(month, village_id, category_id, status, n)
    VALUES (strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), coalesce(new.village_id, 0), new.category_id, new.status, 1)
    ON CONFLICT(month, village_id, category_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- A report refused, reopened and accepted again counts once, at its latest acceptance.
CREATE TRIGGER public_accept_update AFTER UPDATE OF accepted_at ON complaints
WHEN old.accepted_at IS NOT new.accepted_at
BEGIN
  UPDATE public_complaint_durations SET n = n - 1
    WHERE old.accepted_at IS NOT NULL AND kind = 'accept'
      AND month = strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch')
      AND hours = max(0, (old.accepted_at - old.created_at) / 3600000);
  INSERT INTO public_complaint_durations(kind, month, hours, n)
    SELECT 'accept', strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), max(0, (new.accepted_at - new.created_at) / 3600000), 1
    WHERE new.accepted_at IS NOT NULL
    ON CONFLICT(kind, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- Each status change is a staff action made at updated_at (complaint-actions.ts sets both, and logs
-- the same action and time in complaint_events). No trigger on complaint_events: filing stays cheap.
CREATE TRIGGER public_status_change AFTER UPDATE OF status ON complaints
WHEN old.status IS NOT new.status
BEGIN
  INSERT INTO public_complaint_actions(month, action, n)
    SELECT strftime('%Y-%m', (new.updated_at + 28800000) / 1000, 'unixepoch'),
      CASE
        WHEN old.status = 'submitted' AND new.status = 'accepted' THEN 'accept'
        WHEN new.status IN ('submitted', 'accepted') THEN 'reopen'
        WHEN new.status = 'rejected' THEN 'reject'
        WHEN new.status = 'merged' THEN 'merge'
        WHEN new.status = 'assigned' THEN 'assign'
        WHEN new.status = 'resolved' THEN 'resolve'
        ELSE 'close'
      END, 1
    WHERE true
    ON CONFLICT(month, action) DO UPDATE SET n = n + 1;
  -- Resolved again after a reopen: the complaint counts once, at its latest resolution.
  UPDATE public_complaint_durations SET n = n - 1
    WHERE new.status = 'resolved' AND kind = 'resolve' AND month = strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch') AND hours = (
      SELECT max(0, (e.at - new.created_at) / 3600000) FROM complaint_events e
      -- This resolution's own event is written after this UPDATE: the latest one logged is the previous.
      WHERE e.complaint_id = new.id AND e.action = 'resolve'
      ORDER BY e.at DESC, e.id DESC LIMIT 1);
  INSERT INTO public_complaint_durations(kind, month, hours, n)
    SELECT 'resolve', strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), max(0, (new.updated_at - new.created_at) / 3600000), 1
    WHERE new.status = 'resolved'
    ON CONFLICT(kind, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- A database that already holds complaints starts with its tables filled.
INSERT INTO public_complaint_counts(month, village_id, category_id, status, n)
  SELECT strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch'), coalesce(village_id, 0), category_id, status, count(*)
  FROM complaints WHERE true GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, month, hours, n)
  SELECT 'accept', strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch'), max(0, (accepted_at - created_at) / 3600000), count(*)
  FROM complaints WHERE accepted_at IS NOT NULL GROUP BY 2, 3;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, month, hours, n)
  SELECT 'resolve', strftime('%Y-%m', (c.created_at + 28800000) / 1000, 'unixepoch'), max(0, (e.at - c.created_at) / 3600000), count(*)
  FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
  WHERE e.action = 'resolve' AND e.id = (SELECT e2.id FROM complaint_events e2 WHERE e2.complaint_id = e.complaint_id AND e2.action = 'resolve' ORDER BY e2.at DESC, e2.id DESC LIMIT 1)
  GROUP BY 2, 3;
--> statement-breakpoint
INSERT INTO public_complaint_actions(month, action, n)
  SELECT strftime('%Y-%m', (at + 28800000) / 1000, 'unixepoch'), action, count(*)
  FROM complaint_events WHERE from_status IS NOT NULL AND from_status <> to_status GROUP BY 1, 2;
