CREATE TABLE "lines_held" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"held" integer NOT NULL
);
--> statement-breakpoint
INSERT INTO "lines_held" ("id", "held") SELECT 1, count(*) FROM "calls" WHERE "holds_line";--> statement-breakpoint
CREATE FUNCTION "calls_lines_held"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.holds_line THEN UPDATE lines_held SET held = held + 1 WHERE id = 1; END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF OLD.holds_line THEN UPDATE lines_held SET held = held - 1 WHERE id = 1; END IF;
  ELSIF NEW.holds_line IS DISTINCT FROM OLD.holds_line THEN
    UPDATE lines_held SET held = held + (CASE WHEN NEW.holds_line THEN 1 ELSE -1 END) WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "calls_line_taken" AFTER INSERT ON "calls" FOR EACH ROW WHEN (NEW.holds_line) EXECUTE FUNCTION "calls_lines_held"();--> statement-breakpoint
CREATE TRIGGER "calls_line_changed" AFTER UPDATE OF "holds_line" ON "calls" FOR EACH ROW WHEN (OLD.holds_line IS DISTINCT FROM NEW.holds_line) EXECUTE FUNCTION "calls_lines_held"();--> statement-breakpoint
CREATE TRIGGER "calls_line_freed" AFTER DELETE ON "calls" FOR EACH ROW WHEN (OLD.holds_line) EXECUTE FUNCTION "calls_lines_held"();
