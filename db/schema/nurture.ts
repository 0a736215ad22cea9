import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agreementRevisions } from './agreements';
import { createdAt, tstz, uuidPk } from './columns';
import {
  buyingStage,
  contactChannel,
  enrolmentSource,
  enrolmentStatus,
  enrolmentTrigger,
  lifecycleStage,
} from './enums';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { leads } from './crm';
import { users } from './people';

/** Marketing's sequences of touches for a buying stage. */
export const nurtureWorkflows = pgTable(
  'nurture_workflows',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    buyingStage: buyingStage('buying_stage').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [unique('nurture_workflows_key_uq').on(t.revisionId, t.key)],
);

export const nurtureSteps = pgTable(
  'nurture_steps',
  {
    id: uuidPk(),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => nurtureWorkflows.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
    content: text('content').notNull(),
    channel: contactChannel('channel').notNull().default('email'),
    /** Wait after enrolment (first step) or after the previous step. */
    delayDays: integer('delay_days').notNull(),
  },
  (t) => [
    unique('nurture_steps_position_uq').on(t.workflowId, t.position),
    check('nurture_steps_delay_ck', sql`${t.delayDays} >= 0`),
  ],
);

/** Automatic enrolment: on recycle (optionally for one reason), for new leads, or on entering a stage. */
export const nurtureEnrolmentRules = pgTable(
  'nurture_enrolment_rules',
  {
    id: uuidPk(),
    revisionId: uuid('revision_id')
      .notNull()
      .references(() => agreementRevisions.id, { onDelete: 'cascade' }),
    workflowId: uuid('workflow_id')
      .notNull()
      .references((): AnyPgColumn => nurtureWorkflows.id, { onDelete: 'cascade' }),
    trigger: enrolmentTrigger('trigger').notNull(),
    reasonCode: text('reason_code'),
    stage: lifecycleStage('stage'),
  },
  (t) => [index('nurture_enrolment_rules_revision_idx').on(t.revisionId, t.trigger)],
);

export const nurtureEnrolments = pgTable(
  'nurture_enrolments',
  {
    id: uuidPk(),
    leadId: uuid('lead_id')
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    workflowId: uuid('workflow_id')
      .notNull()
      .references(() => nurtureWorkflows.id, { onDelete: 'restrict' }),
    status: enrolmentStatus('status').notNull().default('active'),
    source: enrolmentSource('source').notNull(),
    enrolledById: uuid('enrolled_by_id').references(() => users.id, { onDelete: 'set null' }),
    /** Position of the next step to send; past the last step the enrolment completes. */
    nextStepPosition: integer('next_step_position').notNull().default(1),
    nextStepDueAt: tstz('next_step_due_at'),
    enrolledAt: createdAt(),
    endedAt: tstz('ended_at'),
    exitReason: text('exit_reason'),
  },
  (t) => [
    uniqueIndex('nurture_enrolments_one_active_uq')
      .on(t.leadId)
      .where(sql`${t.status} = 'active'`),
    index('nurture_enrolments_due_idx')
      .on(t.nextStepDueAt)
      .where(sql`${t.status} = 'active'`),
    index('nurture_enrolments_workflow_idx').on(t.workflowId, t.status),
  ],
);
