import { and, asc, desc, eq, getTableColumns, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { outboxEvents, webhookDeliveries, webhookDeliveryAttempts, webhookSubscriptions } from '../../db/schema/index';
import { WEBHOOK_EVENT_CATALOGUE, WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/events';
import { builder } from '../builder';
import { BadUserInputError } from '../errors';
import type { Context } from '../context';
import { openCursorID, sealCursorID } from '../global-ids';
import { bigints, groupByKey, isUuid, uuids } from '../loaders';
import { keysetConnection } from '../pagination';
import { LeadRef, UserRef } from './refs';
import { connectionComplexity } from '../limits';

// Webhook subscriptions and their deliveries: admins only, on every type and field. The signing
// secret is never readable here; only createWebhookSubscription's payload carries it, once.

const admin = { authScopes: { admin: true } } as const;

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
type AttemptRow = typeof webhookDeliveryAttempts.$inferSelect;

/** A delivery with the event it carries (one join, for lists and the loader alike). */
const deliveryColumns = {
  ...getTableColumns(webhookDeliveries),
  eventType: outboxEvents.eventType,
  payload: outboxEvents.payload,
  eventCreatedAt: outboxEvents.createdAt,
  leadId: outboxEvents.leadId,
};
export type DeliveryView = typeof webhookDeliveries.$inferSelect & {
  eventType: string;
  payload: unknown;
  eventCreatedAt: Date;
  leadId: string | null;
};

export const selectDeliveries = (db: Db) =>
  db.select(deliveryColumns).from(webhookDeliveries).innerJoin(outboxEvents, eq(outboxEvents.id, webhookDeliveries.eventId));


export const WebhookSubscriptionRef = builder.loadableNodeRef('WebhookSubscription', {
  id: { resolve: (s: SubscriptionRow) => s.id },
  load: (ids: string[], ctx) => ctx.db.select().from(webhookSubscriptions).where(inArray(webhookSubscriptions.id, uuids(ids))),
  sort: (s) => s.id,
});

export const WebhookDeliveryRef = builder.loadableNodeRef('WebhookDelivery', {
  id: { resolve: (d: DeliveryView) => d.id },
  load: (ids: string[], ctx) => selectDeliveries(ctx.db).where(inArray(webhookDeliveries.id, bigints(ids))),
  sort: (d) => String(d.id),
});

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { value: 'pending', description: 'Not acknowledged yet; attempted again at nextAttemptAt.' },
    DELIVERED: { value: 'delivered', description: 'The receiver answered 2xx once; it is not sent again.' },
    FAILED: { value: 'failed', description: 'Every attempt failed; given up until an admin retries it (retryWebhookDelivery).' },
  } as const,
});

const WebhookEventTypeRef = builder.objectRef<{ name: string; description: string }>('WebhookEventType').implement({
  description: 'An event type a subscription can listen to.',
  ...admin,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The type as it appears in payloads and x-sla-event-type, e.g. lead.mql.' }),
    description: t.exposeString('description', { description: 'When the event is sent.' }),
  }),
});

const WebhookDeliveryAttemptRef = builder.objectRef<AttemptRow>('WebhookDeliveryAttempt').implement({
  description: 'One HTTP request of a delivery and what the receiver answered.',
  ...admin,
  fields: (t) => ({
    attemptedAt: t.expose('attemptedAt', { type: 'DateTime', description: 'When the request started.' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The receiver’s HTTP status; null when no answer came (refused, timed out…).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the attempt failed (status and the start of the answer, or the network error); null on success.' }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the request took, in milliseconds.' }),
  }),
});

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  description: 'Narrows the delivery list; all given conditions must hold.',
  fields: (t) => ({
    status: t.field({ type: WebhookDeliveryStatusEnum, required: false, description: 'Deliveries in this state.' }),
    eventType: t.string({ required: false, description: 'Deliveries of this event type, e.g. lead.mql.' }),
    subscriptionId: t.globalID({ required: false, for: WebhookSubscriptionRef, description: 'Deliveries to this subscription.' }),
    leadId: t.globalID({ required: false, for: LeadRef, description: 'Deliveries of events about this lead.' }),
  }),
});

interface DeliveryFilterValue {
  status?: 'pending' | 'delivered' | 'failed' | null;
  eventType?: string | null;
  subscriptionId?: { id: string } | null;
  leadId?: { id: string } | null;
}

/** Deliveries newest first, keyset-paginated on the delivery id (sealed in cursors, like in global ids). */
function deliveryConnection(ctx: Context, args: Parameters<typeof keysetConnection>[0], filter: DeliveryFilterValue) {
  const cursorId = (values: unknown[]) => openCursorID(ctx, 'WebhookDelivery', values[0]);
  const idIn = (value: { id: string } | null | undefined) => (value && !isUuid(value.id) ? sql`false` : undefined);
  return keysetConnection(args, (d: DeliveryView) => [sealCursorID(ctx, 'WebhookDelivery', d.id)], ['text'], ({ before, after, limit, inverted }) =>
    selectDeliveries(ctx.db)
      .where(
        and(
          filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
          filter.eventType ? eq(outboxEvents.eventType, filter.eventType) : undefined,
          idIn(filter.subscriptionId) ?? (filter.subscriptionId ? eq(webhookDeliveries.subscriptionId, filter.subscriptionId.id) : undefined),
          idIn(filter.leadId) ?? (filter.leadId ? eq(outboxEvents.leadId, filter.leadId.id) : undefined),
          after ? lt(webhookDeliveries.id, cursorId(after)) : undefined,
          before ? gt(webhookDeliveries.id, cursorId(before)) : undefined,
        ),
      )
      .orderBy(inverted ? asc(webhookDeliveries.id) : desc(webhookDeliveries.id))
      .limit(limit),
  );
}

