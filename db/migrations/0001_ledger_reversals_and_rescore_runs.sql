CREATE TABLE "rescore_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"requalify" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"total_leads" integer NOT NULL,
	"processed_leads" integer DEFAULT 0 NOT NULL,
	"last_lead_id" uuid,
	"mqls_created" integer DEFAULT 0 NOT NULL,
	"error" text,
	"started_by_id" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "rescore_runs_status_ck" CHECK ("rescore_runs"."status" IN ('running','completed','failed'))
);
--> statement-breakpoint
ALTER TABLE "score_ledger" ADD COLUMN "reverses_id" bigint;--> statement-breakpoint
ALTER TABLE "rescore_runs" ADD CONSTRAINT "rescore_runs_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rescore_runs" ADD CONSTRAINT "rescore_runs_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rescore_runs" ADD CONSTRAINT "rescore_runs_started_by_id_users_id_fk" FOREIGN KEY ("started_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rescore_runs_agreement_idx" ON "rescore_runs" USING btree ("agreement_id","started_at");--> statement-breakpoint
ALTER TABLE "score_ledger" ADD CONSTRAINT "score_ledger_reverses_id_score_ledger_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."score_ledger"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "score_ledger_reverses_uq" ON "score_ledger" USING btree ("reverses_id") WHERE "score_ledger"."reverses_id" IS NOT NULL;