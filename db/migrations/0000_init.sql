CREATE TABLE `calls` (
	`sid` text PRIMARY KEY NOT NULL,
	`direction` text NOT NULL,
	`from_raw` text DEFAULT '' NOT NULL,
	`from_e164` text,
	`to_raw` text DEFAULT '' NOT NULL,
	`state` text NOT NULL,
	`outcome` text,
	`language` text,
	`topic` text,
	`priority` text DEFAULT 'normal' NOT NULL,
	`ivr_node` text,
	`ivr_retries` integer DEFAULT 0 NOT NULL,
	`ivr_path` text DEFAULT '[]' NOT NULL,
	`holds_line` integer DEFAULT false NOT NULL,
	`carrier_status` text,
	`agent_id` text,
	`parent_sid` text,
	`callback_id` integer,
	`queue_position` integer,
	`created_at` integer NOT NULL,
	`queued_at` integer,
	`offered_at` integer,
	`connected_at` integer,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `calls_state_idx` ON `calls` (`state`);--> statement-breakpoint
CREATE INDEX `calls_line_idx` ON `calls` (`holds_line`);--> statement-breakpoint
CREATE INDEX `calls_from_idx` ON `calls` (`from_e164`,`created_at`);--> statement-breakpoint
CREATE INDEX `calls_created_idx` ON `calls` (`created_at`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`call_sid` text,
	`user_id` text,
	`callback_id` integer,
	`data` text DEFAULT '{}' NOT NULL,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE INDEX `events_call_idx` ON `events` (`call_sid`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupe_idx` ON `events` (`dedupe_key`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`languages` text DEFAULT '[]' NOT NULL,
	`endpoint` text,
	`status` text DEFAULT 'offline' NOT NULL,
	`status_since` integer NOT NULL,
	`idle_since` integer,
	`current_call_sid` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_token_idx` ON `users` (`token_hash`);--> statement-breakpoint
CREATE INDEX `users_status_idx` ON `users` (`role`,`status`);