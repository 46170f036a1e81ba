DROP INDEX `calls_created_idx`;--> statement-breakpoint
CREATE INDEX `calls_day_figures_idx` ON `calls` (`created_at`,`direction`,`outcome`,`queued_at`,`connected_at`);