DROP INDEX "callbacks_status_idx";--> statement-breakpoint
ALTER TABLE "callbacks" ADD COLUMN "overdue_marked" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "callbacks" ADD COLUMN "to_call" boolean GENERATED ALWAYS AS (status in ('open', 'claimed')) STORED;--> statement-breakpoint
ALTER TABLE "callbacks" ADD COLUMN "urgency_rank" integer GENERATED ALWAYS AS ((case when priority = 'emergency' then 0 else 2 end) + (case when status in ('open', 'claimed') and overdue_marked then 0 else 1 end)) STORED;--> statement-breakpoint
CREATE INDEX "callbacks_to_call_order_idx" ON "callbacks" USING btree ("to_call","urgency_rank","first_missed_at","id");--> statement-breakpoint
CREATE INDEX "callbacks_status_order_idx" ON "callbacks" USING btree ("status","urgency_rank","first_missed_at","id");--> statement-breakpoint
CREATE INDEX "callbacks_order_idx" ON "callbacks" USING btree ("urgency_rank","first_missed_at","id");--> statement-breakpoint
CREATE INDEX "callbacks_deadline_idx" ON "callbacks" USING btree ("to_call","overdue_marked","due_at","first_missed_at","status");