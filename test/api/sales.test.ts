import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { users } from '../../db/schema/index';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
const lead: Record<string, { id: string; owner: string }> = {};

const ok = async (query: string, variables: Record<string, unknown>, key: string) => {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
};
const keyOf = (ownerName: string) => (ownerName === 'Sam Seller' ? fx.keys.salesA : fx.keys.salesB);

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database);
  const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
  rules.nurtureWorkflows.push({ key: 'welcome', name: 'Welcome', buyingStage: 'AWARENESS', steps: [{ name: 'Hello', content: 'Welcome pack', delayDays: 0 }], enrolmentRules: [{ trigger: 'NEW_LEAD' }] });
  const created = await ok(`mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`, { input: { name: 'Sales SLA', rules } }, fx.keys.admin);
  await ok(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id }) { __typename } }`, { id: created.createSlaAgreement.revision.id }, fx.keys.admin);
  const events = ['ava', 'ben', 'cy'].map((name, i) => ({
    clientEventId: `demo-${name}`, type: 'DEMO_REQUEST', occurredAt: new Date(Date.now() - (10 - i) * 60_000).toISOString(), email: `${name}@wayne.test`,
    lead: { phone: '+1 555 0111', companyName: 'Wayne', source: 'referral' },
  }));
  await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events }, fx.keys.marketing);
  const found = await ok(`{ leads(first: 10, filter: { stages: [MQL] }, orderBy: CREATED_AT_ASC) { edges { node { id email owner { name } } } } }`, {}, fx.keys.admin);
  for (const { node } of found.leads.edges) if (node.email.endsWith('@wayne.test')) lead[node.email.split('@')[0]] = { id: node.id, owner: node.owner.name };
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('sales works its leads', () => {
  it('routes by weight: Sue (weight 2) gets two of three, Sam one', () => {
    const owners = Object.values(lead).map((l) => l.owner).sort();
    expect(owners).toEqual(['Sam Seller', 'Sue Seller', 'Sue Seller']);
  });

  it('enrols new leads by the NEW_LEAD rule, and ends it on hand-off', async () => {
    const { lead: l } = await ok(`query($id: ID!) { lead(id: $id) { nurtureEnrolments { workflowKey status source exitReason } } }`, { id: lead.ava!.id }, fx.keys.admin);
    expect(l.nurtureEnrolments).toEqual([{ workflowKey: 'welcome', status: 'EXITED', source: 'RULE', exitReason: 'handed off to sales' }]);
    // The three leads the batch created were enrolled together, each once, dated at the batch.
    const enrolled = await rows<{ n: number; leads: number }>(
      database.db,
      sql`select count(*)::int as n, count(distinct e.lead_id)::int as leads from nurture_enrolments e join leads l on l.id = e.lead_id
        where l.email like '%@wayne.test' and e.source = 'rule' and e.next_step_position = 1`,
    );
    expect(enrolled[0]).toEqual({ n: 3, leads: 3 });
  });

  it('rejects a hand-off with a reason: back to Marketing', async () => {
    const ava = lead.ava!;
    const noReason = await ok(`mutation($id: ID!) { rejectLead(input: { leadId: $id, reasonCode: "" }) { __typename ... on ValidationError { problems { field message } } } }`, { id: ava.id }, keyOf(ava.owner));
    expect(noReason.rejectLead).toEqual({ __typename: 'ValidationError', problems: [{ field: 'input.reasonCode', message: 'a reason code is required' }] });
    const rejected = await ok(`mutation($id: ID!) { rejectLead(input: { leadId: $id, reasonCode: "missing_info", reason: "no budget owner" }) { __typename ... on SalesLeadPayload { lead { stage handoffStatus } } } }`, { id: ava.id }, keyOf(ava.owner));
    expect(rejected.rejectLead.lead).toEqual({ stage: 'RECYCLED', handoffStatus: 'REJECTED' });
    const [event] = await rows<{ event_type: string; payload: { reasonCode: string } }>(database.db, sql`select event_type, payload from outbox_events where lead_id = ${decodeGlobalID(ava.id).id}::uuid order by id desc limit 1`);
    expect(event).toMatchObject({ event_type: 'lead.rejected', payload: { reasonCode: 'missing_info' } });
  });

  it('turns an accepted lead into an opportunity and a won deal into a customer', async () => {
    const ben = lead.ben!;
    const key = keyOf(ben.owner);
    await ok(`mutation($id: ID!) { acceptLead(input: { leadId: $id }) { __typename } }`, { id: ben.id }, key);
    const created = await ok(
      `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { __typename ... on OpportunityPayload { opportunity { id status pipelineStageKey amountMinor lead { stage } } } ... on ValidationError { problems { message } } } }`,
      { input: { leadId: ben.id, name: 'Wayne pilot', amountMinor: 2_500_000, pipelineStageKey: 'discovery' } },
      key,
    );
    const opportunity = created.createOpportunity.opportunity;
    expect(opportunity).toMatchObject({ status: 'OPEN', pipelineStageKey: 'discovery', amountMinor: 2_500_000, lead: { stage: 'OPPORTUNITY' } });
    const won = await ok(
      `mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { __typename ... on OpportunityPayload { opportunity { status closedAt lead { stage } } } } }`,
      { input: { opportunityId: opportunity.id, pipelineStageKey: 'won' } },
      key,
    );
    expect(won.updateOpportunity.opportunity).toMatchObject({ status: 'WON', lead: { stage: 'CUSTOMER' } });
    expect(won.updateOpportunity.opportunity.closedAt).toBeTruthy();
    const again = await ok(`mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { __typename } }`, { input: { opportunityId: opportunity.id, pipelineStageKey: 'lost' } }, key);
    expect(again.updateOpportunity.__typename).toBe('ConflictError');
  });

  it('lets the owner put a lead into nurture by hand, and nobody else', async () => {
    const cy = lead.cy!;
    const other = cy.owner === 'Sam Seller' ? fx.keys.salesB : fx.keys.salesA;
    const refused = await ok(`mutation($id: ID!) { enrolLeadInNurture(input: { leadId: $id, workflowKey: "reengage" }) { __typename } }`, { id: cy.id }, other);
    expect(refused.enrolLeadInNurture.__typename).toBe('NotFoundError'); // another rep's lead reads as missing
    const unknown = await ok(`mutation($id: ID!) { enrolLeadInNurture(input: { leadId: $id, workflowKey: "nope" }) { __typename ... on ValidationError { problems { message } } } }`, { id: cy.id }, keyOf(cy.owner));
    expect(unknown.enrolLeadInNurture.problems).toEqual([{ message: 'no nurture workflow "nope" in the agreement' }]);
    const enrolled = await ok(`mutation($id: ID!) { enrolLeadInNurture(input: { leadId: $id, workflowKey: "reengage" }) { __typename ... on SalesLeadPayload { lead { nurtureEnrolments { workflowKey status source } } } } }`, { id: cy.id }, keyOf(cy.owner));
    expect(enrolled.enrolLeadInNurture.lead.nurtureEnrolments[0]).toEqual({ workflowKey: 'reengage', status: 'ACTIVE', source: 'MANUAL' });
  });

  it('skips inactive reps when routing', async () => {
    await database.db.update(users).set({ active: false }).where(eq(users.id, fx.userIds.salesB));
    const events = ['dee', 'eli'].map((name) => ({ clientEventId: `demo-${name}`, type: 'TRIAL_REQUEST', occurredAt: new Date().toISOString(), email: `${name}@wayne.test`, lead: { phone: '1', companyName: 'Wayne', source: 'referral' } }));
    await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events }, fx.keys.marketing);
    const owners = await rows<{ name: string }>(database.db, sql`select u.name from leads l join users u on u.id = l.owner_id where l.email in ('dee@wayne.test', 'eli@wayne.test')`);
    expect(owners.map((o) => o.name)).toEqual(['Sam Seller', 'Sam Seller']);
  });

  it('holds a hand-off that lacks required information, listing what is missing', async () => {
    await ok(`mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename } }`, { events: [{ clientEventId: 'demo-fay', type: 'DEMO_REQUEST', occurredAt: new Date().toISOString(), email: 'fay@wayne.test' }] }, fx.keys.marketing);
    const found = await ok(`{ leads(first: 1, filter: { stages: [MQL] }, orderBy: CREATED_AT_DESC) { edges { node { email handoffStatus handoffMissingFields owner { name } } } } }`, {}, fx.keys.admin);
    expect(found.leads.edges[0].node).toEqual({ email: 'fay@wayne.test', handoffStatus: 'HELD', handoffMissingFields: ['phone', 'company_name'], owner: null });

    // Once the information is there, the held hand-off goes through.
    const [fay] = await rows<{ id: string }>(database.db, sql`select id from leads where email = 'fay@wayne.test'`);
    const updated = await ok(
      `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { ... on LeadPayload { lead { handoffStatus handoffMissingFields owner { name } } } } }`,
      { input: { leadId: encodeGlobalID('Lead', fay!.id), phone: '+1 555 0199', companyName: 'Wayne' } },
      fx.keys.marketing,
    );
    expect(updated.updateLead.lead).toEqual({ handoffStatus: 'ROUTED', handoffMissingFields: [], owner: { name: 'Sam Seller' } });
  });
});
