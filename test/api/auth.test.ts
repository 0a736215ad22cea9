import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, users } from '../../db/schema/index';
import { authenticate, ensureAdminKey, hashApiKey } from '../../domain/auth/api-keys';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 20);
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

const EVERYTHING = /* GraphQL */ `
  query($id: ID!) {
    leads(first: 5) { edges { node { id email } } }
    accounts(first: 5) { edges { node { id name } } }
    users(first: 5) { edges { node { id name } } }
    slaAgreements(first: 5) { edges { node { id name } } }
    node(id: $id) { id }
    me { id }
    apiKeys { id }
  }
`;

describe('default deny', () => {
  for (const [label, key] of [
    ['anonymous', undefined],
    ['an unknown key', 'sla_not-a-real-key-0000000000000000000000000'],
    ['a malformed header', 'x'],
  ] as const) {
    it(`gives ${label} nothing`, async () => {
      const result = await server.gql(EVERYTHING, { id: encodeGlobalID('Lead', fx.leadIds[0]!) }, key);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.length).toBeGreaterThan(0);
      expect(result.errors!.every((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
      expect(JSON.stringify(result)).not.toContain('@account');
    });
  }

  it('gives a revoked key nothing, at once', async () => {
    const created = await server.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
        __typename ... on CreateApiKeyPayload { secret apiKey { id prefix role } } } }`,
      { input: { userId: encodeGlobalID('User', fx.userIds.marketing), name: 'temporary' } },
      fx.keys.admin,
    );
    expect(created.data!.createApiKey.__typename).toBe('CreateApiKeyPayload');
    const { secret, apiKey } = created.data!.createApiKey;
    expect(apiKey.role).toBe('MARKETING');
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    // stored hashed, never in clear
    const stored = await database.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(secret)));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(secret);

    expect((await server.gql(`{ me { name } }`, {}, secret)).data).toEqual({ me: { name: 'Mia Marketer' } });
    const revoked = await server.gql(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { __typename ... on RevokeApiKeyPayload { apiKey { revokedAt } } } }`,
      { id: apiKey.id },
      fx.keys.admin,
    );
    expect(revoked.data!.revokeApiKey.apiKey.revokedAt).toBeTruthy();
    const after = await server.gql(`{ me { name } }`, {}, secret);
    expect(after.data).toBeNull();
    expect(after.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('roles', () => {
  it('hides personal fields from viewers but shows the rest', async () => {
    const result = await server.gql(
      `{ leads(first: 3) { edges { node { email firstName lastName phone stage source score { total } } } }
         users(first: 2) { edges { node { name email } } } }`,
      {},
      fx.keys.viewer,
    );
    expect(result.errors).toBeUndefined();
    for (const { node } of result.data!.leads.edges) {
      expect(node).toMatchObject({ email: null, firstName: null, lastName: null, phone: null, stage: 'MQL' });
      expect(node.score.total).toBeGreaterThan(0);
    }
    for (const { node } of result.data!.users.edges) expect(node.email).toBeNull();

    // Free text and custom attributes may hold personal data too.
    const nested = await server.gql(`{ leads(first: 3) { edges { node { attributes stageTransitions { reason toStage } } } } }`, {}, fx.keys.viewer);
    expect(nested.errors).toBeUndefined();
    for (const { node } of nested.data!.leads.edges) {
      expect(node.attributes).toBeNull();
      expect(node.stageTransitions.map((t: { reason: string | null }) => t.reason)).toEqual([null, null]);
    }
    const admin = await server.gql(`{ leads(first: 1) { edges { node { stageTransitions { reason } } } } }`, {}, fx.keys.admin);
    expect(admin.data!.leads.edges[0].node.stageTransitions[1].reason).toBe('fit and interest thresholds met');
  });

  it('shows personal fields to marketing', async () => {
    const result = await server.gql(`{ leads(first: 1) { edges { node { email firstName } } } }`, {}, fx.keys.marketing);
    expect(result.data!.leads.edges[0].node.email).toMatch(/@account\d\.test$/);
  });

  it('shows a sales rep only the leads it owns', async () => {
    const list = await server.gql(`{ leads(first: 100) { totalCount edges { node { owner { id } } } } }`, {}, fx.keys.salesA);
    expect(list.errors).toBeUndefined();
    expect(list.data!.leads.totalCount).toBe(10);
    const owners = new Set(list.data!.leads.edges.map((e: { node: { owner: { id: string } } }) => e.node.owner.id));
    expect([...owners]).toEqual([encodeGlobalID('User', fx.userIds.salesA)]);

    // Lead 1 belongs to rep B: not visible through lead(id) nor node(id).
    const other = encodeGlobalID('Lead', fx.leadIds[1]!);
    const direct = await server.gql(
      `query($id: ID!) { lead(id: $id) { email } node(id: $id) { id } }`,
      { id: other },
      fx.keys.salesA,
    );
    // Exactly as for a lead that does not exist: null, no error (issue 13: not found means not found).
    expect(direct).toEqual({ status: 200, data: { lead: null, node: null } });
  });

  it('lets only admins create keys', async () => {
    const result = await server.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }`,
      { input: { userId: encodeGlobalID('User', fx.userIds.marketing), name: 'sneaky' } },
      fx.keys.marketing,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const keys = await database.db.select().from(apiKeys).where(eq(apiKeys.name, 'sneaky'));
    expect(keys).toHaveLength(0);
  });

  it('returns typed errors for a bad key request and writes nothing', async () => {
    const before = await database.db.select().from(apiKeys);
    const result = await server.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
        __typename ... on ValidationError { problems { field message } } ... on NotFoundError { entity } } }`,
      { input: { userId: encodeGlobalID('User', fx.userIds.viewer), name: 'admin for a viewer', role: 'ADMIN' } },
      fx.keys.admin,
    );
    expect(result.data!.createApiKey).toEqual({
      __typename: 'ValidationError',
      problems: [{ field: 'role', message: 'a key for viewer@fixture.test can only carry role viewer, not admin' }],
    });
    const missing = await server.gql(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on NotFoundError { entity } } }`,
      { input: { userId: encodeGlobalID('User', '00000000-0000-4000-8000-000000000001'), name: 'ghost' } },
      fx.keys.admin,
    );
    expect(missing.data!.createApiKey).toEqual({ __typename: 'NotFoundError', entity: 'User' });
    expect(await database.db.select().from(apiKeys)).toHaveLength(before.length);
  });
});

describe('first start', () => {
  it('creates one admin key on an empty database, and takes ADMIN_API_KEY when set', async () => {
    const fresh = await openTestDatabase();
    try {
      const first = await ensureAdminKey(fresh.db);
      expect(first?.role).toBe('admin');
      expect(await authenticate(fresh.db, first!.key)).toMatchObject({ role: 'admin' });
      expect(await ensureAdminKey(fresh.db)).toBeNull();
      const configured = 'sla_configured-admin-key-for-tests-0001';
      const second = await ensureAdminKey(fresh.db, configured);
      expect(second?.key).toBe(configured);
      expect(await ensureAdminKey(fresh.db, configured)).toBeNull();
      expect(await fresh.db.select().from(users).where(isNotNull(users.id))).toHaveLength(1);
      expect(await authenticate(fresh.db, configured)).toMatchObject({ role: 'admin' });
    } finally {
      await fresh.dispose();
    }
  });
});
