CREATE TABLE "sales_teams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"manager_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_absences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"ends_at" timestamp (3) with time zone NOT NULL,
	"backup_user_id" uuid,
	"note" text,
	"handed_over_at" timestamp (3) with time zone,
	"created_by_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_absences_span_ck" CHECK ("user_absences"."ends_at" > "user_absences"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "user_working_hours" (
	"user_id" uuid NOT NULL,
	"weekday" integer NOT NULL,
	"start_minute" integer NOT NULL,
	"end_minute" integer NOT NULL,
	CONSTRAINT "user_working_hours_user_id_weekday_start_minute_pk" PRIMARY KEY("user_id","weekday","start_minute"),
	CONSTRAINT "user_working_hours_weekday_ck" CHECK ("user_working_hours"."weekday" between 1 and 7),
	CONSTRAINT "user_working_hours_span_ck" CHECK ("user_working_hours"."start_minute" >= 0 and "user_working_hours"."end_minute" <= 1440 and "user_working_hours"."start_minute" < "user_working_hours"."end_minute")
);
--> statement-breakpoint
CREATE TABLE "lead_agreement_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lead_agreement_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"from_agreement_id" uuid,
	"to_agreement_id" uuid,
	"revision_id" uuid,
	"reason" text NOT NULL,
	"actor_user_id" uuid,
	"occurred_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ownership_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ownership_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"from_user_id" uuid,
	"to_user_id" uuid,
	"reason" text NOT NULL,
	"actor_type" "actor_type" NOT NULL,
	"actor_user_id" uuid,
	"occurred_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "routing_weight" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "sales_team_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "backup_user_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "deactivated_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD COLUMN "scope_priority" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD COLUMN "scope_rules" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_settings" ADD COLUMN "sales_team_id" uuid;--> statement-breakpoint
ALTER TABLE "routing_settings" ADD COLUMN "owner_calendar" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_settings" ADD COLUMN "absence_handover" text DEFAULT 'backup' NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_teams" ADD CONSTRAINT "sales_teams_manager_id_users_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_absences" ADD CONSTRAINT "user_absences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_absences" ADD CONSTRAINT "user_absences_backup_user_id_users_id_fk" FOREIGN KEY ("backup_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_absences" ADD CONSTRAINT "user_absences_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_working_hours" ADD CONSTRAINT "user_working_hours_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_agreement_changes" ADD CONSTRAINT "lead_agreement_changes_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_agreement_changes" ADD CONSTRAINT "lead_agreement_changes_from_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("from_agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_agreement_changes" ADD CONSTRAINT "lead_agreement_changes_to_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("to_agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_agreement_changes" ADD CONSTRAINT "lead_agreement_changes_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_agreement_changes" ADD CONSTRAINT "lead_agreement_changes_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_changes" ADD CONSTRAINT "ownership_changes_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_changes" ADD CONSTRAINT "ownership_changes_from_user_id_users_id_fk" FOREIGN KEY ("from_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_changes" ADD CONSTRAINT "ownership_changes_to_user_id_users_id_fk" FOREIGN KEY ("to_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ownership_changes" ADD CONSTRAINT "ownership_changes_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sales_teams_name_uq" ON "sales_teams" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "user_absences_user_idx" ON "user_absences" USING btree ("user_id","ends_at");--> statement-breakpoint
CREATE INDEX "user_absences_pending_idx" ON "user_absences" USING btree ("starts_at") WHERE "user_absences"."handed_over_at" is null;--> statement-breakpoint
CREATE INDEX "lead_agreement_changes_lead_idx" ON "lead_agreement_changes" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ownership_changes_lead_idx" ON "ownership_changes" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ownership_changes_from_idx" ON "ownership_changes" USING btree ("from_user_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_sales_team_id_sales_teams_id_fk" FOREIGN KEY ("sales_team_id") REFERENCES "public"."sales_teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_backup_user_id_users_id_fk" FOREIGN KEY ("backup_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_settings" ADD CONSTRAINT "routing_settings_sales_team_id_sales_teams_id_fk" FOREIGN KEY ("sales_team_id") REFERENCES "public"."sales_teams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_sales_team_idx" ON "users" USING btree ("sales_team_id");--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_routing_weight_ck" CHECK ("users"."routing_weight" between 1 and 1000);--> statement-breakpoint
ALTER TABLE "routing_settings" ADD CONSTRAINT "routing_settings_absence_ck" CHECK ("routing_settings"."absence_handover" in ('backup', 'routing'));--> statement-breakpoint
-- An agreement's old segment ({field: value or [values]}) becomes the scope of its revisions.
UPDATE "agreement_revisions" r SET "scope_rules" = (
  SELECT coalesce(jsonb_agg(jsonb_build_object('attribute', e.key, 'operator', 'in',
    'value', CASE WHEN jsonb_typeof(e.value) = 'array' THEN e.value ELSE jsonb_build_array(e.value) END)), '[]'::jsonb)
  FROM jsonb_each(a."segment") e)
FROM "sla_agreements" a
WHERE a."id" = r."agreement_id" AND a."segment" IS NOT NULL AND jsonb_typeof(a."segment") = 'object' AND a."segment" <> '{}'::jsonb;
