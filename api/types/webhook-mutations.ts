import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors';
import { retryDelivery, sendTestEvent } from '../../domain/webhooks/deliveries';
import { createSubscription, deleteSubscription, updateSubscription } from '../../domain/webhooks/subscriptions';
import { builder } from '../builder';
import { encodeNodeID, givenGlobalID } from '../global-ids';
import { isUuid } from '../loaders';
import { WebhookDeliveryRef, WebhookSubscriptionRef, type SubscriptionRow } from './webhook';

// Admins manage subscriptions; a refused mutation writes nothing.

const admin = { authScopes: { admin: true } } as const;
const errors = { types: [ValidationError, NotFoundError] };

function subscriptionId(id: { id: string }): string {
  if (!isUuid(id.id)) throw new NotFoundError('WebhookSubscription', id.id);
  return id.id;
}

const CreateWebhookSubscriptionInput = builder.inputType('CreateWebhookSubscriptionInput', {
  description: 'A new receiver and the events it wants.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'Absolute http:// or https:// URL the events are POSTed to.' }),
    eventTypes: t.stringList({ required: true, description: 'Event types from webhookEventTypes, or ["*"] for all.' }),
    secret: t.string({ required: false, description: 'Signing secret (16–256 characters); omit it to get a generated one (32 random bytes, base64url).' }),
    active: t.boolean({ required: false, description: 'False to create it paused (default true).' }),
  }),
});

const UpdateWebhookSubscriptionInput = builder.inputType('UpdateWebhookSubscriptionInput', {
  description: 'Changes to a subscription; omitted fields stay as they are.',
  fields: (t) => ({
    subscriptionId: t.globalID({ required: true, for: WebhookSubscriptionRef, description: 'The subscription to change.' }),
    url: t.string({ required: false, description: 'New receiver URL.' }),
    eventTypes: t.stringList({ required: false, description: 'New list of event types (replaces the old one).' }),
    secret: t.string({ required: false, description: 'A new signing secret (rotation); it applies to the next attempt.' }),
    active: t.boolean({ required: false, description: 'False pauses the subscription, true resumes it.' }),
  }),
});

const WebhookSubscriptionIdInput = builder.inputType('WebhookSubscriptionIdInput', {
  description: 'One subscription.',
  fields: (t) => ({ subscriptionId: t.globalID({ required: true, for: WebhookSubscriptionRef, description: 'The subscription.' }) }),
});

const RetryWebhookDeliveryInput = builder.inputType('RetryWebhookDeliveryInput', {
  description: 'One failed delivery.',
  fields: (t) => ({ deliveryId: t.globalID({ required: true, for: WebhookDeliveryRef, description: 'The FAILED delivery to queue again.' }) }),
});

const CreateWebhookSubscriptionPayload = builder
  .objectRef<{ subscription: SubscriptionRow; secret: string }>('CreateWebhookSubscriptionPayload')
  .implement({
    description: 'The new subscription and, this once, its signing secret.',
    fields: (t) => ({
      subscription: t.field({ type: WebhookSubscriptionRef, description: 'The subscription.', resolve: (p) => p.subscription }),
      secret: t.exposeString('secret', {
        description: 'The HMAC-SHA256 key receivers check x-sla-signature with. Store it now: it is never shown again.',
      }),
    }),
  });

const WebhookSubscriptionPayload = builder.objectRef<SubscriptionRow>('WebhookSubscriptionPayload').implement({
  description: 'The subscription after the change.',
  fields: (t) => ({ subscription: t.field({ type: WebhookSubscriptionRef, description: 'The subscription.', resolve: (s) => s }) }),
});

const DeleteWebhookSubscriptionPayload = builder.objectRef<{ id: string }>('DeleteWebhookSubscriptionPayload').implement({
  description: 'What was deleted: the subscription, its deliveries and their attempt log.',
  fields: (t) => ({
    deletedSubscriptionId: t.id({ description: 'Global id of the deleted subscription.', resolve: (p, _args, ctx) => encodeNodeID(ctx.database, 'WebhookSubscription', p.id) }),
  }),
});

const WebhookDeliveryPayload = builder.objectRef<{ id: number }>('WebhookDeliveryPayload').implement({
  description: 'The queued delivery; follow it with webhookDeliveries or node(id).',
  fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryRef, description: 'The delivery.', resolve: (d) => String(d.id) }) }),
});

builder.mutationFields((t) => ({
  createWebhookSubscription: t.field({
    ...admin,
    type: CreateWebhookSubscriptionPayload,
    description: 'Admins only: subscribe a receiver to event types. The payload carries the signing secret, once.',
    args: { input: t.arg({ type: CreateWebhookSubscriptionInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => createSubscription(ctx.db, ctx.viewer, input),
  }),
  updateWebhookSubscription: t.field({
    ...admin,
    type: WebhookSubscriptionPayload,
    description: 'Admins only: change the URL, event types or secret, or pause / resume a subscription.',
    args: { input: t.arg({ type: UpdateWebhookSubscriptionInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => updateSubscription(ctx.db, { ...input, subscriptionId: subscriptionId(input.subscriptionId) }),
  }),
  deleteWebhookSubscription: t.field({
    ...admin,
    type: DeleteWebhookSubscriptionPayload,
    description: 'Admins only: delete a subscription with its deliveries and attempt log (pause it instead to keep them).',
    args: { input: t.arg({ type: WebhookSubscriptionIdInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => deleteSubscription(ctx.db, subscriptionId(input.subscriptionId)),
  }),
  retryWebhookDelivery: t.field({
    ...admin,
    type: WebhookDeliveryPayload,
    description: 'Admins only: queue a FAILED delivery again, due now, with a fresh round of attempts. CONFLICT for pending or delivered ones.',
    args: { input: t.arg({ type: RetryWebhookDeliveryInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    resolve: (_root, { input }, ctx) =>
      retryDelivery(ctx.db, input.deliveryId.id).catch((error: unknown) => {
        // Name the delivery by the id the caller sent, never by the row number it stands for.
        if (error instanceof NotFoundError) throw new NotFoundError('WebhookDelivery', givenGlobalID(input.deliveryId) ?? 'given');
        throw error;
      }),
  }),
  sendTestWebhook: t.field({
    ...admin,
    type: WebhookDeliveryPayload,
    description: 'Admins only: queue a webhook.test event for this one subscription (even a paused one), to check the receiver.',
    args: { input: t.arg({ type: WebhookSubscriptionIdInput, required: true }) },
    errors,
    resolve: (_root, { input }, ctx) => sendTestEvent(ctx.db, subscriptionId(input.subscriptionId), ctx.viewer),
  }),
}));
