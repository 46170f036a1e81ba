DROP INDEX `calls_line_idx`;--> statement-breakpoint
CREATE INDEX `calls_line_idx` ON `calls` (`holds_line`) WHERE "calls"."holds_line";