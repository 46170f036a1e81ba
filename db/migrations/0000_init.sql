CREATE TABLE `agencies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`province` text,
	`endpoint` text,
	`hours` text DEFAULT '24h' NOT NULL,
	`categories` text DEFAULT '[]' NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `agencies_province_idx` ON `agencies` (`province`,`type`);--> statement-breakpoint
CREATE TABLE `callback_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`callback_id` integer NOT NULL,
	`entry_id` integer,
	`agent_id` text,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`outcome` text,
	`caller_leg_sid` text,
	FOREIGN KEY (`callback_id`) REFERENCES `callbacks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attempts_callback_idx` ON `callback_attempts` (`callback_id`);--> statement-breakpoint
CREATE TABLE `callbacks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text,
	`number_raw` text DEFAULT '' NOT NULL,
	`language` text,
	`topic` text,
	`priority` text DEFAULT 'normal' NOT NULL,
	`reason` text NOT NULL,
	`missed_calls` integer DEFAULT 1 NOT NULL,
	`first_missed_at` integer NOT NULL,
	`last_missed_at` integer NOT NULL,
	`last_call_sid` text,
	`due_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`claimed_by` text,
	`claim_expires_at` integer,
	`closed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `callbacks_open_number_idx` ON `callbacks` (`number`) WHERE status in ('open', 'claimed') and number is not null;--> statement-breakpoint
CREATE INDEX `callbacks_status_idx` ON `callbacks` (`status`,`priority`,`due_at`,`first_missed_at`);--> statement-breakpoint
CREATE INDEX `callbacks_language_idx` ON `callbacks` (`language`,`status`);--> statement-breakpoint
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
CREATE TABLE `case_categories` (
	`code` text PRIMARY KEY NOT NULL,
	`name_th` text NOT NULL,
	`name_en` text NOT NULL,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE `case_links` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`call_sid` text,
	`callback_id` integer,
	`at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `case_links_case_idx` ON `case_links` (`case_id`);--> statement-breakpoint
CREATE INDEX `case_links_call_idx` ON `case_links` (`call_sid`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`category` text NOT NULL,
	`province` text,
	`urgency` text DEFAULT 'normal' NOT NULL,
	`channel` text DEFAULT 'hotline' NOT NULL,
	`caller_number` text,
	`people` text DEFAULT '[]' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cases_caller_idx` ON `cases` (`caller_number`,`status`);--> statement-breakpoint
CREATE INDEX `cases_status_idx` ON `cases` (`status`);--> statement-breakpoint
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
CREATE TABLE `queue_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`kind` text DEFAULT 'live' NOT NULL,
	`language` text NOT NULL,
	`priority` text NOT NULL,
	`enqueued_at` integer NOT NULL,
	`status` text DEFAULT 'waiting' NOT NULL,
	`agent_id` text,
	`offered_at` integer,
	`agent_leg_sid` text,
	`callback_leg_sid` text,
	`offers` integer DEFAULT 0 NOT NULL,
	`ended_reason` text,
	`callback_id` integer
);
--> statement-breakpoint
CREATE INDEX `queue_waiting_idx` ON `queue_entries` (`status`,`priority`,`enqueued_at`);--> statement-breakpoint
CREATE INDEX `queue_call_idx` ON `queue_entries` (`call_sid`);--> statement-breakpoint
CREATE TABLE `referrals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`case_id` integer NOT NULL,
	`agency_id` integer NOT NULL,
	`suggested_agency_id` integer,
	`rule` text,
	`status` text DEFAULT 'sent' NOT NULL,
	`due_at` integer NOT NULL,
	`note` text DEFAULT '' NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `referrals_status_idx` ON `referrals` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `referrals_case_idx` ON `referrals` (`case_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `transfers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`case_id` integer,
	`agency_id` integer NOT NULL,
	`agent_id` text NOT NULL,
	`mode` text NOT NULL,
	`status` text DEFAULT 'dialling' NOT NULL,
	`agency_leg_sid` text,
	`started_at` integer NOT NULL,
	`answered_at` integer,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `transfers_call_idx` ON `transfers` (`call_sid`);--> statement-breakpoint
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