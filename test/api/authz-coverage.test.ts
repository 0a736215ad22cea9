// Authorization coverage (issue 7, point 3). Walks the WHOLE schema:
//
// 1. statically: every field of every object type is guarded, by a scope on the field, on its type,
//    or because every field that can return its type is guarded; Node types and lead records carry
//    their own checks; the personal-data fields are exactly the documented ones;
// 2. over HTTP: every root Query and Mutation field, as anonymous and as each role, against a
//    hand-written access matrix (a new root field fails until it is classified here);
// 3. node(id) / nodes(ids) for every Node type, with real ids: own and other reps' records (another
//    rep's read exactly like missing ones: null, no error) and ids of nothing;
// 4. a sales rep acting on another rep's lead: answered exactly like a missing lead, and not one
//    database row changes.
//
// The expectations below are written by hand from README.md ("Access: API keys and roles"): they are
// never derived from the scopes they check.

import { randomUUID } from 'node:crypto';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeID, SEALED_NODE_TYPES } from '../../api/global-ids';
import { schema } from '../../api/schema';
import { rows } from '../../db/client';
import { tick } from '../../domain/clocks/scheduler';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

type Role = 'admin' | 'marketing' | 'sales' | 'viewer';
const ROLES: readonly Role[] = ['admin', 'marketing', 'sales', 'viewer'];
const ALL: readonly Role[] = ROLES;
const NOT_VIEWER: readonly Role[] = ['admin', 'marketing', 'sales'];
const ADMIN: readonly Role[] = ['admin'];
const ADMIN_MARKETING: readonly Role[] = ['admin', 'marketing'];
const ADMIN_SALES: readonly Role[] = ['admin', 'sales'];

// ---------------------------------------------------------------------------------------------
// The hand-written expectations
// ---------------------------------------------------------------------------------------------

/** Who may call each root field (README: admin everything; marketing leads, activities, nurture and
 * reads the rules; sales its own leads, attempts, accept/reject/recycle; viewer reports and
 * aggregates). Anonymous callers may call nothing. */
const ROOT_ACCESS: Record<string, readonly Role[]> = {
  'Query.accounts': ALL,
  'Query.agreementRevisionDiff': NOT_VIEWER,
  'Query.apiKeys': ALL, // everyone lists their own keys, admins all of them
  'Query.backtestRevision': ADMIN_MARKETING,
  'Query.kpiChart': ALL,
  'Query.lead': ALL,
  'Query.leads': ALL,
  'Query.me': ALL,
  'Query.node': ALL,
  'Query.nodes': ALL,
  'Query.notebook': ALL,
  'Query.reportKpis': ALL,
  'Query.rescoreRun': NOT_VIEWER,
  'Query.slaAgreement': ALL,
  'Query.slaAgreements': ALL,
  'Query.slaBreaches': NOT_VIEWER,
  'Query.stuckLeads': NOT_VIEWER, // a rep: its own
  'Query.salesTeams': ALL,
  'Query.previewAgreementScope': ADMIN,
  'Query.users': ALL,
  'Query.webhookDeliveries': ADMIN,
  'Query.webhookEventTypes': ADMIN,
  'Query.webhookSubscriptions': ADMIN,
  'Query.workQueue': ADMIN_SALES,

  'Mutation.acceptLead': ADMIN_SALES,
  'Mutation.rejectLead': ADMIN_SALES,
  'Mutation.recycleLead': ADMIN_SALES,
  'Mutation.disqualifyLead': ADMIN_SALES,
  'Mutation.logContactAttempt': ADMIN_SALES,
  'Mutation.createOpportunity': ADMIN_SALES,
  'Mutation.updateOpportunity': ADMIN_SALES,
  'Mutation.enrolLeadInNurture': NOT_VIEWER,
  'Mutation.changeLeadStage': NOT_VIEWER,
  'Mutation.createLead': ADMIN_MARKETING,
  'Mutation.updateLead': ADMIN_MARKETING,
  'Mutation.importLeads': ADMIN_MARKETING,
  'Mutation.recordActivities': ADMIN_MARKETING,
  'Mutation.recordDailyTraffic': ADMIN_MARKETING,
  'Mutation.createReportLink': ALL,
  'Mutation.createApiKey': ADMIN,
  'Mutation.createUser': ADMIN,
  'Mutation.updateUser': ADMIN,
  'Mutation.deactivateUser': ADMIN,
  'Mutation.createSalesTeam': ADMIN,
  'Mutation.updateSalesTeam': ADMIN,
  'Mutation.createOutOfOffice': ADMIN_SALES, // a rep: its own
  'Mutation.cancelOutOfOffice': ADMIN_SALES, // a rep: its own
  'Mutation.revokeApiKey': ADMIN,
  'Mutation.createSlaAgreement': ADMIN,
  'Mutation.updateSlaAgreement': ADMIN,
  'Mutation.updateAgreementRules': ADMIN,
  'Mutation.startAgreementRevision': ADMIN,
  'Mutation.discardAgreementDraft': ADMIN,
  'Mutation.activateAgreementRevision': ADMIN,
  'Mutation.archiveSlaAgreement': ADMIN,
  'Mutation.rescoreAgreement': ADMIN,
  'Mutation.createWebhookSubscription': ADMIN,
  'Mutation.updateWebhookSubscription': ADMIN,
  'Mutation.deleteWebhookSubscription': ADMIN,
  'Mutation.retryWebhookDelivery': ADMIN,
  'Mutation.sendTestWebhook': ADMIN,
};