WebhookSubscriptionRef.implement({
  description: 'Where events are POSTed, and which. The signing secret is never shown after creation.',
  ...admin,
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The receiver: an absolute http(s) URL.' }),
    eventTypes: t.exposeStringList('eventTypes', { description: 'Event types sent here (see webhookEventTypes); "*" means all.' }),
    active: t.exposeBoolean('active', { description: 'False when paused: no new events, and pending deliveries wait until it is active again.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the subscription was created.' }),
    createdBy: t.field({ type: UserRef, nullable: true, description: 'The admin who created it.', resolve: (s) => s.createdById }),
    deliveries: t.connection({
      complexity: connectionComplexity,
      type: WebhookDeliveryRef,
      description: 'Deliveries to this subscription, newest first.',
      args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false, description: 'Only deliveries in this state.' }) },
      resolve: (s, args, ctx) => deliveryConnection(ctx, args, { status: args.status, subscriptionId: { id: s.id } }),
    }),
  }),
});

WebhookDeliveryRef.implement({
  description: 'One event to one subscription, retried with exponential back-off until the receiver answers 2xx.',
  ...admin,
  fields: (t) => ({
    eventId: t.string({ description: 'The event’s id, as sent in the body (id) and x-sla-event-id: receivers de-duplicate on it.', resolve: (d) => String(d.eventId) }),
    eventType: t.exposeString('eventType', { description: 'e.g. lead.mql, sla.breached, webhook.test.' }),
    payload: t.field({ type: 'JSON', description: 'The event’s data, sent as `data` in the body.', resolve: (d) => d.payload }),
    eventCreatedAt: t.expose('eventCreatedAt', { type: 'DateTime', description: 'When the event happened (createdAt in the body).' }),
    lead: t.field({ type: LeadRef, nullable: true, description: 'The lead the event is about, if any.', resolve: (d) => d.leadId }),
    subscription: t.field({ type: WebhookSubscriptionRef, description: 'Where it goes.', resolve: (d) => d.subscriptionId }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: 'PENDING, DELIVERED or FAILED.', resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts', { description: 'Attempts since the delivery was created or last retried by hand (attemptLog keeps them all).' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it will be attempted next; null unless PENDING.',
      resolve: (d) => (d.status === 'pending' ? d.nextAttemptAt : null),
    }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When the receiver acknowledged it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the delivery was queued.' }),
    attemptLog: t.loadableList({
      type: WebhookDeliveryAttemptRef,
      description: 'Every attempt, oldest first.',
      load: async (ids: number[], ctx) =>
        groupByKey(
          ids,
          await ctx.db
            .select()
            .from(webhookDeliveryAttempts)
            .where(inArray(webhookDeliveryAttempts.deliveryId, [...ids]))
            .orderBy(asc(webhookDeliveryAttempts.attemptedAt), asc(webhookDeliveryAttempts.id)),
          (row) => row.deliveryId,
        ),
      resolve: (d) => d.id,
    }),
  }),
});

builder.queryFields((t) => ({
  webhookEventTypes: t.field({
    ...admin,
    type: [WebhookEventTypeRef],
    description: 'Admins only: the event types subscriptions can listen to.',
    resolve: () => WEBHOOK_EVENT_TYPES.map((name) => ({ name, description: WEBHOOK_EVENT_CATALOGUE[name] })),
  }),
  webhookSubscriptions: t.connection({
    complexity: connectionComplexity,
    ...admin,
    type: WebhookSubscriptionRef,
    description: 'Admins only: webhook subscriptions, newest first.',
    resolve: (_root, args, ctx) => {
      // Keyset on (created_at to the millisecond, id): cursors carry JavaScript dates, which have no microseconds.
      const createdMs = sql`date_trunc('milliseconds', ${webhookSubscriptions.createdAt})`;
      return keysetConnection(args, (s: SubscriptionRow) => [s.createdAt.toISOString(), s.id], ['timestamp', 'uuid'], ({ before, after, limit, inverted }) => {
        for (const cursor of [before, after]) {
          if (cursor && (!isUuid(String(cursor[1])) || Number.isNaN(Date.parse(String(cursor[0]))))) throw new BadUserInputError('Invalid cursor');
        }
        const direction = sql.raw(inverted ? 'asc' : 'desc');
        return ctx.db
          .select()
          .from(webhookSubscriptions)
          .where(
            and(
              after ? sql`(${createdMs}, ${webhookSubscriptions.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : undefined,
              before ? sql`(${createdMs}, ${webhookSubscriptions.id}) > (${before[0]}::timestamptz, ${before[1]}::uuid)` : undefined,
            ),
          )
          .orderBy(sql`${createdMs} ${direction}`, sql`${webhookSubscriptions.id} ${direction}`)
          .limit(limit);
      });
    },
  }),
  webhookDeliveries: t.connection({
    complexity: connectionComplexity,
    ...admin,
    type: WebhookDeliveryRef,
    description: 'Admins only: deliveries with their attempt log, newest first.',
    args: { filter: t.arg({ type: WebhookDeliveryFilter, required: false, description: 'Which deliveries.' }) },
    resolve: (_root, args, ctx) => deliveryConnection(ctx, args, args.filter ?? {}),
  }),
}));
