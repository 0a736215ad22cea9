import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, tstz, uuidPk } from './columns';
import { leads } from './crm';
import { deliveryStatus } from './enums';
import { users } from './people';

export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuidPk(),
    url: text('url').notNull(),
    /** Event types such as lead.mql, sla.breached; empty means none. */
    eventTypes: text('event_types').array().notNull(),
    /** HMAC-SHA256 signing secret (needed in clear to sign; never returned by the API). */
    secret: text('secret').notNull(),
    active: boolean('active').notNull().default(true),
    createdById: uuid('created_by_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [check('webhook_subscriptions_url_ck', sql`${t.url} ~ '^https?://'`)],
);

/** Events written in the same transaction as the change that caused them. */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    eventType: text('event_type').notNull(),
    leadId: uuid('lead_id').references(() => leads.id, { onDelete: 'set null' }),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
    /** Set once deliveries have been fanned out to the matching subscriptions. */
    dispatchedAt: tstz('dispatched_at'),
  },
  (t) => [
    index('outbox_events_undispatched_idx')
      .on(t.id)
      .where(sql`${t.dispatchedAt} IS NULL`),
    index('outbox_events_type_time_idx').on(t.eventType, t.createdAt),
  ],
);

/** One event to one subscription, retried with exponential back-off until delivered. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => outboxEvents.id, { onDelete: 'cascade' }),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    status: deliveryStatus('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    deliveredAt: tstz('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('webhook_deliveries_uq').on(t.eventId, t.subscriptionId),
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Every delivery attempt, with the receiver's answer. */
export const webhookDeliveryAttempts = pgTable(
  'webhook_delivery_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attemptedAt: createdAt(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt)],
);