/** Records that belong to one lead: each must check the object itself (a sales rep sees its own only). */
const LEAD_RECORDS = ['Lead', 'StageTransition', 'ScoreLedgerEntry', 'Activity', 'ContactAttempt', 'Opportunity', 'SlaClockState', 'SlaBreach', 'Handoff', 'LeadAgreementChange', 'LeadOwnerChange'];
/** Parts of one lead's data without a check of their own: reachable only through a lead record. */
const LEAD_PARTS = ['LeadScore', 'ScoreBreakdownLine', 'NurtureEnrolment', 'LeadActivitiesConnection', 'LeadActivitiesConnectionEdge', 'LeadGovernance'];
/** Shared records a lead record points at (their own scopes apply). */
const SHARED_FROM_LEADS = ['Account', 'User', 'SlaAgreement', 'AgreementRevision', 'PageInfo'];

/** Personal data (README): viewers read null, without an error. */
const NULL_FOR_VIEWERS = [
  'User.email',
  'Lead.email',
  'Lead.firstName',
  'Lead.lastName',
  'Lead.phone',
  'Lead.attributes',
  'StageTransition.reason',
  'ContactAttempt.notes',
  'Opportunity.name',
  'Activity.properties',
  'AgreementRevision.rules',
];
/** Nested fields viewers are refused outright (FORBIDDEN). */
const FORBIDDEN_FOR_VIEWERS = ['SlaAgreement.changes', 'SlaAgreement.rescoreRuns'];

// ---------------------------------------------------------------------------------------------
// Reading the built schema
// ---------------------------------------------------------------------------------------------

interface PothosOptions {
  authScopes?: unknown;
  unauthorizedResolver?: unknown;
}
const optionsOf = (x: { extensions?: Readonly<Record<string, unknown>> | null }) =>
  (x.extensions?.pothosOptions ?? {}) as PothosOptions;
const relayTypeOf = (x: { extensions?: Readonly<Record<string, unknown>> | null }) =>
  (x.extensions?.relayGlobalIDFor as { typename: string }[] | undefined)?.[0]?.typename;

const queryType = schema.getQueryType()!;
const mutationType = schema.getMutationType()!;
const ROOTS = new Set([queryType.name, mutationType.name]);
const objectTypes = Object.values(schema.getTypeMap()).filter(
  (t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'),
);
const objectType = (name: string) => objectTypes.find((t) => t.name === name)!;

type AnyField = GraphQLField<unknown, unknown>;

/** The object types a field can return: the type, or an interface's implementations / a union's members. */
function targets(field: AnyField): GraphQLObjectType[] {
  const named = getNamedType(field.type);
  if (isObjectType(named)) return [named];
  if (isInterfaceType(named) || isUnionType(named)) return [...schema.getPossibleTypes(named)];
  return [];
}

/** The scope checked on every object of the type (its own, or an interface's: Pothos runs both). */
const typeScope = (type: GraphQLObjectType) =>
  optionsOf(type).authScopes ?? type.getInterfaces().map(optionsOf).find((o) => o.authScopes)?.authScopes;
const fieldScope = (field: AnyField) => optionsOf(field).authScopes;

interface Edge {
  from: string;
  field: string;
  to: string;
  fieldGuarded: boolean;
}
const edges: Edge[] = objectTypes.flatMap((type) =>
  Object.values(type.getFields()).flatMap((field) =>
    targets(field).map((to) => ({ from: type.name, field: field.name, to: to.name, fieldGuarded: !!fieldScope(field) })),
  ),
);

const reachable = new Set<string>(ROOTS);
for (const queue = [...ROOTS]; queue.length > 0; ) {
  const name = queue.pop()!;
  for (const edge of edges) {
    if (edge.from === name && !reachable.has(edge.to)) {
      reachable.add(edge.to);
      queue.push(edge.to);
    }
  }
}

/**
 * Types every object of which is behind a guard: a type-level scope (runScopesOnType: checked on
 * every object, however it is reached), or, for a type without one, every field that can return it
 * is guarded (its own scope, or a guarded parent type). Greatest fixpoint: start from every non-root
 * type and drop those one unguarded field reaches; root types are never guarded themselves.
 */
const guardedTypes = new Set(objectTypes.filter((t) => !ROOTS.has(t.name)).map((t) => t.name));
for (let changed = true; changed; ) {
  changed = false;
  for (const edge of edges) {
    if (!guardedTypes.has(edge.to) || typeScope(objectType(edge.to))) continue;
    if (edge.fieldGuarded || guardedTypes.has(edge.from)) continue;
    guardedTypes.delete(edge.to);
    changed = true;
  }
}

type Guard = 'field' | 'type' | 'parent';
function guardOf(type: GraphQLObjectType, field: AnyField): Guard | null {
  if (fieldScope(field)) return 'field';
  if (ROOTS.has(type.name)) return null;
  if (typeScope(type)) return 'type';
  return guardedTypes.has(type.name) ? 'parent' : null;
}

const rootFieldNames = [queryType, mutationType].flatMap((type) => Object.keys(type.getFields()).map((name) => `${type.name}.${name}`));

// ---------------------------------------------------------------------------------------------
// Operations generated from the schema
// ---------------------------------------------------------------------------------------------

/** A type-correct value for an input type: required input fields filled, lists empty, ids unknown. */
function dummyValue(type: GraphQLInputType, relayType?: string, idValue?: string): unknown {
  if (isNonNullType(type)) return dummyValue(type.ofType, relayType, idValue);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, dummyValue(f.type, relayTypeOf(f), idValue)]),
    );
  }
  switch (type.name) {
    case 'ID':
      // A well-formed global id of nothing (malformed ids fail before authorization: see the report).
      return idValue ?? encodeGlobalID(relayType ?? 'Lead', randomUUID());
    case 'String':
      return '';
    case 'Int':
    case 'Float':
      return 0;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2026-01-05T09:00:00Z';
    case 'Date':
      return '2026-01-05';
    case 'JSON':
      return {};
    default:
      throw new Error(`no dummy value for scalar ${type.name}: teach the authorization walk about it`);
  }
}

