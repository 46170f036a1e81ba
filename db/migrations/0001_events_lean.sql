PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_events` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`type` text NOT NULL,
	`call_sid` text,
	`user_id` text,
	`callback_id` integer,
	`data` text DEFAULT '{}' NOT NULL,
	`dedupe_key` text
);
--> statement-breakpoint
INSERT INTO `__new_events`("id", "at", "type", "call_sid", "user_id", "callback_id", "data", "dedupe_key") SELECT "id", "at", "type", "call_sid", "user_id", "callback_id", "data", "dedupe_key" FROM `events`;--> statement-breakpoint
DROP TABLE `events`;--> statement-breakpoint
ALTER TABLE `__new_events` RENAME TO `events`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `events_call_idx` ON `events` (`call_sid`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupe_idx` ON `events` (`dedupe_key`) WHERE "events"."dedupe_key" is not null;