ALTER TABLE `queue_entries` ADD `conference_sid` text;--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `agent_joined_at` integer;--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `caller_joined_at` integer;