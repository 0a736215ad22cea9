import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { webhookSubscriptions } from '../../db/schema/index';
import { NotFoundError } from '../errors';
import { parseInput } from '../validation';
import { ALL_EVENT_TYPES, isWebhookEventType, WEBHOOK_EVENT_TYPES } from './events';
import { SecretBox } from './secret-box';
import { targetPolicyFromEnv, targetProblem, type TargetPolicy } from './targets';

export type WebhookSubscriptionRow = typeof webhookSubscriptions.$inferSelect;

/** 32 random bytes, base64url: the HMAC key a receiver needs to check signatures. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A receiver URL the target policy allows (domain/webhooks/targets.ts). */
const urlSchema = (policy: TargetPolicy) =>
  z
    .string()
    .trim()
    .max(2000, 'at most 2,000 characters')
    .superRefine((value, ctx) => {
      const problem = targetProblem(value, policy);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const eventTypes = z
  .array(z.string().trim())
  .min(1, 'list at least one event type (or "*" for all)')
  .max(50)
  .superRefine((types, ctx) => {
    types.forEach((type, i) => {
      if (type !== ALL_EVENT_TYPES && !isWebhookEventType(type)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `unknown event type "${type}" (known: ${WEBHOOK_EVENT_TYPES.join(', ')}, or "*")`,
        });
      }
    });
  })
  .transform((types) => [...new Set(types)]);

const secret = z
  .string()
  .min(16, 'at least 16 characters')
  .max(256, 'at most 256 characters')
  .refine((value) => value.trim() === value, 'must not start or end with spaces');

const createSchema = (policy: TargetPolicy) => z.object({ url: urlSchema(policy), eventTypes, secret: secret.nullish(), active: z.boolean().nullish() });

const updateSchema = (policy: TargetPolicy) =>
  z.object({
    subscriptionId: z.string(),
    url: urlSchema(policy).nullish(),
    eventTypes: eventTypes.nullish(),
    secret: secret.nullish(),
    active: z.boolean().nullish(),
  });

function subscriptionId(id: string): string {
  if (!UUID.test(id)) throw new NotFoundError('WebhookSubscription', id);
  return id;
}

/**
 * Adds a subscription. The secret (given, or generated) is returned this once; the API never shows
 * it again. Refused input writes nothing.
 */
export async function createSubscription(db: Db, actor: { userId: string } | null, input: unknown, policy = targetPolicyFromEnv(), box = SecretBox.fromEnv()) {
  const parsed = parseInput(createSchema(policy), input);
  const plain = parsed.secret ?? generateWebhookSecret();
  const [row] = await db
    .insert(webhookSubscriptions)
    .values({
      url: parsed.url,
      eventTypes: parsed.eventTypes,
      secret: box.seal(plain),
      active: parsed.active ?? true,
      createdById: actor?.userId ?? null,
    })
    .returning();
  return { subscription: row!, secret: plain };
}

/** Changes the URL, event types, secret or active flag; omitted fields stay as they are. */
export async function updateSubscription(db: Db, input: unknown, policy = targetPolicyFromEnv(), box = SecretBox.fromEnv()): Promise<WebhookSubscriptionRow> {
  const parsed = parseInput(updateSchema(policy), input);
  const id = subscriptionId(parsed.subscriptionId);
  const changes: Partial<WebhookSubscriptionRow> = {};
  if (parsed.url != null) changes.url = parsed.url;
  if (parsed.eventTypes != null) changes.eventTypes = parsed.eventTypes;
  if (parsed.secret != null) changes.secret = box.seal(parsed.secret);
  if (parsed.active != null) changes.active = parsed.active;
  const [row] = Object.keys(changes).length
    ? await db.update(webhookSubscriptions).set(changes).where(eq(webhookSubscriptions.id, id)).returning()
    : await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  if (!row) throw new NotFoundError('WebhookSubscription', id);
  return row;
}

/**
 * Paused subscriptions get no new events, and their pending deliveries wait (they resume when the
 * subscription is active again).
 */
export function setSubscriptionActive(db: Db, id: string, active: boolean): Promise<WebhookSubscriptionRow> {
  return updateSubscription(db, { subscriptionId: id, active });
}

/** Removes the subscription with its deliveries and their attempt log. */
export async function deleteSubscription(db: Db, id: string): Promise<WebhookSubscriptionRow> {
  const [row] = await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, subscriptionId(id))).returning();
  if (!row) throw new NotFoundError('WebhookSubscription', id);
  return row;
}

/** At start, with WEBHOOK_SECRET_KEY set: every secret stored in clear or under the previous key is re-encrypted. */
export async function reencryptSecrets(db: Db, box = SecretBox.fromEnv()): Promise<number> {
  const all = await db.select({ id: webhookSubscriptions.id, secret: webhookSubscriptions.secret }).from(webhookSubscriptions);
  let changed = 0;
  for (const row of all) {
    if (!box.stale(row.secret)) continue;
    let secret: string;
    try {
      secret = box.open(row.secret);
    } catch {
      // Sealed under a key this process does not have (a rotation under way elsewhere): left as it
      // is, and its deliveries fail with a clear error until the key is given. Not a reason to refuse to start.
      continue;
    }
    await db.update(webhookSubscriptions).set({ secret: box.seal(secret) }).where(eq(webhookSubscriptions.id, row.id));
    changed++;
  }
  return changed;
}
