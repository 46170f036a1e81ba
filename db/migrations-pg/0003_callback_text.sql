ALTER TABLE "callbacks" ADD COLUMN "text_status" text;--> statement-breakpoint
ALTER TABLE "callbacks" ADD COLUMN "text_sid" text;--> statement-breakpoint
ALTER TABLE "callbacks" ADD COLUMN "texted_at" bigint;