-- The public statistics per township (decision 024: /stats, /results?township=): the trigger-kept tables of 0004
-- gain the township that holds each complaint (complaints.township_id), so a township's medians and decisions are
-- read like the county's, and the county's are the sum over townships. A handover (township_id changes) moves the
-- complaint's counts, histogram entries and past decisions to the new holder: every row always equals a
-- recomputation from the complaints and their events as they are now.
-- The histograms also keep the county's own rows under township 0, so the county's medians read as few rows as
-- before however many townships there are (a handover leaves them as they are).
-- Every trigger below takes 1 away by an UPSERT of -1 (never an UPDATE that finds no row): when one UPDATE changes
-- the township and the status or acceptance together, the triggers' additions then add up in any order.
DROP TRIGGER IF EXISTS public_counts_insert;
--> statement-breakpoint
DROP TRIGGER IF EXISTS public_counts_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS public_accept_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS public_status_change;
--> statement-breakpoint
DROP TABLE public_complaint_counts;
--> statement-breakpoint
DROP TABLE public_complaint_durations;
--> statement-breakpoint
DROP TABLE public_complaint_actions;
--> statement-breakpoint
-- Counts of complaints by filing month, township, village (0: held at township level), category and status.
CREATE TABLE `public_complaint_counts` (
	`month` text NOT NULL,
	`township_id` integer NOT NULL,
	`village_id` integer NOT NULL,
	`category_id` integer NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`month`, `township_id`, `village_id`, `category_id`, `status`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Histograms for the medians, in whole hours from filing: 'accept' to accepted_at, 'resolve' to the
-- complaint's latest 'resolve' event. One entry per complaint, keyed by its filing month and its township, and one
-- more under township 0 (the county).
CREATE TABLE `public_complaint_durations` (
	`kind` text NOT NULL,
	`township_id` integer NOT NULL,
	`month` text NOT NULL,
	`hours` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`kind`, `township_id`, `month`, `hours`)
) WITHOUT ROWID;
--> statement-breakpoint
-- Status changes by the month staff made them, named as the action, under the township holding the complaint.
CREATE TABLE `public_complaint_actions` (
	`township_id` integer NOT NULL,
	`month` text NOT NULL,
	`action` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`township_id`, `month`, `action`)
) WITHOUT ROWID;
--> statement-breakpoint
-- The one trigger a filed report fires (a report arrives already accepted only from an import or seed).
CREATE TRIGGER public_counts_insert AFTER INSERT ON complaints
BEGIN
  INSERT INTO public_complaint_counts(month, township_id, village_id, category_id, status, n)
    VALUES (strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), new.township_id,
      coalesce(new.village_id, 0), new.category_id, new.status, 1)
    ON CONFLICT(month, township_id, village_id, category_id, status) DO UPDATE SET n = n + 1;
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'accept', t.id, strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (new.accepted_at - new.created_at) / 3600000), 1
    FROM (SELECT new.township_id id UNION ALL SELECT 0) t
    WHERE new.accepted_at IS NOT NULL
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER public_counts_update AFTER UPDATE OF status, village_id, category_id, township_id ON complaints
WHEN old.status IS NOT new.status OR old.village_id IS NOT new.village_id OR old.category_id IS NOT new.category_id
  OR old.township_id IS NOT new.township_id
