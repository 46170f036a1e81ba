ALTER TABLE "users" ADD COLUMN "active" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "token_issued_at" bigint;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "last_seen_at" bigint;--> statement-breakpoint
CREATE INDEX "events_audit_idx" ON "events" USING btree ("at") WHERE "events"."type" like 'audit.%';