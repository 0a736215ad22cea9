import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { apiKeys } from '../../db/schema/index';
import { createApiKey } from '../../domain/auth/api-keys';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { builder } from '../builder';
import { isUuid, uuids } from '../loaders';
import { UserRoleEnum } from './enums';
import { UserRef } from './refs';

type ApiKeyRow = typeof apiKeys.$inferSelect;

export const ApiKeyRef = builder.loadableNodeRef('ApiKey', {
  id: { resolve: (key: ApiKeyRow) => key.id },
  load: (ids: string[], ctx) => ctx.db.select().from(apiKeys).where(inArray(apiKeys.id, uuids(ids))),
  sort: (key) => key.id,
});

ApiKeyRef.implement({
  description: 'An API key. The secret is shown once, when it is created; only a hash is stored.',
  // Admins see every key; others only their own.
  authScopes: (key, ctx) => !!ctx.viewer && (ctx.viewer.role === 'admin' || ctx.viewer.userId === key.userId),
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', {
      description: 'To recognise the key: `sla_` and the first 6 random characters of a generated key, or a random `cfg_…` label (never a piece of the key) for one given as ADMIN_API_KEY. Revoke by it with `npm run keys -- revoke <prefix>`.',
    }),
    role: t.field({ type: UserRoleEnum, resolve: (key) => key.role }),
    user: t.field({ type: UserRef, resolve: (key) => key.userId }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    userId: t.globalID({ required: true, for: UserRef, description: 'The key’s owner.' }),
    name: t.string({ required: true, description: 'A label, e.g. "BI dashboard".' }),
    role: t.field({
      type: UserRoleEnum,
      required: false,
      description: 'The owner’s role (default) or VIEWER for a read-only key.',
    }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ id: string; secret: string }>('CreateApiKeyPayload').implement({
  description: 'The new key and, this once, its secret.',
  fields: (t) => ({
    secret: t.exposeString('secret', { description: 'The key itself. Store it now: it is never shown again.' }),
    apiKey: t.field({ type: ApiKeyRef, resolve: (payload) => payload.id }),
  }),
});

const RevokeApiKeyPayload = builder.objectRef<ApiKeyRow>('RevokeApiKeyPayload').implement({
  description: 'The revoked key.',
  fields: (t) => ({ apiKey: t.field({ type: ApiKeyRef, resolve: (row) => row }) }),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: ApiKeyRef }) }),
});

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: [ApiKeyRef],
    description: 'API keys, newest first: all of them for admins, your own for everyone else.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, ctx) =>
      ctx.db
        .select()
        .from(apiKeys)
        .where(ctx.viewer!.role === 'admin' ? undefined : eq(apiKeys.userId, ctx.viewer!.userId))
        .orderBy(desc(apiKeys.createdAt))
        .limit(500),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description: 'Admins only: create an API key for a user. The payload carries the secret, once.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    errors: { types: [ValidationError, NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      if (!isUuid(input.userId.id)) throw new NotFoundError('User', input.userId.id);
      const created = await createApiKey(ctx.db, {
        user: { id: input.userId.id },
        name: input.name,
        role: input.role ?? undefined,
        expiresAt: input.expiresAt ?? undefined,
      });
      return { secret: created.key, id: created.id };
    },
  }),
  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    description: 'Admins only: revoke a key at once. Requests with it are then anonymous.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RevokeApiKeyInput, required: true }) },
    errors: { types: [NotFoundError] },
    resolve: async (_root, { input }, ctx) => {
      const id = input.id.id;
      if (!isUuid(id)) throw new NotFoundError('ApiKey', id);
      const [row] = await ctx.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning();
      if (!row) throw new NotFoundError('ApiKey', id);
      return row;
    },
  }),
}));
