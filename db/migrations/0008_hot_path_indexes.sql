CREATE INDEX "leads_score_order_idx" ON "leads" USING btree (("fit_score" + "interest_score"),"id");--> statement-breakpoint
CREATE INDEX "leads_stage_changed_order_idx" ON "leads" USING btree ("stage_changed_at","id");--> statement-breakpoint
CREATE INDEX "leads_owner_created_idx" ON "leads" USING btree ("owner_id","created_at","id");