/** The smallest operation calling one root field: required arguments only, __typename selected. */
function operationFor(operation: 'query' | 'mutation', field: AnyField, idValue?: string) {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const declarations = required.map((a, i) => `$v${i}: ${String(a.type)}`);
  const args = required.map((a, i) => `${a.name}: $v${i}`);
  const named = getNamedType(field.type);
  const selection = isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? ' { __typename }' : '';
  return {
    text: `${operation}${declarations.length ? `(${declarations.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`,
    variables: Object.fromEntries(required.map((a, i) => [`v${i}`, dummyValue(a.type, relayTypeOf(a), idValue)])),
  };
}

type Outcome = 'unauthenticated' | 'forbidden' | 'allowed' | string;
const codesOf = (result: GraphQLResponse) => (result.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
const hasNoData = (data: unknown) => data == null || Object.values(data as object).every((v) => v == null);

/** What a caller got from one root field. Refusals must carry no data at all. */
function outcomeOf(result: GraphQLResponse, field: string): Outcome {
  const codes = codesOf(result);
  if (codes.includes('UNAUTHENTICATED')) {
    if (!codes.every((c) => c === 'UNAUTHENTICATED')) return `mixed errors ${codes.join(',')}`;
    return hasNoData(result.data) ? 'unauthenticated' : `LEAK: UNAUTHENTICATED with data ${JSON.stringify(result.data)}`;
  }
  if (codes.includes('FORBIDDEN')) {
    return hasNoData(result.data) ? 'forbidden' : `LEAK: FORBIDDEN with data ${JSON.stringify(result.data)}`;
  }
  // Past authorization: the resolver answered (possibly with a typed error or BAD_USER_INPUT for the
  // dummy arguments), but the server did not fail.
  const unexpected = codes.filter((c) => c !== 'BAD_USER_INPUT');
  if (unexpected.length) return `errors ${unexpected.join(',')}: ${result.errors!.map((e) => e.message).join(' | ')}`;
  if (codes.length > 0) return result.errors!.every((e) => e.path?.[0] === field) ? 'allowed' : `errors off the field: ${JSON.stringify(result.errors)}`;
  if (result.data == null || !(field in result.data)) return `no data and no error: ${JSON.stringify(result)}`;
  return 'allowed';
}

// ---------------------------------------------------------------------------------------------
// The world: fixture users and keys, an active agreement routing to both reps, routed leads
// ---------------------------------------------------------------------------------------------

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let keyOf: Record<Role, string>;
/** Global ids. "mine*" belong to rep A (the sales caller), "their*" to rep B. */
const ids = {} as {
  mine: string;
  theirs: string;
  theirOpportunityLead: string;
  theirOpportunity: string;
  /** Rep B's own fresh leads, for the controls (the owner may do what was refused). */
  controls: string[];
  agreement: string;
  revision: string;
  webhookSubscription: string;
  webhookDelivery: string;
  salesTeam: string;
};

const uuidOf = (globalId: string) => decodeGlobalID(globalId).id;

async function ok(query: string, variables: Record<string, unknown>, key: string) {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

beforeAll(async () => {
  database = await openTestDatabase();
  // The fixture's own agreement is archived: the leads that matter come from the active one below.
  fx = await buildFixture(database.db, 10, { agreementStatus: 'archived' });
  // No webhook dispatcher; no rate limits (this file sends ~700 requests, many anonymous).
  server = await startTestServer(database, {
    WEBHOOKS_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
  });
  keyOf = { admin: fx.keys.admin, marketing: fx.keys.marketing, sales: fx.keys.salesA, viewer: fx.keys.viewer };

  const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
  const created = await ok(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { agreement { id } revision { id } } } }`,
    { input: { name: 'Authz SLA', rules } },
    fx.keys.admin,
  );
  ids.agreement = created.createSlaAgreement.agreement.id;
  ids.revision = created.createSlaAgreement.revision.id;
  await ok(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, { id: ids.revision }, fx.keys.admin);

  // Demo requests hand every lead off at once; weighted routing gives rep B (weight 2) two in three.
  const events = Array.from({ length: 18 }, (_, i) => ({
    clientEventId: `authz-demo-${i}`,
    type: 'DEMO_REQUEST',
    occurredAt: new Date(Date.now() - (60 - i) * 60_000).toISOString(),
    email: `person${i}@authz.test`,
    properties: { url: 'https://example.test/demo', campaign: 'authz' },
    lead: { firstName: `Pat${i}`, lastName: 'Person', phone: '+1 555 0100', seniority: 'vp', companyName: 'Authz Inc', source: 'referral', attributes: { tier: 'gold' } },
  }));
  await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events }, fx.keys.marketing);
  const found = await ok(
    `{ leads(first: 100, orderBy: CREATED_AT_ASC) { edges { node { id email stage handoffStatus owner { id } } } } }`,
    {},
    fx.keys.admin,
  );
  const routed = (found.leads.edges as { node: { id: string; email: string; stage: string; handoffStatus: string; owner: { id: string } | null } }[])
    .map((e) => e.node)
    .filter((l) => l.email.endsWith('@authz.test') && l.stage === 'MQL' && l.handoffStatus === 'ROUTED');
  const ownedBy = (userId: string) => routed.filter((l) => l.owner?.id === encodeGlobalID('User', userId)).map((l) => l.id);
  const mine = ownedBy(fx.userIds.salesA);
  const theirs = ownedBy(fx.userIds.salesB);
  expect(mine.length).toBeGreaterThanOrEqual(1);
  expect(theirs.length).toBeGreaterThanOrEqual(2 + Object.values(ACT_CASES).filter((c) => c.freshLead).length);
  [ids.theirs, ids.theirOpportunityLead] = theirs as [string, string];
  ids.controls = theirs.slice(2);
  ids.mine = mine[0]!;

  // Rep A works its own lead: every personal-data field of its records gets a value.
  await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: ids.mine }, fx.keys.salesA);
  await ok(
    // A voicemail leaves the follow-up open: its cadence clock breaches at the tick below.
    `mutation($id: ID!) { logContactAttempt(input: { leadId: $id, channel: PHONE, outcome: VOICEMAIL, notes: "asked for a call back" }) { __typename } }`,
    { id: ids.mine },
    fx.keys.salesA,
  );
  await ok(
    `mutation($id: ID!) { createOpportunity(input: { leadId: $id, name: "Pat's pilot", amountMinor: 100000, pipelineStageKey: "discovery" }) { __typename } }`,
    { id: ids.mine },
    fx.keys.salesA,
  );
  // Rep B's lead with an open opportunity, for createOpportunity / updateOpportunity.
  await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: ids.theirOpportunityLead }, fx.keys.salesB);
  const opportunity = await ok(
    `mutation($id: ID!) { createOpportunity(input: { leadId: $id, name: "Sue's deal", amountMinor: 500000, pipelineStageKey: "discovery" }) { ... on OpportunityPayload { opportunity { id } } } }`,
    { id: ids.theirOpportunityLead },
    fx.keys.salesB,
  );
  ids.theirOpportunity = opportunity.createOpportunity.opportunity.id;

  // Breach every running clock (both reps' leads) so that slaBreaches has rows to hide.
  const ticked = await tick(database.db, new Date(Date.now() + 30 * 86_400_000));
  expect(ticked.breaches).toBeGreaterThan(0);

  const team = await ok(`mutation { createSalesTeam(input: { name: "Authz team" }) { ... on SalesTeamPayload { team { id } } } }`, {}, fx.keys.admin);
  ids.salesTeam = team.createSalesTeam.team.id;
  // Rep B will be away next month (the note is free text: viewers get null).
  const away = await ok(
    `mutation($input: CreateOutOfOfficeInput!) { createOutOfOffice(input: $input) { __typename } }`,
    { input: { userId: encodeGlobalID('User', fx.userIds.salesB), startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 37 * 86_400_000).toISOString(), note: 'trekking in Nepal' } },
    fx.keys.salesB,
  );
  expect(away.createOutOfOffice.__typename).toBe('OutOfOfficePayload');

  const subscription = await ok(
    `mutation { createWebhookSubscription(input: { url: "http://127.0.0.1:9/hook", eventTypes: ["lead.mql"] }) { ... on CreateWebhookSubscriptionPayload { subscription { id } } } }`,
    {},
    fx.keys.admin,
  );
  ids.webhookSubscription = subscription.createWebhookSubscription.subscription.id;
  const delivery = await ok(
    `mutation($id: ID!) { sendTestWebhook(input: { subscriptionId: $id }) { ... on WebhookDeliveryPayload { delivery { id } } } }`,
    { id: ids.webhookSubscription },
    fx.keys.admin,
  );
  ids.webhookDelivery = delivery.sendTestWebhook.delivery.id;
});

afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

// ---------------------------------------------------------------------------------------------
// 1. Static walk
// ---------------------------------------------------------------------------------------------

describe('every field of the schema is guarded (static walk)', () => {
  it('guards every field of every object type reachable from Query and Mutation', () => {
    const unguarded: string[] = [];
    const counts: Record<Guard, number> = { field: 0, type: 0, parent: 0 };
    for (const type of objectTypes) {
      if (!reachable.has(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        const guard = guardOf(type, field);
        if (guard) {
          counts[guard] += 1;
          continue;
        }
        const via = edges.filter((e) => e.to === type.name && !e.fieldGuarded && !guardedTypes.has(e.from) && !typeScope(type));
        unguarded.push(
          ROOTS.has(type.name)
            ? `${type.name}.${field.name} (root field without authScopes)`
            : `${type.name}.${field.name} (reached unguarded through ${via.map((e) => `${e.from}.${e.field}`).join(', ')})`,
        );
      }
    }
    expect(unguarded).toEqual([]);
    // The walk did walk: the whole schema, not a corner of it.
    expect(objectTypes.filter((t) => !reachable.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(counts.field + counts.type + counts.parent).toBeGreaterThan(500);
  });

  it('checks every Node type on the object itself (node(id) only asks for a valid key)', () => {
    const nodeTypes = schema.getPossibleTypes(schema.getType('Node') as never);
    expect(nodeTypes.length).toBeGreaterThanOrEqual(11);
    expect(nodeTypes.filter((t) => !typeScope(t)).map((t) => t.name)).toEqual([]);
  });

  it('checks every lead record per object, and reaches the parts of a lead only through them', () => {
    expect(LEAD_RECORDS.filter((name) => typeof typeScope(objectType(name)) !== 'function')).toEqual([]);
    const insideLeads = new Set([...LEAD_RECORDS, ...LEAD_PARTS]);
    // Every part of a lead is reached from lead records (or other parts) only.
    const strayEdges = edges.filter((e) => LEAD_PARTS.includes(e.to) && !insideLeads.has(e.from)).map((e) => `${e.from}.${e.field} → ${e.to}`);
    expect(strayEdges).toEqual([]);
    // Whatever a lead record or part points at is classified (a new type fails here until it is).
    const unclassified = edges
      .filter((e) => insideLeads.has(e.from) && !insideLeads.has(e.to) && !SHARED_FROM_LEADS.includes(e.to))
      .map((e) => `${e.from}.${e.field} → ${e.to}`);
    expect(unclassified).toEqual([]);
  });

  it('scopes exactly the documented nested fields: personal data null for viewers, the rest refused', () => {
    const nested = objectTypes
      .filter((t) => !ROOTS.has(t.name))
      .flatMap((t) => Object.values(t.getFields()).filter((f) => fieldScope(f)).map((f) => ({ name: `${t.name}.${f.name}`, nulls: !!optionsOf(f).unauthorizedResolver })));
    expect(nested.filter((f) => f.nulls).map((f) => f.name).sort()).toEqual([...NULL_FOR_VIEWERS].sort());
    expect(nested.filter((f) => !f.nulls).map((f) => f.name).sort()).toEqual([...FORBIDDEN_FOR_VIEWERS].sort());
  });

  it('lets error results go without a type scope only where the field returning them has its own', () => {
    // Decision: ValidationError, NotFoundError, ConflictError and ForbiddenError carry only the
    // refusal of the call that returned them (message, code, field problems), never a record. They
    // are reached only through result unions of root fields that are themselves scoped, so a type
    // scope would add nothing; this keeps it that way.
    const errorTypes = schema.getPossibleTypes(schema.getType('Error') as never).map((t) => t.name);
    expect(errorTypes.sort()).toEqual(['ConflictError', 'ForbiddenError', 'NotFoundError', 'ValidationError']);
    const looseEdges = edges.filter((e) => errorTypes.includes(e.to) && !(ROOTS.has(e.from) && e.fieldGuarded));
    expect(looseEdges.map((e) => `${e.from}.${e.field}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Every root field, as anonymous and as each role
// ---------------------------------------------------------------------------------------------

describe('every root field against the access matrix (dynamic walk)', () => {
  it('classifies every root field in the matrix, and nothing else', () => {
    expect(rootFieldNames.filter((name) => !(name in ROOT_ACCESS)).sort()).toEqual([]);
    expect(Object.keys(ROOT_ACCESS).filter((name) => !rootFieldNames.includes(name)).sort()).toEqual([]);
  });

  it('refuses anonymous callers everything and each role what the matrix refuses, with no data', async () => {
    const mismatches: string[] = [];
    let calls = 0;
    for (const [operation, type] of [['query', queryType], ['mutation', mutationType]] as const) {
      for (const field of Object.values(type.getFields())) {
        const name = `${type.name}.${field.name}`;
        const allowed = ROOT_ACCESS[name];
        if (!allowed) continue; // reported by the test above
        const { text, variables } = operationFor(operation, field);
        const callers: [Role | 'anonymous', string | undefined][] = [['anonymous', undefined], ...ROLES.map((r) => [r, keyOf[r]] as [Role, string])];
        for (const [caller, key] of callers) {
          const result = await server.gql(text, variables, key);
          calls += 1;
          const got = outcomeOf(result, field.name);
          const expected = caller === 'anonymous' ? 'unauthenticated' : allowed.includes(caller) ? 'allowed' : 'forbidden';
          if (got !== expected) mismatches.push(`${name} as ${caller}: expected ${expected}, got ${got}  [${text}]`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(calls).toBe(rootFieldNames.length * 5);
  });

  it('gives anonymous and refused callers no data with malformed ids either', async () => {
    // Pothos decodes global-id arguments before the scope check, so such a request is answered
    // with the input error (BAD_USER_INPUT) rather than UNAUTHENTICATED / FORBIDDEN. Whatever the
    // code, no resolver may run and nothing may come back.
    const leaks: string[] = [];
    let probed = 0;
    for (const [operation, type] of [['query', queryType], ['mutation', mutationType]] as const) {
      for (const field of Object.values(type.getFields())) {
        const { text, variables } = operationFor(operation, field, 'not-an-id');
        if (!JSON.stringify(variables).includes('not-an-id')) continue;
        probed += 1;
        const allowed = ROOT_ACCESS[`${type.name}.${field.name}`] ?? [];
        for (const caller of ['anonymous', ...ROLES.filter((r) => !allowed.includes(r))] as const) {
          const result = await server.gql(text, variables, caller === 'anonymous' ? undefined : keyOf[caller]);
          if (!result.errors?.length || !hasNoData(result.data)) leaks.push(`${type.name}.${field.name} as ${caller}: ${JSON.stringify(result)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    expect(probed).toBeGreaterThanOrEqual(25);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. node(id) and nodes(ids) for every Node type, with real ids
// ---------------------------------------------------------------------------------------------

describe('node(id) and nodes(ids) for every Node type', () => {
  const firstId = async (table: string, leadId: string) => {
    const [row] = await rows<{ id: string | number }>(database.db, sql`select id from ${sql.raw(table)} where lead_id = ${uuidOf(leadId)}::uuid order by id limit 1`);
    expect(row, `${table} of lead ${leadId}`).toBeDefined();
    return String(row!.id);
  };

  /** A well-formed global id of a record of the type that does not exist. */
  const missingId = (typename: string) => (SEALED_NODE_TYPES.has(typename) ? encodeNodeID(database, typename, 2 ** 52) : encodeGlobalID(typename, randomUUID()));

  /**
   * Per Node type, real records and who may read each (sales is rep A; "own" depends on the caller).
   * Roles in `missingFor` get what a missing id gets (null, no error): another rep's records do not
   * exist for a rep. Every other role not allowed is refused (FORBIDDEN).
   */
  async function nodeCases(): Promise<Record<string, { label: string; id: (role: Role) => string; allowed: readonly Role[]; missingFor?: readonly Role[] }[]>> {
    const keyRows = await rows<{ id: string; user_id: string }>(database.db, sql`select id, user_id from api_keys`);
    const ownKey = (role: Role) => {
      const userId = { admin: fx.userIds.admin, marketing: fx.userIds.marketing, sales: fx.userIds.salesA, viewer: fx.userIds.viewer }[role];
      return encodeGlobalID('ApiKey', keyRows.find((k) => k.user_id === userId)!.id);
    };
    const adminKey = encodeGlobalID('ApiKey', keyRows.find((k) => k.user_id === fx.userIds.admin)!.id);
    const leadBound = async (typename: string, table: string) => {
      const other = encodeNodeID(database, typename, await firstId(table, ids.theirs));
      const own = encodeNodeID(database, typename, await firstId(table, ids.mine));
      return [
        { label: `another rep's lead's ${typename}`, id: () => other, allowed: ['admin', 'marketing', 'viewer'] as readonly Role[], missingFor: ['sales'] as readonly Role[] },
        { label: `own lead's ${typename}`, id: () => own, allowed: ALL },
      ];
    };
    const cases: Record<string, { label: string; id: (role: Role) => string; allowed: readonly Role[]; missingFor?: readonly Role[] }[]> = {
      User: [{ label: 'another user', id: () => encodeGlobalID('User', fx.userIds.salesB), allowed: ALL }],
      Account: [{ label: 'an account', id: () => encodeGlobalID('Account', fx.accountIds[0]!), allowed: ALL }],
      SlaAgreement: [{ label: 'the agreement', id: () => ids.agreement, allowed: ALL }],
      AgreementRevision: [{ label: 'the active revision', id: () => ids.revision, allowed: ALL }],
      Lead: [
        { label: "another rep's lead", id: () => ids.theirs, allowed: ['admin', 'marketing', 'viewer'], missingFor: ['sales'] },
        { label: 'own lead', id: () => ids.mine, allowed: ALL },
      ],
      StageTransition: await leadBound('StageTransition', 'stage_transitions'),
      ScoreLedgerEntry: await leadBound('ScoreLedgerEntry', 'score_ledger'),
      Activity: await leadBound('Activity', 'activities'),
      ApiKey: [
        { label: "the admin's key", id: () => adminKey, allowed: ADMIN },
        { label: 'own key', id: ownKey, allowed: ALL },
      ],
      WebhookSubscription: [{ label: 'a subscription', id: () => ids.webhookSubscription, allowed: ADMIN }],
      SalesTeam: [{ label: 'a sales team', id: () => ids.salesTeam, allowed: ALL }],
      WebhookDelivery: [{ label: 'a delivery', id: () => ids.webhookDelivery, allowed: ADMIN }],
    };
    // And for every type, an id of nothing: null without an error for every role.
    for (const [typename, list] of Object.entries(cases)) {
      const id = missingId(typename);
      list.push({ label: `a missing ${typename}`, id: () => id, allowed: [], missingFor: ALL });
    }
    return cases;
  }

  it('has a case for every Node type', async () => {
    const cases = await nodeCases();
    const nodeTypes = schema.getPossibleTypes(schema.getType('Node') as never).map((t) => t.name);
    expect(nodeTypes.sort()).toEqual(Object.keys(cases).sort());
  });

  it("gives each record to the roles that may read it, FORBIDDEN to other roles, and to a rep another rep's records exactly as missing ones", async () => {
    const cases = await nodeCases();
    const mismatches: string[] = [];
    for (const [typename, list] of Object.entries(cases)) {
      for (const c of list) {
        for (const caller of ['anonymous', ...ROLES] as const) {
          const id = c.id(caller === 'anonymous' ? 'admin' : caller);
          const single = await server.gql(`query($id: ID!) { node(id: $id) { __typename id } }`, { id }, caller === 'anonymous' ? undefined : keyOf[caller]);
          const many = await server.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: [id] }, caller === 'anonymous' ? undefined : keyOf[caller]);
          const expected = caller === 'anonymous' ? 'unauthenticated' : c.allowed.includes(caller) ? 'data' : c.missingFor?.includes(caller) ? 'missing' : 'forbidden';
          for (const [how, result, value] of [
            ['node', single, single.data?.node],
            ['nodes', many, many.data?.nodes?.[0]],
          ] as const) {
            const codes = codesOf(result);
            const got =
              value != null
                ? codes.length === 0 && value.__typename === typename && value.id === id
                  ? 'data'
                  : `LEAK or wrong record ${JSON.stringify(result)}`
                : codes.length === 0 && JSON.stringify(result.data) === (how === 'node' ? '{"node":null}' : '{"nodes":[null]}')
                  ? 'missing'
                  : codes.length > 0 && codes.every((code) => code === 'UNAUTHENTICATED')
                  ? 'unauthenticated'
                  : codes.length > 0 && codes.every((code) => code === 'FORBIDDEN')
                    ? 'forbidden'
                    : `unexpected ${JSON.stringify(result)}`;
            if (got !== expected) mismatches.push(`${how}(${c.label}) [${typename}] as ${caller}: expected ${expected}, got ${got}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("shows a rep nothing of another rep's lead through lead(), leads(), workQueue or slaBreaches", async () => {
    const key = fx.keys.salesA;
    const own = await ok(`query($id: ID!) { lead(id: $id) { id email } }`, { id: ids.mine }, key);
    expect(own.lead.id).toBe(ids.mine);
    const other = await server.gql(`query($id: ID!) { lead(id: $id) { id email } }`, { id: ids.theirs }, key);
    expect(other.data?.lead ?? null).toBeNull();
    expect(JSON.stringify(other)).not.toContain('@authz.test');

    const filtered = await ok(`query($owner: ID!) { leads(first: 100, filter: { ownerId: $owner }) { totalCount edges { node { id } } } }`, { owner: encodeGlobalID('User', fx.userIds.salesB) }, key);
    expect(filtered.leads).toEqual({ totalCount: 0, edges: [] });

    const queue = await ok(`{ workQueue { lead { id owner { id } } } }`, {}, key);
    expect(queue.workQueue.length).toBeGreaterThan(0);
    expect(new Set(queue.workQueue.map((i: { lead: { owner: { id: string } } }) => i.lead.owner.id))).toEqual(new Set([encodeGlobalID('User', fx.userIds.salesA)]));
    const othersQueue = await server.gql(`query($owner: ID!) { workQueue(ownerId: $owner) { lead { id } } }`, { owner: encodeGlobalID('User', fx.userIds.salesB) }, key);
    expect(othersQueue.data ?? null).toBeNull();
    expect(codesOf(othersQueue)).toEqual(['FORBIDDEN']);

    const breaches = await ok(`{ slaBreaches(includeResolved: true, first: 100) { lead { id } } }`, {}, key);
    const all = await ok(`{ slaBreaches(includeResolved: true, first: 100) { lead { id } } }`, {}, fx.keys.admin);
    const leadsOf = (list: { lead: { id: string } }[]) => new Set(list.map((b) => b.lead.id));
    expect(leadsOf(all.slaBreaches).has(ids.theirs)).toBe(true); // there is something to hide
    expect(leadsOf(breaches.slaBreaches).has(ids.mine)).toBe(true);
    const ownerOf = await rows<{ id: string; owner_id: string }>(database.db, sql`select id, owner_id from leads`);
    const owners = new Map(ownerOf.map((r) => [r.id, r.owner_id]));
    expect([...leadsOf(breaches.slaBreaches)].filter((id) => owners.get(uuidOf(id)) !== fx.userIds.salesA)).toEqual([]);
  });

  it('gives viewers null for personal data and FORBIDDEN for the change log; others the values', async () => {
    const lead = (selection: string) => ({ query: `query($id: ID!) { lead(id: $id) { ${selection} } }`, variables: { id: ids.mine } });
    const agreement = (selection: string) => ({ query: `query($id: ID!) { slaAgreement(id: $id) { ${selection} } }`, variables: { id: ids.agreement } });
    const probes: Record<string, { query: string; variables: Record<string, unknown>; value: (data: any) => unknown }> = {
      'User.email': { query: `{ me { email } }`, variables: {}, value: (d) => d?.me?.email },
      'Lead.email': { ...lead('email'), value: (d) => d?.lead?.email },
      'Lead.firstName': { ...lead('firstName'), value: (d) => d?.lead?.firstName },
      'Lead.lastName': { ...lead('lastName'), value: (d) => d?.lead?.lastName },
      'Lead.phone': { ...lead('phone'), value: (d) => d?.lead?.phone },
      'Lead.attributes': { ...lead('attributes'), value: (d) => d?.lead?.attributes },
      'StageTransition.reason': { ...lead('stageTransitions { reason }'), value: (d) => d?.lead?.stageTransitions?.find((t: { reason: string | null }) => t.reason)?.reason },
      'ContactAttempt.notes': { ...lead('contactAttempts { notes }'), value: (d) => d?.lead?.contactAttempts?.[0]?.notes },
      'Opportunity.name': { ...lead('opportunities { name }'), value: (d) => d?.lead?.opportunities?.[0]?.name },
      'Activity.properties': { ...lead('activities(first: 5) { edges { node { properties } } }'), value: (d) => d?.lead?.activities?.edges?.[0]?.node?.properties },
      'AgreementRevision.rules': { ...agreement('activeRevision { rules { timeZone } }'), value: (d) => d?.slaAgreement?.activeRevision?.rules },
      'SlaAgreement.changes': { ...agreement('changes(first: 5) { edges { node { action } } }'), value: (d) => d?.slaAgreement?.changes },
      'SlaAgreement.rescoreRuns': { ...agreement('rescoreRuns { id }'), value: (d) => d?.slaAgreement?.rescoreRuns },
    };
    expect(Object.keys(probes).sort()).toEqual([...NULL_FOR_VIEWERS, ...FORBIDDEN_FOR_VIEWERS].sort());
    const mismatches: string[] = [];
    for (const [name, probe] of Object.entries(probes)) {
      for (const role of ROLES) {
        const result = await server.gql(probe.query, probe.variables, keyOf[role]);
        const codes = codesOf(result);
        const value = probe.value(result.data);
        const got =
          codes.length === 0 && value != null ? 'value' : codes.length === 0 && value == null ? 'null' : codes.every((c) => c === 'FORBIDDEN') && value == null ? 'forbidden' : `unexpected ${JSON.stringify(result)}`;
        const expected = role !== 'viewer' ? 'value' : NULL_FOR_VIEWERS.includes(name) ? 'null' : 'forbidden';
        if (got !== expected) mismatches.push(`${name} as ${role}: expected ${expected}, got ${got}`);
        if (role === 'viewer') expect(JSON.stringify(result)).not.toMatch(/@authz\.test|Pat\d|asked for a call back|Pat's pilot|gold|example\.test\/demo|Nepal/);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. A sales rep cannot act on another rep's leads, nor tell them from missing ones
// ---------------------------------------------------------------------------------------------

const LEAD_TABLES: [table: string, column: string][] = [
  ['leads', 'id'],
  ['stage_transitions', 'lead_id'],
  ['score_ledger', 'lead_id'],
  ['activities', 'lead_id'],
  ['contact_attempts', 'lead_id'],
  ['opportunities', 'lead_id'],
  ['sla_clocks', 'lead_id'],
  ['sla_breaches', 'lead_id'],
  ['nurture_enrolments', 'lead_id'],
  ['outbox_events', 'lead_id'],
];

/** Every row of the given leads, and the row count of every lead table. */
async function snapshot(leadIds: string[]) {
  const list = `{${leadIds.map(uuidOf).join(',')}}`;
  const state: Record<string, unknown> = {};
  for (const [table, column] of LEAD_TABLES) {
    state[table] = await rows(database.db, sql`select * from ${sql.raw(table)} where ${sql.raw(column)} = any(${list}::uuid[]) order by 1`);
    state[`${table} count`] = (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;
  }
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}

interface ActCase {
  /** The input aimed at rep B's records. */
  input: (target: { lead: string; opportunityLead: string; opportunity: string }) => Record<string, unknown>;
  /** Who shows the input is good: rep B on its own record (or marketing where sales has no access). */
  control: 'salesB' | 'marketing';
  /** The control acts on a fresh lead of rep B instead of the refused one (the move is one-way). */
  freshLead?: boolean;
}

/** Every mutation that names a lead (or an opportunity of one). */
const ACT_CASES: Record<string, ActCase> = {
  acceptLead: { input: (t) => ({ leadId: t.lead }), control: 'salesB', freshLead: true },
  rejectLead: { input: (t) => ({ leadId: t.lead, reasonCode: 'missing_info', reason: 'not mine to reject' }), control: 'salesB', freshLead: true },
  recycleLead: { input: (t) => ({ leadId: t.lead, reasonCode: 'bad_timing' }), control: 'salesB', freshLead: true },
  disqualifyLead: { input: (t) => ({ leadId: t.lead, reasonCode: 'not_a_fit' }), control: 'salesB', freshLead: true },
  logContactAttempt: { input: (t) => ({ leadId: t.lead, channel: 'PHONE', outcome: 'NO_ANSWER', notes: 'poaching' }), control: 'salesB', freshLead: true },
  enrolLeadInNurture: { input: (t) => ({ leadId: t.lead, workflowKey: 'reengage' }), control: 'salesB', freshLead: true },
  changeLeadStage: { input: (t) => ({ leadId: t.lead, toStage: 'SQL' }), control: 'salesB', freshLead: true },
  createOpportunity: { input: (t) => ({ leadId: t.opportunityLead, name: 'Poached deal', amountMinor: 100, pipelineStageKey: 'discovery' }), control: 'salesB' },
  updateOpportunity: { input: (t) => ({ opportunityId: t.opportunity, amountMinor: 1, pipelineStageKey: 'proposal' }), control: 'salesB' },
  updateLead: { input: (t) => ({ leadId: t.lead, title: 'Poached' }), control: 'marketing', freshLead: true },
  recordActivities: {
    input: (t) => ({ events: [{ clientEventId: `poach-${randomUUID()}`, type: 'WEBINAR_ATTENDANCE', occurredAt: new Date().toISOString(), leadId: t.lead }] }),
    control: 'marketing',
    freshLead: true,
  },
};

/** Does an input type name a Lead (a global id for Lead anywhere in it) or an opportunity? */
function namesALead(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => relayTypeOf(f) === 'Lead' || f.name === 'opportunityId' || namesALead(f.type, seen));
}

describe("a sales rep cannot act on another rep's leads", () => {
  it('has a case for every mutation that names a lead or an opportunity', () => {
    const leadMutations = Object.values(mutationType.getFields())
      .filter((f) => f.args.some((a) => relayTypeOf(a) === 'Lead' || namesALead(a.type)))
      .map((f) => f.name);
    expect(leadMutations.sort()).toEqual(Object.keys(ACT_CASES).sort());
  });

  it('answers each one exactly as for a missing lead and changes no row; the owner (or marketing) may do the same', async () => {
    const target = { lead: ids.theirs, opportunityLead: ids.theirOpportunityLead, opportunity: ids.theirOpportunity };
    const missing = { lead: encodeGlobalID('Lead', randomUUID()), opportunityLead: encodeGlobalID('Lead', randomUUID()), opportunity: randomUUID() };
    /** The response with the ids of `t` (global ids, and the row ids in them) masked. */
    const masked = (response: unknown, t: typeof target) => {
      let text = JSON.stringify(response);
      for (const id of [t.lead, t.opportunityLead, uuidOf(t.lead), uuidOf(t.opportunityLead), t.opportunity]) text = text.replaceAll(id, '<id>');
      return text;
    };
    const watched = [ids.theirs, ids.theirOpportunityLead];
    const failures: string[] = [];
    const fresh = [...ids.controls];
    for (const [mutation, c] of Object.entries(ACT_CASES)) {
      const field = mutationType.getFields()[mutation]!;
      const inputType = String(field.args.find((a) => a.name === 'input')!.type);
      const text = `mutation($input: ${inputType}) { ${mutation}(input: $input) { __typename ... on Error { code message } } }`;

      const before = await snapshot(watched);
      const refused = await server.gql(text, { input: c.input(target) }, fx.keys.salesA);
      const after = await snapshot(watched);
      const codes = codesOf(refused);
      const typename = refused.data?.[mutation]?.__typename;
      // Refused as not found (or, for mutations sales may not call at all, FORBIDDEN for the role)…
      const refusal =
        codes.length > 0 ? (codes.every((code) => code === 'FORBIDDEN') && hasNoData(refused.data) ? 'FORBIDDEN' : null) : typename === 'NotFoundError' ? typename : null;
      if (!refusal) failures.push(`${mutation}: not refused as not found: ${JSON.stringify(refused)}`);
      // …and exactly as the same call on a lead (or opportunity) that does not exist.
      const forMissing = await server.gql(text, { input: c.input(missing) }, fx.keys.salesA);
      if (masked(refused, target) !== masked(forMissing, missing)) failures.push(`${mutation}: another rep's lead ${masked(refused, target)} ≠ a missing one ${masked(forMissing, missing)}`);
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        const changed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        failures.push(`${mutation}: rows changed in ${changed.join(', ')}`);
      }
      if (JSON.stringify(refused).includes('@authz.test')) failures.push(`${mutation}: the refusal shows the lead: ${JSON.stringify(refused)}`);

      // Control: the same call by someone allowed succeeds, so the refusal above was about ownership.
      const controlTarget = c.freshLead ? { ...target, lead: fresh.shift()! } : target;
      const controlKey = c.control === 'salesB' ? fx.keys.salesB : fx.keys.marketing;
      const control = await server.gql(text, { input: c.input(controlTarget) }, controlKey);
      const controlType = control.data?.[mutation]?.__typename as string | undefined;
      if (control.errors || !controlType || controlType.endsWith('Error')) failures.push(`${mutation}: control by ${c.control} failed: ${JSON.stringify(control)}`);
    }
    expect(failures).toEqual([]);
  });
});
