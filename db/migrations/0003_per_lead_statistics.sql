-- PostgreSQL samples too few rows to count distinct lead ids in the per-lead tables: at 1M leads it
-- guessed ~80,000 leads for 14.5M activities, so it expected 180 activities per lead and read a
-- batch of 2,000 leads' activities with a sequential scan of the whole table (2.4 GB per re-score
-- batch) instead of the (lead_id, …) index. A negative n_distinct is a fraction of the rows: about
-- one lead per 20 rows, whatever the table's size. It takes effect at the next ANALYZE.
ALTER TABLE "activities" ALTER COLUMN "lead_id" SET (n_distinct = -0.05);--> statement-breakpoint
ALTER TABLE "score_ledger" ALTER COLUMN "lead_id" SET (n_distinct = -0.05);--> statement-breakpoint
ALTER TABLE "stage_transitions" ALTER COLUMN "lead_id" SET (n_distinct = -0.3);--> statement-breakpoint
ALTER TABLE "contact_attempts" ALTER COLUMN "lead_id" SET (n_distinct = -0.3);
