CREATE TYPE "public"."handoff_state" AS ENUM('held', 'routed', 'accepted', 'rejected', 'withdrawn');--> statement-breakpoint
CREATE TABLE "handoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"agreement_id" uuid,
	"revision_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"trigger_activity_id" bigint,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"state" "handoff_state" NOT NULL,
	"missing_fields" text[] DEFAULT '{}' NOT NULL,
	"held_at" timestamp (3) with time zone,
	"released_at" timestamp (3) with time zone,
	"checked_at" timestamp (3) with time zone,
	"owner_id" uuid,
	"handed_off_at" timestamp (3) with time zone,
	"decided_at" timestamp (3) with time zone,
	"first_contact_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "handoffs_handed_off_ck" CHECK ("handoffs"."handed_off_at" >= "handoffs"."requested_at"),
	CONSTRAINT "handoffs_routed_ck" CHECK ("handoffs"."state" = 'held' or "handoffs"."state" = 'withdrawn' or "handoffs"."handed_off_at" is not null)
);
--> statement-breakpoint
ALTER TABLE "cadence_rules" ADD COLUMN "ending_outcomes" "contact_outcome"[] DEFAULT '{connected,replied,meeting_booked}' NOT NULL;--> statement-breakpoint
-- Existing moves keep recorded_at null (read as occurred_at); only new rows default to now().
ALTER TABLE "stage_transitions" ADD COLUMN "recorded_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "stage_transitions" ALTER COLUMN "recorded_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "handoff_id" uuid;--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD COLUMN "stage" "lifecycle_stage";--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_agreement_id_sla_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."sla_agreements"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_revision_id_agreement_revisions_id_fk" FOREIGN KEY ("revision_id") REFERENCES "public"."agreement_revisions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_trigger_activity_id_activities_id_fk" FOREIGN KEY ("trigger_activity_id") REFERENCES "public"."activities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handoffs" ADD CONSTRAINT "handoffs_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "handoffs_one_open_uq" ON "handoffs" USING btree ("lead_id") WHERE "handoffs"."state" in ('held', 'routed');--> statement-breakpoint
CREATE INDEX "handoffs_lead_idx" ON "handoffs" USING btree ("lead_id","requested_at");--> statement-breakpoint
CREATE INDEX "handoffs_handed_off_idx" ON "handoffs" USING btree ("handed_off_at");--> statement-breakpoint
CREATE INDEX "handoffs_held_idx" ON "handoffs" USING btree ("checked_at") WHERE "handoffs"."state" = 'held';--> statement-breakpoint
CREATE INDEX "handoffs_owner_idx" ON "handoffs" USING btree ("owner_id","state");--> statement-breakpoint
ALTER TABLE "sla_clocks" ADD CONSTRAINT "sla_clocks_handoff_id_handoffs_id_fk" FOREIGN KEY ("handoff_id") REFERENCES "public"."handoffs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Before the one-running-clock index: where a lead runs two clocks of a kind, the newest stays.
UPDATE "sla_clocks" c SET "status" = 'cancelled', "stopped_at" = coalesce(c."stopped_at", now())
WHERE c."status" = 'running' AND EXISTS (
  SELECT 1 FROM "sla_clocks" d WHERE d."lead_id" = c."lead_id" AND d."clock" = c."clock" AND d."status" = 'running' AND d."id" > c."id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_clocks_one_running_uq" ON "sla_clocks" USING btree ("lead_id","clock") WHERE "sla_clocks"."status" = 'running';--> statement-breakpoint
CREATE INDEX "sla_clocks_handoff_idx" ON "sla_clocks" USING btree ("handoff_id");--> statement-breakpoint
CREATE INDEX "sla_clocks_open_breach_idx" ON "sla_clocks" USING btree ("lead_id") WHERE "sla_clocks"."status" = 'breached' and "sla_clocks"."stopped_at" is null;--> statement-breakpoint
-- Existing data. The stage a time-in-stage clock times, from its rule.
UPDATE "sla_clocks" c SET "stage" = r."stage" FROM "sla_clock_rules" r WHERE r."id" = c."rule_id" AND c."clock" = 'time_in_stage';--> statement-breakpoint
-- One hand-off per move to MQL, as the KPIs counted them before this table: timed at the clocks
-- it started (or leads.handed_off_at, or the move), decided by the lead's next move out of MQL.
INSERT INTO "handoffs" ("lead_id", "agreement_id", "revision_id", "trigger", "requested_at", "state", "missing_fields", "held_at",
  "owner_id", "handed_off_at", "decided_at", "first_contact_at", "checked_at")
SELECT x.lead_id, x.agreement_id, x.revision_id, 'mql', x.requested_at,
  (CASE WHEN x.exit_at IS NULL AND x.next_mql_at IS NOT NULL THEN 'withdrawn'
        WHEN x.exit_at IS NULL AND x.lead_status = 'held' THEN 'held'
        WHEN x.exit_at IS NULL AND x.lead_status = 'routed' THEN 'routed'
        -- still MQL but never handed off (no hand-off on MQL, or moved there by hand): nothing open
        WHEN x.exit_at IS NULL THEN 'withdrawn'
        WHEN x.exit_to IN ('sql', 'opportunity', 'customer') THEN 'accepted'
        WHEN x.exit_actor = 'user' AND x.exit_to IN ('recycled', 'disqualified') THEN 'rejected'
        ELSE 'withdrawn' END)::handoff_state,
  CASE WHEN x.exit_at IS NULL AND x.next_mql_at IS NULL AND x.lead_status = 'held' THEN x.missing ELSE '{}' END,
  CASE WHEN x.exit_at IS NULL AND x.next_mql_at IS NULL AND x.lead_status = 'held' THEN x.requested_at END,
  coalesce(x.clock_owner, x.lead_owner),
  CASE WHEN x.exit_at IS NULL AND x.next_mql_at IS NULL AND x.lead_status <> 'routed' THEN NULL ELSE greatest(x.requested_at, x.handed_off_at) END,
  x.exit_at,
  (SELECT min(ca."occurred_at") FROM "contact_attempts" ca WHERE ca."lead_id" = x.lead_id AND ca."occurred_at" >= x.handed_off_at
     AND (x.next_mql_at IS NULL OR ca."occurred_at" < x.next_mql_at)),
  x.requested_at
FROM (
  SELECT st."lead_id" AS lead_id, l."agreement_id" AS agreement_id, coalesce(st."revision_id", l."revision_id", a."active_revision_id") AS revision_id,
    st."occurred_at" AS requested_at, l."handoff_status" AS lead_status, l."handoff_missing_fields" AS missing, l."owner_id" AS lead_owner,
    nx.at AS next_mql_at, ex."occurred_at" AS exit_at, ex."to_stage" AS exit_to, ex."actor_type" AS exit_actor,
    coalesce(ck.started_at,
      CASE WHEN l."handed_off_at" >= st."occurred_at" AND (nx.at IS NULL OR l."handed_off_at" < nx.at) THEN l."handed_off_at" END,
      st."occurred_at") AS handed_off_at,
    ck.owner_id AS clock_owner
  FROM "stage_transitions" st
  JOIN "leads" l ON l."id" = st."lead_id"
  LEFT JOIN "sla_agreements" a ON a."id" = l."agreement_id"
  LEFT JOIN LATERAL (SELECT min(n."occurred_at") AS at FROM "stage_transitions" n
    WHERE n."lead_id" = st."lead_id" AND n."to_stage" = 'mql' AND n."occurred_at" > st."occurred_at") nx ON true
  LEFT JOIN LATERAL (SELECT e."occurred_at", e."to_stage", e."actor_type" FROM "stage_transitions" e
    WHERE e."lead_id" = st."lead_id" AND e."from_stage" = 'mql' AND e."occurred_at" >= st."occurred_at" AND e."id" <> st."id"
      AND (nx.at IS NULL OR e."occurred_at" <= nx.at)
    ORDER BY e."occurred_at", e."id" LIMIT 1) ex ON true
  LEFT JOIN LATERAL (SELECT c."started_at", c."owner_id" FROM "sla_clocks" c
    WHERE c."lead_id" = st."lead_id" AND c."clock" IN ('acceptance', 'response') AND c."started_at" >= st."occurred_at"
      AND (nx.at IS NULL OR c."started_at" < nx.at)
    ORDER BY c."started_at" LIMIT 1) ck ON true
  WHERE st."to_stage" = 'mql'
) x
WHERE x.revision_id IS NOT NULL;--> statement-breakpoint
-- Acceptance, response and cadence clocks belong to the hand-off in force when they started; of
-- the acceptance and response clocks, one of each kind per hand-off (the latest, not a cancelled
-- duplicate), so the KPIs see each hand-off once.
UPDATE "sla_clocks" c SET "handoff_id" = m.handoff_id
FROM (
  SELECT DISTINCT ON (h."id", c2."clock", CASE WHEN c2."clock" = 'cadence_interval' THEN c2."id" END) c2."id" AS clock_id, h."id" AS handoff_id
  FROM "sla_clocks" c2
  JOIN "handoffs" h ON h."lead_id" = c2."lead_id" AND h."handed_off_at" IS NOT NULL AND h."handed_off_at" <= c2."started_at"
    AND NOT EXISTS (SELECT 1 FROM "handoffs" n WHERE n."lead_id" = h."lead_id" AND n."handed_off_at" > h."handed_off_at" AND n."handed_off_at" <= c2."started_at")
  WHERE c2."handoff_id" IS NULL AND c2."clock" IN ('acceptance', 'response', 'cadence_interval')
  ORDER BY h."id", c2."clock", CASE WHEN c2."clock" = 'cadence_interval' THEN c2."id" END, (c2."status" = 'cancelled'), c2."id" DESC
) m
WHERE c."id" = m.clock_id;