BEGIN
  INSERT INTO public_complaint_counts(month, township_id, village_id, category_id, status, n)
    VALUES (strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch'), old.township_id,
      coalesce(old.village_id, 0), old.category_id, old.status, -1)
    ON CONFLICT(month, township_id, village_id, category_id, status) DO UPDATE SET n = n - 1;
  INSERT INTO public_complaint_counts(month, township_id, village_id, category_id, status, n)
    VALUES (strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'), new.township_id,
      coalesce(new.village_id, 0), new.category_id, new.status, 1)
    ON CONFLICT(month, township_id, village_id, category_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- A report refused, reopened and accepted again counts once, at its latest acceptance (under the new township:
-- public_township_move has moved the old entry there when the same UPDATE hands it over).
CREATE TRIGGER public_accept_update AFTER UPDATE OF accepted_at ON complaints
WHEN old.accepted_at IS NOT new.accepted_at
BEGIN
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'accept', t.id, strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (old.accepted_at - old.created_at) / 3600000), -1
    FROM (SELECT new.township_id id UNION ALL SELECT 0) t
    WHERE old.accepted_at IS NOT NULL
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n - 1;
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'accept', t.id, strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (new.accepted_at - new.created_at) / 3600000), 1
    FROM (SELECT new.township_id id UNION ALL SELECT 0) t
    WHERE new.accepted_at IS NOT NULL
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- Each status change is a staff action made at updated_at (complaint-actions.ts sets both, and logs
-- the same action and time in complaint_events). No trigger on complaint_events: filing stays cheap.
CREATE TRIGGER public_status_change AFTER UPDATE OF status ON complaints
WHEN old.status IS NOT new.status
BEGIN
  INSERT INTO public_complaint_actions(township_id, month, action, n)
    SELECT new.township_id, strftime('%Y-%m', (new.updated_at + 28800000) / 1000, 'unixepoch'),
      CASE
        -- A handover sends assigned work back to accepted: logged as 'handover', not as a reopening.
        WHEN old.township_id IS NOT new.township_id THEN 'handover'
        WHEN old.status = 'submitted' AND new.status = 'accepted' THEN 'accept'
        WHEN new.status IN ('submitted', 'accepted') THEN 'reopen'
        WHEN new.status = 'rejected' THEN 'reject'
        WHEN new.status = 'merged' THEN 'merge'
        WHEN new.status = 'assigned' THEN 'assign'
        WHEN new.status = 'resolved' THEN 'resolve'
        ELSE 'close'
      END, 1
    WHERE true
    ON CONFLICT(township_id, month, action) DO UPDATE SET n = n + 1;
  -- Resolved again after a reopen: the complaint counts once, at its latest resolution.
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'resolve', t.id, strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (e.at - new.created_at) / 3600000), -1
    FROM (
      -- This resolution's own event is written after this UPDATE: the latest one logged is the previous.
      SELECT e.at FROM complaint_events e WHERE e.complaint_id = new.id AND e.action = 'resolve'
      ORDER BY e.at DESC, e.id DESC LIMIT 1) e,
      (SELECT new.township_id id UNION ALL SELECT 0) t
    WHERE new.status = 'resolved'
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n - 1;
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'resolve', t.id, strftime('%Y-%m', (new.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (new.updated_at - new.created_at) / 3600000), 1
    FROM (SELECT new.township_id id UNION ALL SELECT 0) t
    WHERE new.status = 'resolved'
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
-- A handover: the complaint's histogram entries (as they stood before this UPDATE) and the decisions already logged
-- for it go to the township that now holds it. Its counts move in public_counts_update.
CREATE TRIGGER public_township_move AFTER UPDATE OF township_id ON complaints
WHEN old.township_id IS NOT new.township_id
BEGIN
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'accept', t.id, strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (old.accepted_at - old.created_at) / 3600000), t.n
    FROM (SELECT old.township_id id, -1 n UNION ALL SELECT new.township_id, 1) t
    WHERE old.accepted_at IS NOT NULL
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n + excluded.n;
  INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
    SELECT 'resolve', t.id, strftime('%Y-%m', (old.created_at + 28800000) / 1000, 'unixepoch'),
      max(0, (e.at - old.created_at) / 3600000), t.n
    FROM (SELECT e.at FROM complaint_events e WHERE e.complaint_id = old.id AND e.action = 'resolve'
      ORDER BY e.at DESC, e.id DESC LIMIT 1) e,
      (SELECT old.township_id id, -1 n UNION ALL SELECT new.township_id, 1) t
    WHERE true
    ON CONFLICT(kind, township_id, month, hours) DO UPDATE SET n = n + excluded.n;
  INSERT INTO public_complaint_actions(township_id, month, action, n)
    SELECT t.id, a.month, a.action, a.n * t.sign
    FROM (SELECT strftime('%Y-%m', (e.at + 28800000) / 1000, 'unixepoch') month, e.action, count(*) n
      FROM complaint_events e
      WHERE e.complaint_id = old.id AND e.from_status IS NOT NULL AND e.from_status <> e.to_status
      GROUP BY 1, 2) a,
      (SELECT old.township_id id, -1 sign UNION ALL SELECT new.township_id, 1) t
    WHERE true
    ON CONFLICT(township_id, month, action) DO UPDATE SET n = n + excluded.n;
END;
--> statement-breakpoint
-- A database that already holds complaints keeps its figures, now split by township.
INSERT INTO public_complaint_counts(month, township_id, village_id, category_id, status, n)
  SELECT strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch'), township_id, coalesce(village_id, 0),
    category_id, status, count(*)
  FROM complaints WHERE true GROUP BY 1, 2, 3, 4, 5;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
  SELECT 'accept', township_id, strftime('%Y-%m', (created_at + 28800000) / 1000, 'unixepoch'),
    max(0, (accepted_at - created_at) / 3600000), count(*)
  FROM complaints WHERE accepted_at IS NOT NULL GROUP BY 2, 3, 4;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
  SELECT kind, 0, month, hours, sum(n) FROM public_complaint_durations WHERE kind = 'accept' GROUP BY 1, 3, 4;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
  SELECT 'resolve', c.township_id, strftime('%Y-%m', (c.created_at + 28800000) / 1000, 'unixepoch'),
    max(0, (e.at - c.created_at) / 3600000), count(*)
  FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
  WHERE e.action = 'resolve' AND e.id = (SELECT e2.id FROM complaint_events e2 WHERE e2.complaint_id = e.complaint_id
    AND e2.action = 'resolve' ORDER BY e2.at DESC, e2.id DESC LIMIT 1)
  GROUP BY 2, 3, 4;
--> statement-breakpoint
INSERT INTO public_complaint_durations(kind, township_id, month, hours, n)
  SELECT kind, 0, month, hours, sum(n) FROM public_complaint_durations WHERE kind = 'resolve' GROUP BY 1, 3, 4;
--> statement-breakpoint
INSERT INTO public_complaint_actions(township_id, month, action, n)
  SELECT c.township_id, strftime('%Y-%m', (e.at + 28800000) / 1000, 'unixepoch'), e.action, count(*)
  FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
  WHERE e.from_status IS NOT NULL AND e.from_status <> e.to_status GROUP BY 1, 2, 3;
