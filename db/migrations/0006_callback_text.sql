ALTER TABLE `callbacks` ADD `text_status` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `text_sid` text;--> statement-breakpoint
ALTER TABLE `callbacks` ADD `texted_at` integer;