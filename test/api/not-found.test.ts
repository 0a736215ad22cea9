// Issue 13, item 6 — "Not found means not found". With rep A's key:
//   (a) node / nodes / lead on rep B's Lead, StageTransition, ScoreLedgerEntry or Activity answer
//       exactly like an id of nothing (the same JSON, the same status; FORBIDDEN before);
//   (b) mutations on rep B's lead (or its opportunity) answer exactly like for a missing lead and
//       write nothing ("this lead belongs to another rep" before);
//   (c) ids of records with sequential row ids are sealed: not in row order, not decodable to the
//       row number, round-tripping through node(id:); a forged "StageTransition:<n>" or a tampered
//       id reads like a missing record (never an error);
//   (d) those ids are the same after a restart on the same database, and every instance on one
//       database seals alike (the installation's key is made once).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeID } from '../../api/global-ids';
import { openDatabase, rows, type Database } from '../../db/client';
import { loadIdSealer } from '../../db/opaque-ids';
import { tick } from '../../domain/clocks/scheduler';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
/** Global ids: rep A's lead, rep B's leads, and the opportunity (a plain uuid) on one of B's. */
const ids = {} as { mine: string; theirs: string; theirsSpare: string; theirAccepted: string; theirOpportunity: string };

const uuidOf = (globalId: string) => decodeGlobalID(globalId).id;
const text = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8');

async function ok(query: string, variables: Record<string, unknown>, key: string) {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

/** A response as text with the given ids (and the row ids inside global ids) masked. */
function masked(response: GraphQLResponse, ...globalIds: string[]): string {
  let json = JSON.stringify(response);
  for (const id of globalIds) {
    json = json.replaceAll(id, '<id>');
    try {
      json = json.replaceAll(uuidOf(id), '<id>');
    } catch {
      // not a global id: masked as it is
    }
  }
  return json;
}

/** The records of one lead, as an admin reads them (oldest first; activities newest first). */
async function recordsOf(leadId: string) {
  const data = await ok(
    `query($id: ID!) { lead(id: $id) {
      stageTransitions { id toStage occurredAt }
      scoreLedger { id activityId points occurredAt }
      activities(first: 50) { edges { cursor node { id type occurredAt } } }
      contactAttempts { id } slaClocks { id } slaBreaches { id }
    } }`,
    { id: leadId },
    fx.keys.admin,
  );
  return data.lead as {
    stageTransitions: { id: string }[];
    scoreLedger: { id: string; activityId: string | null }[];
    activities: { edges: { cursor: string; node: { id: string } }[] };
    contactAttempts: { id: string }[];
    slaClocks: { id: string }[];
    slaBreaches: { id: string }[];
  };
}

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 4, { agreementStatus: 'archived' });
  server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });

  const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
  const created = await ok(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
    { input: { name: 'Not-found SLA', rules } },
    fx.keys.admin,
  );
  await ok(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, { id: created.createSlaAgreement.revision.id }, fx.keys.admin);
  // Demo requests hand every lead off at once (rep B, weight 2, gets two in three), with activities.
  const events = Array.from({ length: 9 }, (_, i) => ({
    clientEventId: `nf-demo-${i}`,
    type: 'DEMO_REQUEST',
    occurredAt: new Date(Date.now() - (60 - i) * 60_000).toISOString(),
    email: `person${i}@hidden.test`,
    lead: { firstName: `Pat${i}`, lastName: 'Person', phone: '+1 555 0100', companyName: 'Hidden Inc', source: 'referral' },
  }));
  await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events }, fx.keys.marketing);
  const more = events.map((e, i) => ({ clientEventId: `nf-visit-${i}`, type: 'PAGE_VIEW', occurredAt: new Date(Date.now() - (30 - i) * 60_000).toISOString(), email: e.email, properties: { url: '/pricing' } }));
  await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events: more }, fx.keys.marketing);
  const found = await ok(`{ leads(first: 50, orderBy: CREATED_AT_ASC) { edges { node { id email handoffStatus owner { id } } } } }`, {}, fx.keys.admin);
  const routed = (found.leads.edges as { node: { id: string; email: string; handoffStatus: string; owner: { id: string } | null } }[])
    .map((e) => e.node)
    .filter((l) => l.email.endsWith('@hidden.test') && l.handoffStatus === 'ROUTED');
  const of = (userId: string) => routed.filter((l) => l.owner?.id === encodeGlobalID('User', userId)).map((l) => l.id);
  const [mine] = of(fx.userIds.salesA);
  const [theirs, theirsSpare, theirAccepted] = of(fx.userIds.salesB);
  Object.assign(ids, { mine, theirs, theirsSpare, theirAccepted });
  expect(Object.values(ids).every(Boolean)).toBe(true);

  // Both reps work a lead: attempts, clocks and (after the tick) breaches, an opportunity of B's.
  await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: ids.mine }, fx.keys.salesA);
  await ok(`mutation($id: ID!) { logContactAttempt(input: { leadId: $id, channel: PHONE, outcome: VOICEMAIL }) { __typename } }`, { id: ids.mine }, fx.keys.salesA);
  await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: ids.theirAccepted }, fx.keys.salesB);
  const opportunity = await ok(
    `mutation($id: ID!) { createOpportunity(input: { leadId: $id, name: "Sue's deal", amountMinor: 500000, pipelineStageKey: "discovery" }) { ... on OpportunityPayload { opportunity { id } } } }`,
    { id: ids.theirAccepted },
    fx.keys.salesB,
  );
  ids.theirOpportunity = opportunity.createOpportunity.opportunity.id;
  await tick(database.db, new Date(Date.now() + 30 * 86_400_000));
});

afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

// ---------------------------------------------------------------------------------------------

describe("(a) another rep's records read exactly like missing ones", () => {
  const NODE = `query($id: ID!) { node(id: $id) { __typename id
    ... on Lead { email stage owner { name } }
    ... on StageTransition { toStage lead { email } }
    ... on ScoreLedgerEntry { points lead { email } }
    ... on Activity { type properties lead { email } } } }`;
  const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
    ... on Lead { email } ... on StageTransition { toStage } ... on ScoreLedgerEntry { points } ... on Activity { type } } }`;

  /** Per type: a record of rep B's lead, one of rep A's, and an id of nothing. */
  async function cases() {
    const [theirs, mine] = [await recordsOf(ids.theirs), await recordsOf(ids.mine)];
    const big = 2 ** 52; // no row has it
    return {
      Lead: { theirs: ids.theirs, mine: ids.mine, missing: encodeGlobalID('Lead', randomUUID()) },
      StageTransition: { theirs: theirs.stageTransitions[0]!.id, mine: mine.stageTransitions[0]!.id, missing: encodeNodeID(database, 'StageTransition', big) },
      ScoreLedgerEntry: { theirs: theirs.scoreLedger[0]!.id, mine: mine.scoreLedger[0]!.id, missing: encodeNodeID(database, 'ScoreLedgerEntry', big) },
      Activity: { theirs: theirs.activities.edges[0]!.node.id, mine: mine.activities.edges[0]!.node.id, missing: encodeNodeID(database, 'Activity', big) },
    };
  }

  it('node(id:) on them gives { node: null } without an error, as an id of nothing does', async () => {
    for (const [typename, c] of Object.entries(await cases())) {
      // The record is real: an admin reads it, and so does the rep its own.
      expect((await ok(NODE, { id: c.theirs }, fx.keys.admin)).node).toMatchObject({ __typename: typename, id: c.theirs });
      expect((await ok(NODE, { id: c.mine }, fx.keys.salesA)).node).toMatchObject({ __typename: typename, id: c.mine });

      const hidden = await server.gql(NODE, { id: c.theirs }, fx.keys.salesA);
      const missing = await server.gql(NODE, { id: c.missing }, fx.keys.salesA);
      expect(hidden, typename).toEqual({ status: 200, data: { node: null } });
      expect(masked(hidden, c.theirs), typename).toBe(masked(missing, c.missing));
    }
  });

  it('nodes(ids:) gives null in their place, exactly as for ids of nothing, next to the rep’s own', async () => {
    const all = await cases();
    for (const [typename, c] of Object.entries(all)) {
      const hidden = await server.gql(NODES, { ids: [c.mine, c.theirs] }, fx.keys.salesA);
      const missing = await server.gql(NODES, { ids: [c.mine, c.missing] }, fx.keys.salesA);
      expect(hidden.errors, typename).toBeUndefined();
      expect(hidden.data!.nodes[0]).toMatchObject({ __typename: typename, id: c.mine });
      expect(hidden.data!.nodes[1]).toBeNull();
      expect(masked(hidden, c.theirs), typename).toBe(masked(missing, c.missing));
    }
    // All four kinds at once.
    const hidden = await server.gql(NODES, { ids: Object.values(all).map((c) => c.theirs) }, fx.keys.salesA);
    const missing = await server.gql(NODES, { ids: Object.values(all).map((c) => c.missing) }, fx.keys.salesA);
    expect(hidden).toEqual({ status: 200, data: { nodes: [null, null, null, null] } });
    expect(masked(hidden)).toBe(masked(missing));
  });

  it('lead(id:) and the lead’s nested records: null for another rep’s lead, as for a missing one', async () => {
    const query = `query($id: ID!) { lead(id: $id) { id email stageTransitions { id } scoreLedger { id } activities(first: 5) { edges { node { id } } } } }`;
    const missingLead = encodeGlobalID('Lead', randomUUID());
    const hidden = await server.gql(query, { id: ids.theirs }, fx.keys.salesA);
    const missing = await server.gql(query, { id: missingLead }, fx.keys.salesA);
    expect(hidden).toEqual({ status: 200, data: { lead: null } });
    expect(masked(hidden, ids.theirs)).toBe(masked(missing, missingLead));
    expect(JSON.stringify(hidden)).not.toContain('hidden.test');
  });
});

// ---------------------------------------------------------------------------------------------

/** Every row about the given leads, and each lead table's row count. */
async function rowsAbout(leadGlobalIds: string[]) {
  const list = `{${leadGlobalIds.map(uuidOf).join(',')}}`;
  const state: Record<string, unknown> = {};
  for (const [table, column] of [
    ['leads', 'id'],
    ['stage_transitions', 'lead_id'],
    ['score_ledger', 'lead_id'],
    ['contact_attempts', 'lead_id'],
    ['opportunities', 'lead_id'],
    ['handoffs', 'lead_id'],
    ['sla_clocks', 'lead_id'],
    ['nurture_enrolments', 'lead_id'],
    ['outbox_events', 'lead_id'],
  ] as const) {
    state[table] = await rows(database.db, sql`select * from ${sql.raw(table)} where ${sql.raw(column)} = any(${list}::uuid[]) order by 1`);
    state[`${table} count`] = (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;
  }
  return JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
}

describe("(b) mutations on another rep's lead answer like a missing lead and change nothing", () => {
  const E = `__typename ... on Error { code message } ... on NotFoundError { entity entityId }`;
  const MUTATIONS: Record<string, { text: string; input: (lead: string, opportunity: string) => Record<string, unknown> }> = {
    acceptLead: { text: `mutation($input: AcceptLeadInput!) { acceptLead(input: $input) { ${E} } }`, input: (leadId) => ({ leadId }) },
    rejectLead: { text: `mutation($input: RejectLeadInput!) { rejectLead(input: $input) { ${E} } }`, input: (leadId) => ({ leadId, reasonCode: 'missing_info' }) },
    recycleLead: { text: `mutation($input: RecycleLeadInput!) { recycleLead(input: $input) { ${E} } }`, input: (leadId) => ({ leadId, reasonCode: 'bad_timing' }) },
    disqualifyLead: { text: `mutation($input: DisqualifyLeadInput!) { disqualifyLead(input: $input) { ${E} } }`, input: (leadId) => ({ leadId, reasonCode: 'not_a_fit' }) },
    logContactAttempt: {
      text: `mutation($input: LogContactAttemptInput!) { logContactAttempt(input: $input) { ${E} } }`,
      input: (leadId) => ({ leadId, channel: 'PHONE', outcome: 'NO_ANSWER', notes: 'poaching' }),
    },
    enrolLeadInNurture: { text: `mutation($input: EnrolLeadInNurtureInput!) { enrolLeadInNurture(input: $input) { ${E} } }`, input: (leadId) => ({ leadId, workflowKey: 'reengage' }) },
    changeLeadStage: { text: `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { ${E} } }`, input: (leadId) => ({ leadId, toStage: 'SQL' }) },
    createOpportunity: {
      text: `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { ${E} } }`,
      input: (leadId) => ({ leadId, name: 'Poached deal', amountMinor: 100, pipelineStageKey: 'discovery' }),
    },
    updateOpportunity: {
      text: `mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { ${E} } }`,
      input: (_lead, opportunityId) => ({ opportunityId, pipelineStageKey: 'won' }),
    },
  };

  it('gives NotFoundError with the id given, word for word as for an id of nothing, and writes no row', async () => {
    const watched = [ids.theirs, ids.theirAccepted];
    for (const [name, m] of Object.entries(MUTATIONS)) {
      const onAccepted = name === 'createOpportunity';
      const [lead, opportunity] = [onAccepted ? ids.theirAccepted : ids.theirs, ids.theirOpportunity];
      const [missingLead, missingOpportunity] = [encodeGlobalID('Lead', randomUUID()), randomUUID()];

      const before = await rowsAbout(watched);
      const hidden = await server.gql(m.text, { input: m.input(lead, opportunity) }, fx.keys.salesA);
      expect(await rowsAbout(watched), `${name} wrote rows`).toEqual(before);
      const missing = await server.gql(m.text, { input: m.input(missingLead, missingOpportunity) }, fx.keys.salesA);

      const [entity, entityId] = name === 'updateOpportunity' ? ['Opportunity', opportunity] : ['Lead', uuidOf(lead)];
      expect(hidden, name).toEqual({
        status: 200,
        data: { [name]: { __typename: 'NotFoundError', code: 'NOT_FOUND', message: `${entity} ${entityId} was not found`, entity, entityId } },
      });
      expect(masked(hidden, lead, opportunity), name).toBe(masked(missing, missingLead, missingOpportunity));
      expect(JSON.stringify(hidden)).not.toMatch(/another rep|hidden\.test/);
    }
  });

  it('the owner still can (the refusals above were about ownership alone)', async () => {
    const accepted = await ok(MUTATIONS.acceptLead!.text, { input: { leadId: ids.theirsSpare } }, fx.keys.salesB);
    expect(accepted.acceptLead.__typename).toBe('SalesLeadPayload');
    const moved = await ok(MUTATIONS.updateOpportunity!.text, { input: { opportunityId: ids.theirOpportunity, pipelineStageKey: 'proposal' } }, fx.keys.salesB);
    expect(moved.updateOpportunity.__typename).toBe('OpportunityPayload');
  });
});

// ---------------------------------------------------------------------------------------------

describe('(c) ids of sequentially numbered records are sealed', () => {
  const SEALED = /^(StageTransition|ScoreLedgerEntry|Activity):[0-9a-f]{32}$/;

  it('are not in row order, do not decode to the row number, and differ between consecutive rows', async () => {
    // Rows in the order of their sequential ids, paired with the ids the API shows for them.
    const pairs: { typename: string; rowId: number; globalId: string }[] = [];
    const everyLead = await ok(`{ leads(first: 50) { edges { node { id } } } }`, {}, fx.keys.admin);
    for (const leadId of everyLead.leads.edges.map((e: { node: { id: string } }) => e.node.id) as string[]) {
      const records = await recordsOf(leadId);
      const lead = uuidOf(leadId);
      const transitions = await rows<{ id: string }>(database.db, sql`select id from stage_transitions where lead_id = ${lead}::uuid order by occurred_at, id`);
      const ledger = await rows<{ id: string }>(database.db, sql`select id from score_ledger where lead_id = ${lead}::uuid order by occurred_at, id`);
      const activities = await rows<{ id: string }>(database.db, sql`select id from activities where lead_id = ${lead}::uuid order by occurred_at desc, id desc`);
      expect(records.stageTransitions).toHaveLength(transitions.length);
      expect(records.activities.edges).toHaveLength(activities.length);
      transitions.forEach((r, i) => pairs.push({ typename: 'StageTransition', rowId: Number(r.id), globalId: records.stageTransitions[i]!.id }));
      ledger.forEach((r, i) => pairs.push({ typename: 'ScoreLedgerEntry', rowId: Number(r.id), globalId: records.scoreLedger[i]!.id }));
      activities.forEach((r, i) => pairs.push({ typename: 'Activity', rowId: Number(r.id), globalId: records.activities.edges[i]!.node.id }));
    }
    for (const typename of ['StageTransition', 'ScoreLedgerEntry', 'Activity']) {
      const list = pairs.filter((p) => p.typename === typename).sort((a, b) => a.rowId - b.rowId);
      expect(list.length, typename).toBeGreaterThanOrEqual(8);
      for (const p of list) {
        const decoded = text(p.globalId);
        expect(decoded).toMatch(SEALED);
        expect(decoded.startsWith(`${typename}:`)).toBe(true);
        const sealed = decoded.slice(typename.length + 1);
        expect(sealed).not.toBe(String(p.rowId));
        expect(BigInt(`0x${sealed}`)).not.toBe(BigInt(p.rowId));
        expect(decodeGlobalID(p.globalId).id).toBe(sealed); // what any Relay client decodes: no number
      }
      // Consecutive rows: no shared start, and the ids' order is not the rows' order.
      for (let i = 1; i < list.length; i++) {
        const [a, b] = [text(list[i - 1]!.globalId), text(list[i]!.globalId)].map((t) => t.slice(typename.length + 1));
        let common = 0;
        while (common < 32 && a![common] === b![common]) common += 1;
        expect(common, `${typename} rows ${list[i - 1]!.rowId} and ${list[i]!.rowId}`).toBeLessThan(6);
      }
      const byId = [...list].sort((a, b) => (a.globalId < b.globalId ? -1 : 1)).map((p) => p.rowId);
      expect(byId, typename).not.toEqual(list.map((p) => p.rowId));
    }
  });

  it('round-trip through node(id:); activityId names the activity; other sequential ids are opaque too', async () => {
    const records = await recordsOf(ids.mine);
    const ledgerIds = records.scoreLedger.map((e) => e.id);
    const all = [...records.stageTransitions.map((t) => t.id), ...ledgerIds, ...records.activities.edges.map((e) => e.node.id)];
    for (const key of [fx.keys.admin, fx.keys.salesA]) {
      const read = await ok(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: all }, key);
      expect(read.nodes.map((n: { id: string }) => n.id)).toEqual(all);
      expect(read.nodes.map((n: { __typename: string }) => n.__typename)).toEqual(all.map((id) => text(id).split(':')[0]));
    }
    const earned = records.scoreLedger.find((e) => e.activityId);
    expect(earned, 'a ledger row earned by an activity').toBeDefined();
    const activity = await ok(`query($id: ID!) { node(id: $id) { __typename id ... on Activity { lead { id } } } }`, { id: earned!.activityId }, fx.keys.salesA);
    expect(activity.node).toEqual({ __typename: 'Activity', id: earned!.activityId, lead: { id: ids.mine } });
    // Contact attempts, SLA clocks and breaches: 32 hex characters, not the row number.
    for (const list of [records.contactAttempts, records.slaClocks, records.slaBreaches]) {
      expect(list.length).toBeGreaterThan(0);
      for (const { id } of list) expect(id).toMatch(/^[0-9a-f]{32}$/);
    }
    // Cursors do not carry the activity's row number either, and still page.
    const cursor = records.activities.edges[0]!.cursor;
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    expect(position).toEqual([expect.any(String), expect.stringMatching(/^[0-9a-f]{32}$/)]);
    const next = await ok(`query($id: ID!, $after: String) { lead(id: $id) { activities(first: 50, after: $after) { edges { node { id } } } } }`, { id: ids.mine, after: cursor }, fx.keys.salesA);
    expect(next.lead.activities.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(records.activities.edges.slice(1).map((e) => e.node.id));
    const forgedCursor = Buffer.from(JSON.stringify([position[0], 1])).toString('base64url');
    const refused = await server.gql(`query($id: ID!, $after: String) { lead(id: $id) { activities(first: 5, after: $after) { edges { node { id } } } } }`, { id: ids.mine, after: forgedCursor }, fx.keys.salesA);
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('a forged "StageTransition:<n>", a tampered id or another type’s sealed id reads like a missing record, for every role', async () => {
    const records = await recordsOf(ids.mine);
    const real = records.stageTransitions[0]!.id;
    const sealed = text(real).slice('StageTransition:'.length);
    const [row] = await rows<{ id: string }>(database.db, sql`select id from stage_transitions where lead_id = ${uuidOf(ids.mine)}::uuid order by occurred_at, id limit 1`);
    const activitySealed = text(records.activities.edges[0]!.node.id).slice('Activity:'.length);
    const forged = {
      'the row number': encodeGlobalID('StageTransition', row!.id),
      'a changed character': encodeGlobalID('StageTransition', `${sealed.slice(0, 31)}${sealed[31] === '0' ? '1' : '0'}`),
      'an activity’s sealed id': encodeGlobalID('StageTransition', activitySealed),
      'upper-case hex': encodeGlobalID('StageTransition', sealed.toUpperCase()),
      'too short': encodeGlobalID('StageTransition', sealed.slice(0, 30)),
    };
    const missing = encodeNodeID(database, 'StageTransition', 2 ** 52);
    const query = `query($id: ID!) { node(id: $id) { __typename id } }`;
    for (const key of [fx.keys.admin, fx.keys.marketing, fx.keys.salesA, fx.keys.viewer]) {
      expect((await ok(query, { id: real }, key)).node).toEqual({ __typename: 'StageTransition', id: real });
      const nothing = await server.gql(query, { id: missing }, key);
      expect(nothing).toEqual({ status: 200, data: { node: null } });
      for (const [how, id] of Object.entries(forged)) {
        const result = await server.gql(query, { id }, key);
        expect(masked(result, id), how).toBe(masked(nothing, missing));
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** A database that can be closed and opened again: a PGlite folder, or the PostgreSQL test database. */
async function reopenable() {
  if (process.env.TEST_DATABASE_URL) {
    const first = await openTestDatabase();
    const opened: Database[] = [];
    return {
      first: first as Database,
      async open() {
        const again = openDatabase({ url: first.url!, maxConnections: 4 });
        await again.migrate();
        opened.push(again);
        return again;
      },
      async dispose() {
        for (const d of opened) await d.close();
        await first.dispose();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sla-not-found-'));
  const first = openDatabase({ dataDir: dir });
  await first.migrate();
  return {
    first,
    async open() {
      const again = openDatabase({ dataDir: dir });
      await again.migrate();
      return again;
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('(d) sealed ids are stable', () => {
  it('are the same after a restart on the same database, and still read', async () => {
    const store = await reopenable();
    try {
      const world = await buildFixture(store.first.db, 2);
      const query = `{ leads(first: 10, orderBy: CREATED_AT_ASC) { edges { node { id stageTransitions { id } scoreLedger { id } } } } }`;
      const read = async (db: Database) => {
        const running = await startTestServer(db, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });
        try {
          const result = await running.gql(query, {}, world.keys.admin);
          expect(result.errors).toBeUndefined();
          const ledger = result.data!.leads.edges.flatMap((e: { node: { scoreLedger: { id: string }[] } }) => e.node.scoreLedger.map((s) => s.id));
          const node = await running.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ledger[0] }, world.keys.admin);
          expect(node.data?.node).toEqual({ id: ledger[0] });
          return result.data;
        } finally {
          await running.stop();
        }
      };
      const before = await read(store.first);
      expect(JSON.stringify(before)).toMatch(/"id":"U3RhZ2VUcmFuc2l0aW9uO/); // base64 of "StageTransition:"
      if (!process.env.TEST_DATABASE_URL) await store.first.close(); // PGlite: one process at a time
      const again = await store.open();
      try {
        expect(await read(again)).toEqual(before);
      } finally {
        if (!process.env.TEST_DATABASE_URL) await again.close();
      }
    } finally {
      await store.dispose();
    }
  }, 60_000);

  it('one key per installation, even when instances start together', async () => {
    // The key row is made by whoever comes first; the others read it back.
    const saved = await rows<{ name: string; secret: string }>(database.db, sql`select name, secret from installation_keys`);
    await database.db.execute(sql`delete from installation_keys`);
    try {
      const sealers = await Promise.all([loadIdSealer(database.db), loadIdSealer(database.db), loadIdSealer(database.db)]);
      const seals = sealers.map((s) => s.seal('StageTransition', 42));
      expect(new Set(seals).size).toBe(1);
      const keys = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from installation_keys`);
      expect(keys[0]!.n).toBe(1);
    } finally {
      // Put back the key this file's server seals with.
      await database.db.execute(sql`delete from installation_keys`);
      for (const key of saved) await database.db.execute(sql`insert into installation_keys (name, secret) values (${key.name}, ${key.secret})`);
    }
  });
});
