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
	`ended_reason` text
);
--> statement-breakpoint
CREATE INDEX `queue_waiting_idx` ON `queue_entries` (`status`,`priority`,`enqueued_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `queue_call_idx` ON `queue_entries` (`call_sid`);