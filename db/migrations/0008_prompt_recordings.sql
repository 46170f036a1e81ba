CREATE TABLE `prompt_recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prompt` text NOT NULL,
	`language` text NOT NULL,
	`audio` blob NOT NULL,
	`format` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`source` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`recorded_by` text NOT NULL,
	`decided_by` text,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `prompt_recordings_status_idx` ON `prompt_recordings` (`status`,`language`,`prompt`);--> statement-breakpoint
CREATE UNIQUE INDEX `prompt_recordings_approved_idx` ON `prompt_recordings` (`prompt`,`language`) WHERE status = 'approved';--> statement-breakpoint
CREATE TABLE `recording_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`prompt` text NOT NULL,
	`language` text NOT NULL,
	`phone` text NOT NULL,
	`requested_by` text NOT NULL,
	`call_sid` text,
	`status` text DEFAULT 'calling' NOT NULL,
	`take_url` text,
	`takes` integer DEFAULT 0 NOT NULL,
	`recording_id` integer,
	`created_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `recording_sessions_call_idx` ON `recording_sessions` (`call_sid`);