CREATE TYPE "public"."activity_type" AS ENUM('page_view', 'pricing_page_view', 'email_open', 'email_click', 'form_submit', 'content_download', 'webinar_registration', 'webinar_attendance', 'demo_request', 'trial_request', 'consultation_request', 'unsubscribe', 'email_bounce');--> statement-breakpoint
CREATE TYPE "public"."actor_type" AS ENUM('system', 'user');--> statement-breakpoint
CREATE TYPE "public"."agreement_status" AS ENUM('draft', 'active', 'archived');--> statement-breakpoint
CREATE TYPE "public"."buying_stage" AS ENUM('awareness', 'consideration', 'decision');--> statement-breakpoint
CREATE TYPE "public"."clock_status" AS ENUM('running', 'met', 'breached', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."contact_channel" AS ENUM('phone', 'email', 'video', 'social', 'sms');--> statement-breakpoint
CREATE TYPE "public"."contact_outcome" AS ENUM('connected', 'voicemail', 'no_answer', 'email_sent', 'replied', 'meeting_booked', 'wrong_contact', 'not_interested', 'bad_timing');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'delivered', 'failed');--> statement-breakpoint
CREATE TYPE "public"."enrolment_source" AS ENUM('rule', 'manual');--> statement-breakpoint
CREATE TYPE "public"."enrolment_status" AS ENUM('active', 'completed', 'exited');--> statement-breakpoint
CREATE TYPE "public"."enrolment_trigger" AS ENUM('on_recycle', 'new_lead', 'stage_entered');--> statement-breakpoint
CREATE TYPE "public"."fit_grade" AS ENUM('A', 'B', 'C', 'D');--> statement-breakpoint
CREATE TYPE "public"."goal_metric" AS ENUM('new_revenue', 'won_deals', 'opportunities', 'sqls', 'mqls', 'leads', 'visitors');--> statement-breakpoint
CREATE TYPE "public"."handoff_status" AS ENUM('none', 'held', 'routed', 'accepted', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."ledger_reason" AS ENUM('fit_rule', 'interest_rule', 'decay', 'rescore', 'manual');--> statement-breakpoint
CREATE TYPE "public"."lifecycle_stage" AS ENUM('lead', 'mql', 'sql', 'opportunity', 'customer', 'recycled', 'disqualified');--> statement-breakpoint
CREATE TYPE "public"."owner_side" AS ENUM('marketing', 'sales', 'shared');--> statement-breakpoint
CREATE TYPE "public"."pipeline_outcome" AS ENUM('open', 'won', 'lost');--> statement-breakpoint
CREATE TYPE "public"."rate_source" AS ENUM('configured', 'historical');--> statement-breakpoint
CREATE TYPE "public"."reason_kind" AS ENUM('recycle', 'disqualify', 'reject');--> statement-breakpoint
CREATE TYPE "public"."recycle_trigger" AS ENUM('max_attempts', 'max_span', 'manual', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."repeat_policy" AS ENUM('once', 'every_time', 'max_per_period');--> statement-breakpoint
CREATE TYPE "public"."revision_status" AS ENUM('draft', 'active', 'retired');--> statement-breakpoint
CREATE TYPE "public"."routing_method" AS ENUM('weighted_round_robin', 'manual');--> statement-breakpoint
CREATE TYPE "public"."rule_operator" AS ENUM('equals', 'in', 'contains', 'range', 'exists');--> statement-breakpoint
CREATE TYPE "public"."score_dimension" AS ENUM('fit', 'interest');--> statement-breakpoint
CREATE TYPE "public"."sla_clock" AS ENUM('acceptance', 'response', 'cadence_interval', 'time_in_stage');--> statement-breakpoint
CREATE TYPE "public"."team" AS ENUM('marketing', 'sales', 'admin');--> statement-breakpoint
CREATE TYPE "public"."temperature" AS ENUM('cold', 'warm', 'hot');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('admin', 'marketing', 'sales', 'viewer');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" "user_role" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"team" "team" NOT NULL,
	"role" "user_role" NOT NULL,
	"manager_id" uuid,
	"routing_capacity" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_routing_capacity_ck" CHECK ("users"."routing_capacity" >= 0)
);
--> statement-breakpoint
CREATE TABLE "agreement_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "agreement_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"agreement_id" uuid NOT NULL,
	"revision_id" uuid,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"before" jsonb,
	"after" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agreement_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" "revision_status" DEFAULT 'draft' NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"based_on_revision_id" uuid,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"activated_by_id" uuid,
	"retired_at" timestamp with time zone,
	CONSTRAINT "agreement_revisions_number_uq" UNIQUE("agreement_id","number"),
	CONSTRAINT "agreement_revisions_number_ck" CHECK ("agreement_revisions"."number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "daily_traffic" (
	"day" date NOT NULL,
	"source" text NOT NULL,
	"visitors" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "daily_traffic_pk" PRIMARY KEY("day","source"),
	CONSTRAINT "daily_traffic_visitors_ck" CHECK ("daily_traffic"."visitors" >= 0)
);
--> statement-breakpoint
CREATE TABLE "goals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"metric" "goal_metric" NOT NULL,
	"target" bigint NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"owner_side" "owner_side" NOT NULL,
	"average_deal_size_minor" bigint,
	"rate_source" "rate_source" DEFAULT 'configured' NOT NULL,
	"lookback_days" integer DEFAULT 180 NOT NULL,
	"visitor_to_lead_rate" numeric(7, 6),
	"lead_to_mql_rate" numeric(7, 6),
	"mql_to_sql_rate" numeric(7, 6),
	"sql_to_opportunity_rate" numeric(7, 6),
	"win_rate" numeric(7, 6),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "goals_key_uq" UNIQUE("revision_id","key"),
	CONSTRAINT "goals_period_ck" CHECK ("goals"."period_end" >= "goals"."period_start"),
	CONSTRAINT "goals_target_ck" CHECK ("goals"."target" > 0),
	CONSTRAINT "goals_lookback_ck" CHECK ("goals"."lookback_days" > 0),
	CONSTRAINT "goals_rates_ck" CHECK (coalesce("goals"."visitor_to_lead_rate", 1) > 0 AND coalesce("goals"."visitor_to_lead_rate", 1) <= 1
      AND coalesce("goals"."lead_to_mql_rate", 1) > 0 AND coalesce("goals"."lead_to_mql_rate", 1) <= 1
      AND coalesce("goals"."mql_to_sql_rate", 1) > 0 AND coalesce("goals"."mql_to_sql_rate", 1) <= 1
      AND coalesce("goals"."sql_to_opportunity_rate", 1) > 0 AND coalesce("goals"."sql_to_opportunity_rate", 1) <= 1
      AND coalesce("goals"."win_rate", 1) > 0 AND coalesce("goals"."win_rate", 1) <= 1)
);
--> statement-breakpoint
CREATE TABLE "pipeline_stages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"position" integer NOT NULL,
	"probability" numeric(4, 3) NOT NULL,
	"outcome" "pipeline_outcome" DEFAULT 'open' NOT NULL,
	CONSTRAINT "pipeline_stages_key_uq" UNIQUE("revision_id","key"),
	CONSTRAINT "pipeline_stages_probability_ck" CHECK ("pipeline_stages"."probability" >= 0 AND "pipeline_stages"."probability" <= 1)
);
--> statement-breakpoint
CREATE TABLE "sla_agreements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" "agreement_status" DEFAULT 'draft' NOT NULL,
	"segment" jsonb,
	"active_revision_id" uuid,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "sla_agreements_active_has_revision_ck" CHECK ("sla_agreements"."status" <> 'active' OR "sla_agreements"."active_revision_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "stage_definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"stage" "lifecycle_stage" NOT NULL,
	"name" text NOT NULL,
	"definition" text NOT NULL,
	"criteria" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"position" integer NOT NULL,
	"max_business_hours_in_stage" integer,
	CONSTRAINT "stage_definitions_stage_uq" UNIQUE("revision_id","stage"),
	CONSTRAINT "stage_definitions_max_hours_ck" CHECK (coalesce("stage_definitions"."max_business_hours_in_stage", 1) > 0)
);
--> statement-breakpoint
CREATE TABLE "stage_transition_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"from_stage" "lifecycle_stage" NOT NULL,
	"to_stage" "lifecycle_stage" NOT NULL,
	"requires_reason" boolean DEFAULT false NOT NULL,
	"automatic" boolean DEFAULT false NOT NULL,
	CONSTRAINT "stage_transition_rules_uq" UNIQUE("revision_id","from_stage","to_stage"),
	CONSTRAINT "stage_transition_rules_distinct_ck" CHECK ("stage_transition_rules"."from_stage" <> "stage_transition_rules"."to_stage")
);
--> statement-breakpoint
CREATE TABLE "business_hours" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"weekday" smallint NOT NULL,
	"start_minute" integer NOT NULL,
	"end_minute" integer NOT NULL,
	CONSTRAINT "business_hours_uq" UNIQUE("revision_id","weekday","start_minute"),
	CONSTRAINT "business_hours_weekday_ck" CHECK ("business_hours"."weekday" BETWEEN 1 AND 7),
	CONSTRAINT "business_hours_range_ck" CHECK ("business_hours"."start_minute" >= 0 AND "business_hours"."end_minute" <= 1440 AND "business_hours"."end_minute" > "business_hours"."start_minute")
);
--> statement-breakpoint
CREATE TABLE "cadence_rules" (
	"revision_id" uuid PRIMARY KEY NOT NULL,
	"allowed_channels" "contact_channel"[] NOT NULL,
	"max_attempts" integer NOT NULL,
	"min_interval_business_minutes" integer NOT NULL,
	"max_span_days" integer NOT NULL,
	CONSTRAINT "cadence_rules_attempts_ck" CHECK ("cadence_rules"."max_attempts" > 0),
	CONSTRAINT "cadence_rules_interval_ck" CHECK ("cadence_rules"."min_interval_business_minutes" > 0),
	CONSTRAINT "cadence_rules_span_ck" CHECK ("cadence_rules"."max_span_days" > 0),
	CONSTRAINT "cadence_rules_channels_ck" CHECK (cardinality("cadence_rules"."allowed_channels") > 0)
);
--> statement-breakpoint
CREATE TABLE "fit_grades" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"grade" "fit_grade" NOT NULL,
	"min_fit" integer NOT NULL,
	CONSTRAINT "fit_grades_uq" UNIQUE("revision_id","grade")
);
--> statement-breakpoint
CREATE TABLE "handoff_required_fields" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"field" text NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "handoff_required_fields_uq" UNIQUE("revision_id","field")
);
--> statement-breakpoint
CREATE TABLE "handoff_settings" (
	"revision_id" uuid PRIMARY KEY NOT NULL,
	"handoff_on_mql" boolean DEFAULT true NOT NULL,
	"trigger_activity_types" "activity_type"[] DEFAULT '{}' NOT NULL,
	"create_unknown_leads" boolean DEFAULT true NOT NULL,
	"recent_activities_in_payload" integer DEFAULT 10 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "holidays" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"day" date NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "holidays_uq" UNIQUE("revision_id","day")
);
--> statement-breakpoint
CREATE TABLE "reason_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"kind" "reason_kind" NOT NULL,
	CONSTRAINT "reason_codes_uq" UNIQUE("revision_id","kind","code")
);
--> statement-breakpoint
CREATE TABLE "recycle_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"trigger" "recycle_trigger" NOT NULL,
	"reason_code" text NOT NULL,
	"nurture_workflow_id" uuid,
	"requalify_after_days" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "recycle_rules_uq" UNIQUE("revision_id","trigger","reason_code"),
	CONSTRAINT "recycle_rules_requalify_ck" CHECK ("recycle_rules"."requalify_after_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "routing_members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"weight" integer DEFAULT 1 NOT NULL,
	"capacity" integer,
	CONSTRAINT "routing_members_uq" UNIQUE("revision_id","user_id"),
	CONSTRAINT "routing_members_weight_ck" CHECK ("routing_members"."weight" > 0),
	CONSTRAINT "routing_members_capacity_ck" CHECK (coalesce("routing_members"."capacity", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "routing_settings" (
	"revision_id" uuid PRIMARY KEY NOT NULL,
	"method" "routing_method" DEFAULT 'weighted_round_robin' NOT NULL,
	"skip_inactive" boolean DEFAULT true NOT NULL,
	"respect_capacity" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoring_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"key" text NOT NULL,
	"dimension" "score_dimension" NOT NULL,
	"name" text NOT NULL,
	"attribute" text,
	"operator" "rule_operator",
	"value" jsonb,
	"activity_type" "activity_type",
	"property_filters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"points" integer NOT NULL,
	"repeat_policy" "repeat_policy" DEFAULT 'every_time' NOT NULL,
	"repeat_max" integer,
	"repeat_period_days" integer,
	"decay_half_life_days" integer,
	"active" boolean DEFAULT true NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "scoring_rules_key_uq" UNIQUE("revision_id","key"),
	CONSTRAINT "scoring_rules_shape_ck" CHECK (("scoring_rules"."dimension" = 'fit' AND "scoring_rules"."attribute" IS NOT NULL AND "scoring_rules"."operator" IS NOT NULL AND "scoring_rules"."activity_type" IS NULL)
       OR ("scoring_rules"."dimension" = 'interest' AND "scoring_rules"."activity_type" IS NOT NULL)),
	CONSTRAINT "scoring_rules_repeat_ck" CHECK ("scoring_rules"."repeat_policy" <> 'max_per_period' OR ("scoring_rules"."repeat_max" > 0 AND "scoring_rules"."repeat_period_days" > 0)),
	CONSTRAINT "scoring_rules_decay_ck" CHECK (coalesce("scoring_rules"."decay_half_life_days", 1) > 0)
);
--> statement-breakpoint
CREATE TABLE "scoring_settings" (
	"revision_id" uuid PRIMARY KEY NOT NULL,
	"mql_fit_threshold" integer NOT NULL,
	"mql_interest_threshold" integer NOT NULL,
	CONSTRAINT "scoring_settings_thresholds_ck" CHECK ("scoring_settings"."mql_fit_threshold" >= 0 AND "scoring_settings"."mql_interest_threshold" >= 0)
);
--> statement-breakpoint
CREATE TABLE "sla_clock_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"clock" "sla_clock" NOT NULL,
	"stage" "lifecycle_stage",
	"business_minutes" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "sla_clock_rules_uq" UNIQUE NULLS NOT DISTINCT("revision_id","clock","stage"),
	CONSTRAINT "sla_clock_rules_minutes_ck" CHECK ("sla_clock_rules"."business_minutes" > 0),
	CONSTRAINT "sla_clock_rules_stage_ck" CHECK (("sla_clock_rules"."clock" = 'time_in_stage') = ("sla_clock_rules"."stage" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "temperature_bands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"temperature" "temperature" NOT NULL,
	"min_score" integer NOT NULL,
	"max_score" integer,
	CONSTRAINT "temperature_bands_uq" UNIQUE("revision_id","temperature"),
	CONSTRAINT "temperature_bands_range_ck" CHECK ("temperature_bands"."max_score" IS NULL OR "temperature_bands"."max_score" > "temperature_bands"."min_score")
);
--> statement-breakpoint
CREATE TABLE "nurture_enrolment_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"workflow_id" uuid NOT NULL,
	"trigger" "enrolment_trigger" NOT NULL,
	"reason_code" text,
	"stage" "lifecycle_stage"
);
--> statement-breakpoint
CREATE TABLE "nurture_enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"workflow_id" uuid NOT NULL,
	"status" "enrolment_status" DEFAULT 'active' NOT NULL,
	"source" "enrolment_source" NOT NULL,
	"enrolled_by_id" uuid,
	"next_step_position" integer DEFAULT 1 NOT NULL,
	"next_step_due_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"exit_reason" text
);
--> statement-breakpoint
CREATE TABLE "nurture_steps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"content" text NOT NULL,
	"channel" "contact_channel" DEFAULT 'email' NOT NULL,
	"delay_days" integer NOT NULL,
	CONSTRAINT "nurture_steps_position_uq" UNIQUE("workflow_id","position"),
	CONSTRAINT "nurture_steps_delay_ck" CHECK ("nurture_steps"."delay_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "nurture_workflows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"revision_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"buying_stage" "buying_stage" NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "nurture_workflows_key_uq" UNIQUE("revision_id","key")
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"domain" text NOT NULL,
	"industry" text,
	"employee_count" integer,
	"country" text,
	"is_target" boolean DEFAULT false NOT NULL,
	"owner_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_employee_count_ck" CHECK (coalesce("accounts"."employee_count", 0) >= 0)
);
--> statement-breakpoint
CREATE TABLE "activities" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activities_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"client_event_id" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"type" "activity_type" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"source_system" text
);
--> statement-breakpoint
CREATE TABLE "contact_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contact_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"channel" "contact_channel" NOT NULL,
	"outcome" "contact_outcome" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"notes" text,
	"attempt_number" integer NOT NULL,
	"cadence_flags" text[] DEFAULT '{}' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_attempts_number_ck" CHECK ("contact_attempts"."attempt_number" >= 1)
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"external_id" text,
	"email" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"phone" text,
	"title" text,
	"seniority" text,
	"department" text,
	"company_name" text,
	"company_size" integer,
	"industry" text,
	"country" text,
	"source" text NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"account_id" uuid,
	"owner_id" uuid,
	"agreement_id" uuid,
	"revision_id" uuid,
	"stage" "lifecycle_stage" DEFAULT 'lead' NOT NULL,
	"stage_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fit_score" integer DEFAULT 0 NOT NULL,
	"interest_score" integer DEFAULT 0 NOT NULL,
	"scored_at" timestamp with time zone,
	"temperature" "temperature" DEFAULT 'cold' NOT NULL,
	"fit_grade" "fit_grade" DEFAULT 'D' NOT NULL,
	"handoff_status" "handoff_status" DEFAULT 'none' NOT NULL,
	"handoff_missing_fields" text[] DEFAULT '{}' NOT NULL,
	"handed_off_at" timestamp with time zone,
	"last_activity_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leads_email_ck" CHECK (position('@' in "leads"."email") > 1)
);
--> statement-breakpoint
CREATE TABLE "opportunities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"account_id" uuid,
	"owner_id" uuid,
	"name" text NOT NULL,
	"pipeline_stage_key" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"status" "pipeline_outcome" DEFAULT 'open' NOT NULL,
	"lost_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	CONSTRAINT "opportunities_amount_ck" CHECK ("opportunities"."amount_minor" >= 0),
	CONSTRAINT "opportunities_closed_ck" CHECK (("opportunities"."status" = 'open') = ("opportunities"."closed_at" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "score_ledger" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "score_ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"rule_id" uuid,
	"activity_id" bigint,
	"dimension" "score_dimension" NOT NULL,
	"reason" "ledger_reason" NOT NULL,
	"points" integer NOT NULL,
	"decay_half_life_days" integer,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stage_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"from_stage" "lifecycle_stage",
	"to_stage" "lifecycle_stage" NOT NULL,
	"revision_id" uuid,
	"actor_type" "actor_type" NOT NULL,
	"actor_user_id" uuid,
	"reason" text,
	"reason_code" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stage_transitions_actor_ck" CHECK ("stage_transitions"."actor_type" = 'system' OR "stage_transitions"."actor_user_id" IS NOT NULL),
	CONSTRAINT "stage_transitions_distinct_ck" CHECK ("stage_transitions"."from_stage" IS NULL OR "stage_transitions"."from_stage" <> "stage_transitions"."to_stage")
);
--> statement-breakpoint
CREATE TABLE "sla_breaches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sla_breaches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"clock_id" bigint NOT NULL,
	"lead_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"clock" "sla_clock" NOT NULL,
	"owner_id" uuid,
	"due_at" timestamp with time zone NOT NULL,
	"breached_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_clocks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sla_clocks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"lead_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"clock" "sla_clock" NOT NULL,
	"owner_id" uuid,
	"status" "clock_status" DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone,
	CONSTRAINT "sla_clocks_due_ck" CHECK ("sla_clocks"."due_at" >= "sla_clocks"."started_at")
);
--> statement-breakpoint
CREATE TABLE "outbox_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_type" text NOT NULL,
	"lead_id" uuid,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_id" bigint NOT NULL,
	"subscription_id" uuid NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_deliveries_uq" UNIQUE("event_id","subscription_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_delivery_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_delivery_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"delivery_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"secret" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_subscriptions_url_ck" CHECK ("webhook_subscriptions"."url" ~ '^https?://')
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_manager_id_users_id_fk" FOREIGN KEY ("manager_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_changes" ADD CONSTRAINT "agreement_changes_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_changes" ADD CONSTRAINT "agreement_changes_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_changes" ADD CONSTRAINT "agreement_changes_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD CONSTRAINT "agreement_revisions_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD CONSTRAINT "agreement_revisions_based_on_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("based_on_revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD CONSTRAINT "agreement_revisions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_revisions" ADD CONSTRAINT "agreement_revisions_activated_by_id_users_id_fk" FOREIGN KEY ("activated_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "goals" ADD CONSTRAINT "goals_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pipeline_stages" ADD CONSTRAINT "pipeline_stages_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_agreements" ADD CONSTRAINT "sla_agreements_active_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("active_revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_agreements" ADD CONSTRAINT "sla_agreements_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_definitions" ADD CONSTRAINT "stage_definitions_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transition_rules" ADD CONSTRAINT "stage_transition_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_hours" ADD CONSTRAINT "business_hours_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cadence_rules" ADD CONSTRAINT "cadence_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fit_grades" ADD CONSTRAINT "fit_grades_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoff_required_fields" ADD CONSTRAINT "handoff_required_fields_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoff_settings" ADD CONSTRAINT "handoff_settings_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holidays" ADD CONSTRAINT "holidays_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reason_codes" ADD CONSTRAINT "reason_codes_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recycle_rules" ADD CONSTRAINT "recycle_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recycle_rules" ADD CONSTRAINT "recycle_rules_nurture_workflow_id_nurture_workflows_id_fk" FOREIGN KEY ("nurture_workflow_id") REFERENCES "public"."nurture_workflows"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_members" ADD CONSTRAINT "routing_members_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_members" ADD CONSTRAINT "routing_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_settings" ADD CONSTRAINT "routing_settings_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoring_rules" ADD CONSTRAINT "scoring_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoring_settings" ADD CONSTRAINT "scoring_settings_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clock_rules" ADD CONSTRAINT "sla_clock_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "temperature_bands" ADD CONSTRAINT "temperature_bands_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_enrolment_rules" ADD CONSTRAINT "nurture_enrolment_rules_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_enrolment_rules" ADD CONSTRAINT "nurture_enrolment_rules_workflow_id_nurture_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."nurture_workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_enrolments" ADD CONSTRAINT "nurture_enrolments_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_enrolments" ADD CONSTRAINT "nurture_enrolments_workflow_id_nurture_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."nurture_workflows"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_enrolments" ADD CONSTRAINT "nurture_enrolments_enrolled_by_id_users_id_fk" FOREIGN KEY ("enrolled_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_steps" ADD CONSTRAINT "nurture_steps_workflow_id_nurture_workflows_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."nurture_workflows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nurture_workflows" ADD CONSTRAINT "nurture_workflows_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "activities" ADD CONSTRAINT "activities_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opportunities" ADD CONSTRAINT "opportunities_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_ledger" ADD CONSTRAINT "score_ledger_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_ledger" ADD CONSTRAINT "score_ledger_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_ledger" ADD CONSTRAINT "score_ledger_rule_id_scoring_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."scoring_rules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_ledger" ADD CONSTRAINT "score_ledger_activity_id_activities_id_fk" FOREIGN KEY ("activity_id") REFERENCES "public"."activities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_breaches" ADD CONSTRAINT "sla_breaches_clock_id_sla_clocks_id_fk" FOREIGN KEY ("clock_id") REFERENCES "public"."sla_clocks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_breaches" ADD CONSTRAINT "sla_breaches_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_breaches" ADD CONSTRAINT "sla_breaches_rule_id_sla_clock_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."sla_clock_rules"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_breaches" ADD CONSTRAINT "sla_breaches_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_breaches" ADD CONSTRAINT "sla_breaches_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_rule_id_sla_clock_rules_id_fk" FOREIGN KEY ("rule_id") REFERENCES "public"."sla_clock_rules"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_events" ADD CONSTRAINT "outbox_events_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_outbox_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."outbox_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "webhook_delivery_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_user_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_uq" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "users_team_active_idx" ON "users" USING btree ("team","active");--> statement-breakpoint
CREATE INDEX "agreement_changes_agreement_at_idx" ON "agreement_changes" USING btree ("agreement_id","created_at");--> statement-breakpoint
CREATE INDEX "agreement_changes_revision_idx" ON "agreement_changes" USING btree ("revision_id");--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_revisions_one_active_uq" ON "agreement_revisions" USING btree ("agreement_id") WHERE "agreement_revisions"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_revisions_one_draft_uq" ON "agreement_revisions" USING btree ("agreement_id") WHERE "agreement_revisions"."status" = 'draft';--> statement-breakpoint
CREATE UNIQUE INDEX "sla_agreements_name_uq" ON "sla_agreements" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "sla_agreements_status_idx" ON "sla_agreements" USING btree ("status");--> statement-breakpoint
CREATE INDEX "nurture_enrolment_rules_revision_idx" ON "nurture_enrolment_rules" USING btree ("revision_id","trigger");--> statement-breakpoint
CREATE UNIQUE INDEX "nurture_enrolments_one_active_uq" ON "nurture_enrolments" USING btree ("lead_id") WHERE "nurture_enrolments"."status" = 'active';--> statement-breakpoint
CREATE INDEX "nurture_enrolments_due_idx" ON "nurture_enrolments" USING btree ("next_step_due_at") WHERE "nurture_enrolments"."status" = 'active';--> statement-breakpoint
CREATE INDEX "nurture_enrolments_workflow_idx" ON "nurture_enrolments" USING btree ("workflow_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_domain_uq" ON "accounts" USING btree (lower("domain"));--> statement-breakpoint
CREATE INDEX "accounts_name_idx" ON "accounts" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "activities_client_event_uq" ON "activities" USING btree ("client_event_id");--> statement-breakpoint
CREATE INDEX "activities_lead_time_idx" ON "activities" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "activities_type_time_idx" ON "activities" USING btree ("type","occurred_at");--> statement-breakpoint
CREATE INDEX "contact_attempts_lead_time_idx" ON "contact_attempts" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "contact_attempts_user_time_idx" ON "contact_attempts" USING btree ("user_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "leads_email_uq" ON "leads" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "leads_external_id_uq" ON "leads" USING btree ("external_id") WHERE "leads"."external_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "leads_created_idx" ON "leads" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "leads_stage_idx" ON "leads" USING btree ("stage","stage_changed_at");--> statement-breakpoint
CREATE INDEX "leads_owner_stage_idx" ON "leads" USING btree ("owner_id","stage");--> statement-breakpoint
CREATE INDEX "leads_account_idx" ON "leads" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "leads_source_created_idx" ON "leads" USING btree ("source","created_at");--> statement-breakpoint
CREATE INDEX "leads_agreement_stage_idx" ON "leads" USING btree ("agreement_id","stage");--> statement-breakpoint
CREATE INDEX "leads_temperature_idx" ON "leads" USING btree ("temperature");--> statement-breakpoint
CREATE INDEX "opportunities_lead_idx" ON "opportunities" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "opportunities_status_closed_idx" ON "opportunities" USING btree ("status","closed_at");--> statement-breakpoint
CREATE INDEX "opportunities_owner_idx" ON "opportunities" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "score_ledger_lead_time_idx" ON "score_ledger" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "score_ledger_rule_idx" ON "score_ledger" USING btree ("rule_id");--> statement-breakpoint
CREATE INDEX "score_ledger_activity_idx" ON "score_ledger" USING btree ("activity_id");--> statement-breakpoint
CREATE INDEX "stage_transitions_lead_time_idx" ON "stage_transitions" USING btree ("lead_id","occurred_at");--> statement-breakpoint
CREATE INDEX "stage_transitions_to_time_idx" ON "stage_transitions" USING btree ("to_stage","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_breaches_clock_uq" ON "sla_breaches" USING btree ("clock_id");--> statement-breakpoint
CREATE INDEX "sla_breaches_breached_idx" ON "sla_breaches" USING btree ("breached_at");--> statement-breakpoint
CREATE INDEX "sla_breaches_open_idx" ON "sla_breaches" USING btree ("lead_id") WHERE "sla_breaches"."resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX "sla_breaches_owner_idx" ON "sla_breaches" USING btree ("owner_id","breached_at");--> statement-breakpoint
CREATE INDEX "sla_clocks_due_idx" ON "sla_clocks" USING btree ("due_at") WHERE "sla_clocks"."status" = 'running';--> statement-breakpoint
CREATE INDEX "sla_clocks_lead_idx" ON "sla_clocks" USING btree ("lead_id","clock");--> statement-breakpoint
CREATE INDEX "outbox_events_undispatched_idx" ON "outbox_events" USING btree ("id") WHERE "outbox_events"."dispatched_at" IS NULL;--> statement-breakpoint
CREATE INDEX "outbox_events_type_time_idx" ON "outbox_events" USING btree ("event_type","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE "webhook_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_delivery_attempts_delivery_idx" ON "webhook_delivery_attempts" USING btree ("delivery_id","created_at");