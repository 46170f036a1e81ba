ALTER TABLE `queue_entries` ADD `agent_joined_at` integer;--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `caller_joined_at` integer;