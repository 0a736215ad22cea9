import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { scopedAgreements, targetAgreementSql } from '../../domain/agreements/scope';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Which agreement governs which lead (issue 12): scopes with a priority, the reason on the lead, a
// preview before activation, moves with an audit row on activation and archive, and refusals.

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
const uuidOf = (id: string) => decodeGlobalID(id).id;
let n = 0;

async function gql(query: string, variables: Record<string, unknown> = {}, key = fx.keys.admin) {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

const ACTIVATE = `mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename
  ... on SlaAgreementPayload { warnings scopeMoves { from { name } to { name } leads } otherRescoreRuns { id } }
  ... on ValidationError { problems { field message } } } }`;

async function agreement(name: string, scope: Record<string, unknown> | null) {
  const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
  if (scope) rules.scope = scope;
  const created = await gql(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { agreement { id } revision { id } } ... on ValidationError { problems { field message } } } }`,
    { input: { name, rules } },
  );
  expect(created.createSlaAgreement.__typename, JSON.stringify(created)).toBe('SlaAgreementPayload');
  return { id: created.createSlaAgreement.agreement.id as string, revision: created.createSlaAgreement.revision.id as string };
}

async function lead(email: string, fields: Record<string, unknown>) {
  const data = await gql(
    `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { ... on RecordActivitiesPayload { results { lead { id } } } } }`,
    { events: [{ clientEventId: `scope-${++n}`, type: 'PAGE_VIEW', occurredAt: new Date(Date.now() - 60_000).toISOString(), email, lead: { source: 'referral', ...fields } }] },
    fx.keys.marketing,
  );
  return data.recordActivities.results[0].lead.id as string;
}

const GOVERNANCE = `query($id: ID!) { lead(id: $id) { governance { agreement { name } priority scope reason } agreementChanges { from { name } to { name } reason } } }`;

/** Every lead is under the agreement the scope rules put it under now: never two, never a stale one. */
async function consistent() {
  const agreements = await scopedAgreements(database.db);
  return rows<{ id: string }>(database.db, sql`select l.id from leads l where l.agreement_id is distinct from ${targetAgreementSql(agreements)}`);
}

let demo: { id: string; revision: string };
let own: { id: string; revision: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('agreement scope', () => {
  it('refuses scopes it cannot evaluate, field by field', async () => {
    const rules = completeRules([]);
    rules.scope = { priority: 0, rules: [{ attribute: 'shoe_size', operator: 'EQUALS', value: 42 }, { attribute: 'company_size', operator: 'RANGE', value: {} }] };
    const refused = await gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on ValidationError { problems { field message } } } }`,
      { input: { name: 'Bad scope', rules } },
    );
    expect(refused.createSlaAgreement.problems.map((p: { field: string }) => p.field).sort()).toEqual(['input.rules.scope.priority', 'input.rules.scope.rules[0].attribute']);
    rules.scope = { rules: [{ attribute: 'company_size', operator: 'RANGE', value: {} }] };
    const range = await gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on ValidationError { problems { field message } } } }`,
      { input: { name: 'Bad scope', rules } },
    );
    expect(range.createSlaAgreement.problems).toEqual([{ field: 'input.rules.scope.rules[0].value', message: 'RANGE needs {"min": …, "max": …} (either may be left out)' }]);
    const none = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from sla_agreements where name = 'Bad scope'`);
    expect(none[0]!.n).toBe(0);
  });

  it('governs each lead by the first matching scope, and says why', async () => {
    demo = await agreement('Demo SLA', { priority: 10, rules: [{ attribute: 'attributes.dataset', operator: 'EQUALS', value: 'demo' }] });
    const first = (await gql(ACTIVATE, { id: demo.revision })).activateAgreementRevision;
    // The fixture's leads are MQLs of an archived agreement, and no demo leads: no scope takes them
    // yet, so they stay; the new scope matches nothing yet.
    expect(first.warnings).toContain('its scope (attributes.dataset EQUALS "demo") matches no lead yet');
    expect(first.scopeMoves).toEqual([]);
    own = await agreement('Our SLA', null);
    const second = (await gql(ACTIVATE, { id: own.revision })).activateAgreementRevision;
    // The catch-all takes them (their own agreement is no longer active), with an audit row each.
    expect(second.scopeMoves).toEqual([{ from: { name: 'Fixture SLA' }, to: { name: 'Our SLA' }, leads: 2 }]);
    ids.demoFr = await lead('fr@demo.test', { country: 'FR', attributes: { dataset: 'demo' } });
    ids.demoUs = await lead('us@demo.test', { country: 'US', attributes: { dataset: 'demo' } });
    ids.ownFr = await lead('fr@own.test', { country: 'FR' });
    ids.ownDe = await lead('de@own.test', { country: 'DE', companySize: 800 });
    const demoFr = (await gql(GOVERNANCE, { id: ids.demoFr })).lead.governance;
    expect(demoFr).toEqual({ agreement: { name: 'Demo SLA' }, priority: 10, scope: 'attributes.dataset EQUALS "demo"', reason: 'matches "Demo SLA" (priority 10): attributes.dataset EQUALS "demo"' });
    const ownDe = (await gql(GOVERNANCE, { id: ids.ownDe })).lead.governance;
    expect(ownDe).toMatchObject({ agreement: { name: 'Our SLA' }, priority: 100, scope: 'every lead' });
    expect(await consistent()).toEqual([]);
  });

  it('previews a draft scope: the leads it would take, from which agreement', async () => {
    const draft = await gql(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId: own.id, rules: { scope: { priority: 5, rules: [{ attribute: 'country', operator: 'IN', value: ['FR', 'DE'] }] } } } },
    );
    own.revision = draft.updateAgreementRules.revision.id;
    const { previewAgreementScope } = await gql(
      `query($id: ID!) { previewAgreementScope(revisionId: $id) { agreement { name } scope governs moves { from { name } to { name } leads } } }`,
      { id: own.revision },
    );
    // FR and DE leads with Marketing first (priority 5, ahead of the demo's 10): it takes the French
    // demo lead and keeps its own; the fixture's MQLs stay where Sales has them.
    expect(previewAgreementScope).toEqual({
      agreement: { name: 'Our SLA' },
      scope: 'country IN ["FR","DE"]',
      governs: 5,
      moves: [{ from: { name: 'Demo SLA' }, to: { name: 'Our SLA' }, leads: 1 }],
    });
    // A preview changes nothing.
    expect(await consistent()).toEqual([]);
  });

  it('moves the leads on activation, each with an audit row, and re-scores those it took', async () => {
    const activated = (await gql(ACTIVATE, { id: own.revision })).activateAgreementRevision;
    expect(activated.scopeMoves).toEqual([{ from: { name: 'Demo SLA' }, to: { name: 'Our SLA' }, leads: 1 }]);
    const moved = (await gql(GOVERNANCE, { id: ids.demoFr })).lead;
    expect(moved.governance).toMatchObject({ agreement: { name: 'Our SLA' }, priority: 5 });
    expect(moved.agreementChanges).toEqual([{ from: { name: 'Demo SLA' }, to: { name: 'Our SLA' }, reason: 'an activated scope governs it' }]);
    const lead = await rows<{ revision_id: string }>(database.db, sql`select revision_id from leads where id = ${uuidOf(ids.demoFr!)}::uuid`);
    expect(lead[0]!.revision_id).toBe(uuidOf(own.revision));
    expect(await consistent()).toEqual([]);
    // The US lead (no scope of ours) stays with the demo; the fixture's MQLs stay with Sales under ours.
    expect((await gql(GOVERNANCE, { id: ids.demoUs })).lead.governance.agreement).toEqual({ name: 'Demo SLA' });
    const withSales = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from leads where stage = 'mql' and agreement_id = ${uuidOf(own.id)}::uuid`);
    expect(withSales[0]!.n).toBe(2);
    // Activating a revision with the same scope moves nothing.
    const same = await gql(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId: own.id, rules: { notes: 'same scope, new notes' } } },
    );
    expect((await gql(ACTIVATE, { id: same.updateAgreementRules.revision.id })).activateAgreementRevision.scopeMoves).toEqual([]);
  });

  it('refuses to archive an agreement whose leads with Sales nobody would take, then hands them to the next matching scope', async () => {
    const ARCHIVE = `mutation($id: ID!) { archiveSlaAgreement(input: { agreementId: $id }) { __typename
      ... on SlaAgreementPayload { scopeMoves { from { name } to { name } leads } } ... on ConflictError { message } } }`;
    const refused = (await gql(ARCHIVE, { id: own.id })).archiveSlaAgreement;
    expect(refused).toEqual({
      __typename: 'ConflictError',
      message: '2 leads are with Sales under this agreement and no other agreement’s scope takes them: activate one that does, or finish them first',
    });
    const fallback = await agreement('Fallback SLA', { priority: 1000, rules: [] });
    expect((await gql(ACTIVATE, { id: fallback.revision })).activateAgreementRevision.scopeMoves).toEqual([]);
    const archived = (await gql(ARCHIVE, { id: own.id })).archiveSlaAgreement;
    expect(archived.scopeMoves).toEqual([
      { from: { name: 'Our SLA' }, to: { name: 'Fallback SLA' }, leads: 4 },
      { from: { name: 'Our SLA' }, to: { name: 'Demo SLA' }, leads: 1 },
    ]);
    expect((await gql(GOVERNANCE, { id: ids.demoFr })).lead.governance.agreement).toEqual({ name: 'Demo SLA' });
    expect(await consistent()).toEqual([]);
  });

  it('re-scores the leads a scope takes under the taking agreement’s rules, not the ones they were scored under', async () => {
    // Same rule key, different points: a lead scored under the old agreement's "mid_market" (20) must
    // not keep those points as if the new agreement's rule had given them.
    const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
    rules.scope = { priority: 1, rules: [{ attribute: 'company_size', operator: 'RANGE', value: { min: 500 } }] };
    rules.scoring.rules = rules.scoring.rules.map((r: { key: string; points: number }) => (r.key === 'mid_market' ? { ...r, points: 25 } : r));
    const before = await rows<{ fit_score: number }>(database.db, sql`select fit_score from leads where id = ${uuidOf(ids.ownDe!)}::uuid`);
    expect(before[0]!.fit_score).toBe(20);
    const created = await gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { revision { id } } ... on ValidationError { problems { field message } } } }`,
      { input: { name: 'Big SLA', rules } },
    );
    expect(created.createSlaAgreement.__typename, JSON.stringify(created)).toBe('SlaAgreementPayload');
    const activated = (await gql(ACTIVATE, { id: created.createSlaAgreement.revision.id })).activateAgreementRevision;
    expect(activated.scopeMoves).toEqual([{ from: { name: 'Fallback SLA' }, to: { name: 'Big SLA' }, leads: 1 }]);
    for (let i = 0; i < 200; i++) {
      const running = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from rescore_runs where status = 'running'`);
      if (running[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await rows<{ fit_score: number; ledger: number }>(
      database.db,
      sql`select l.fit_score, (select coalesce(sum(points), 0)::int from score_ledger s where s.lead_id = l.id and s.dimension = 'fit') as ledger from leads l where l.id = ${uuidOf(ids.ownDe!)}::uuid`,
    );
    expect(after[0]).toEqual({ fit_score: 25, ledger: 25 });
  });
});
