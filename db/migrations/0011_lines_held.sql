CREATE TABLE `lines_held` (
	`id` integer PRIMARY KEY DEFAULT 1 NOT NULL,
	`held` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `lines_held` (`id`, `held`) SELECT 1, count(*) FROM `calls` WHERE `holds_line`;--> statement-breakpoint
CREATE TRIGGER `calls_line_taken` AFTER INSERT ON `calls` WHEN new.`holds_line` BEGIN
  UPDATE `lines_held` SET `held` = `held` + 1 WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `calls_line_changed` AFTER UPDATE OF `holds_line` ON `calls` WHEN old.`holds_line` IS NOT new.`holds_line` BEGIN
  UPDATE `lines_held` SET `held` = `held` + (CASE WHEN new.`holds_line` THEN 1 ELSE -1 END) WHERE `id` = 1;
END;--> statement-breakpoint
CREATE TRIGGER `calls_line_freed` AFTER DELETE ON `calls` WHEN old.`holds_line` BEGIN
  UPDATE `lines_held` SET `held` = `held` - 1 WHERE `id` = 1;
END;
