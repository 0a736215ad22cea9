import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { tick } from '../../domain/clocks/scheduler';
import { runKpi } from '../../reports/kpis/run';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Issue 11, case by case, through GraphQL over HTTP: the clocks, the work queue, the breaches, the
// KPIs and the webhooks tell one truth. Each case was seen failing on the code before the hand-off
// model (test names say which).

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let agreementId: string;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = () => Date.now();
const uuidOf = (id: string) => decodeGlobalID(id).id;
const dayStart = (t: number) => Math.floor(t / DAY) * DAY;
// Goal.plan's cut-off: the start of yesterday (UTC); one MQL half a day before it, one an hour after.
const asOf = dayStart(now()) - DAY;

async function ok(query: string, variables: Record<string, unknown>, key: string) {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

let eventNo = 0;
const person = (name: string, extra: Record<string, unknown> = {}) => ({
  firstName: name,
  lastName: 'Tester',
  phone: '+1 555 0100',
  companyName: `${name} Corp`,
  seniority: 'manager',
  source: 'referral',
  ...extra,
});
const event = (email: string, type: string, occurredAt: number, lead?: Record<string, unknown>, properties: Record<string, unknown> = {}) => ({
  clientEventId: `clock-truth-${++eventNo}`,
  type,
  occurredAt: new Date(occurredAt).toISOString(),
  email,
  properties,
  ...(lead ? { lead } : {}),
});

async function record(events: unknown[]) {
  const data = await ok(
    `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) {
      __typename ... on RecordActivitiesPayload { newMqls { id email } results { lead { id } } } ... on ValidationError { problems { field message } } } }`,
    { events },
    fx.keys.marketing,
  );
  expect(data.recordActivities.__typename).toBe('RecordActivitiesPayload');
  return data.recordActivities as { newMqls: { id: string; email: string }[]; results: { lead: { id: string } }[] };
}

const LEAD = `query($id: ID!) { lead(id: $id) { id stage handoffStatus owner { id name } handedOffAt
  handoffs { trigger state requestedAt heldAt releasedAt handedOffAt missingFields owner { id } decidedAt firstContactAt }
  slaClocks { clock stage status verdict overdue startedAt dueAt stoppedAt handoff { trigger } }
  stageTransitions { fromStage toStage occurredAt recordedAt } } }`;
const lead = async (id: string) => (await ok(LEAD, { id }, fx.keys.admin)).lead;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });
  const rules = completeRules([encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)]);
  rules.clocks.push({ clock: 'TIME_IN_STAGE', stage: 'MQL', businessMinutes: 2400 });
  // The same code with a different label per kind (case 7).
  rules.reasonCodes.push(
    { kind: 'REJECT', code: 'no_budget', label: 'No budget this year' },
    { kind: 'DISQUALIFY', code: 'no_budget', label: 'Can never afford the product' },
  );
  rules.goals.push({
    key: 'mqls_around_now',
    name: 'MQLs around now',
    metric: 'MQLS',
    target: 100,
    periodStart: new Date(asOf - 10 * DAY).toISOString().slice(0, 10),
    periodEnd: new Date(asOf + 10 * DAY).toISOString().slice(0, 10),
    ownerSide: 'MARKETING',
    rateSource: 'CONFIGURED',
    rates: { winRate: 0.25, sqlToOpportunity: 0.5, mqlToSql: 0.4, leadToMql: 0.2, visitorToLead: 0.02 },
  });
  const created = await ok(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { agreement { id } revision { id } } ... on ValidationError { problems { field message } } } }`,
    { input: { name: 'Clock truth SLA', rules } },
    fx.keys.admin,
  );
  expect(created.createSlaAgreement.__typename).toBe('SlaAgreementPayload');
  agreementId = uuidOf(created.createSlaAgreement.agreement.id);
  await ok(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, { id: created.createSlaAgreement.revision.id }, fx.keys.admin);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('1. a breached, unresolved obligation tops the work queue', () => {
  let lateLead: string;

  it('shows a late demo request as overdue, with its clock and how late it is, first in the queue', async () => {
    const { results } = await record([event('late.demo@truth.test', 'DEMO_REQUEST', now() - 5 * DAY, person('Late'))]);
    lateLead = results[0]!.lead.id;
    // A fresh hand-off to the same rep (routing alternates: send two, keep the one that went to the same owner).
    await record([event('fresh.one@truth.test', 'DEMO_REQUEST', now() - 60_000, person('FreshOne')), event('fresh.two@truth.test', 'DEMO_REQUEST', now() - 60_000, person('FreshTwo'))]);
    await tick(database.db, new Date());
    const late = await lead(lateLead);
    const ownerKey = late.owner.id === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    const { workQueue } = await ok(`{ workQueue { lead { id } dueClock nextDueAt overdue minutesOverdue } }`, {}, ownerKey);
    expect(workQueue.length).toBeGreaterThanOrEqual(2);
    const response = late.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE');
    expect(response).toMatchObject({ status: 'BREACHED', verdict: 'BREACHED', overdue: true, stoppedAt: null });
    expect(workQueue[0]).toMatchObject({ lead: { id: lateLead }, dueClock: 'RESPONSE', nextDueAt: response.dueAt, overdue: true });
    expect(workQueue[0].minutesOverdue).toBeGreaterThan(24 * 60);
    // The fresh hand-offs are not overdue and come after.
    expect(workQueue.slice(1).every((i: { overdue: boolean }) => !i.overdue)).toBe(true);
  });

  it('2. counts the response from the same instant as the clock: the KPI agrees with the breaches', async () => {
    const late = await lead(lateLead);
    const ownerKey = late.owner.id === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    await ok(`mutation($id: ID!) { logContactAttempt(input: { leadId: $id, channel: PHONE, outcome: VOICEMAIL }) { __typename } }`, { id: lateLead }, ownerKey);
    const handedOff = late.handoffs[0].handedOffAt as string;
    const day = handedOff.slice(0, 10);
    const period = { from: day, to: day, agreementId };
    const [response] = await runKpi(database.db, 'response_time', period);
    const breaches = await runKpi(database.db, 'sla_breaches', { from: day, to: new Date().toISOString().slice(0, 10), agreementId });
    expect(response).toMatchObject({ handoffs: 1, contacted: 1, breached: 1, withinSla: { numerator: 0, denominator: 1 } });
    expect(breaches.filter((b) => b.clock === 'response').reduce((n, b) => n + b.breaches, 0)).toBe(1);
    // Both instants are one: the move to MQL, the hand-off and the clock's start.
    const mql = late.stageTransitions.find((t: { toStage: string }) => t.toStage === 'MQL');
    expect(mql.occurredAt).toBe(handedOff);
    expect(late.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE').startedAt).toBe(handedOff);
    // The breach, now resolved by the contact, is out of the queue.
    const after = await lead(lateLead);
    expect(after.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE')).toMatchObject({ status: 'BREACHED', overdue: false });
    expect(after.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE').stoppedAt).not.toBeNull();
  });
});

describe('3. an outcome that ends the follow-up stops the cadence clock', () => {
  it('starts no cadence clock after a reply, and no breach three days later', async () => {
    const { results } = await record([event('replies@truth.test', 'DEMO_REQUEST', now() - HOUR, person('Replies'))]);
    const id = results[0]!.lead.id;
    const before = await lead(id);
    const key = before.owner.id === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    const { logContactAttempt } = await ok(
      `mutation($id: ID!) { logContactAttempt(input: { leadId: $id, channel: EMAIL, outcome: REPLIED }) { ... on LogContactAttemptPayload { nextAttemptDueAt followUpDueBy } } }`,
      { id },
      key,
    );
    expect(logContactAttempt).toEqual({ nextAttemptDueAt: null, followUpDueBy: null });
    await tick(database.db, new Date(now() + 3 * DAY));
    const after = await lead(id);
    expect(after.slaClocks.filter((c: { clock: string }) => c.clock === 'CADENCE_INTERVAL')).toEqual([]);
    const breaches = await rows<{ clock: string }>(database.db, sql`select clock from sla_breaches where lead_id = ${uuidOf(id)}::uuid and clock = 'cadence_interval'`);
    expect(breaches).toEqual([]);
  });

  it('keeps the cadence for a voicemail, with the clock the payload announces', async () => {
    const { results } = await record([event('voicemail@truth.test', 'DEMO_REQUEST', now() - HOUR, person('Voicemail'))]);
    const id = results[0]!.lead.id;
    const owner = (await lead(id)).owner.id;
    const key = owner === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    const { logContactAttempt } = await ok(
      `mutation($id: ID!) { logContactAttempt(input: { leadId: $id, channel: PHONE, outcome: VOICEMAIL }) { ... on LogContactAttemptPayload { nextAttemptDueAt followUpDueBy } } }`,
      { id },
      key,
    );
    expect(logContactAttempt.nextAttemptDueAt).not.toBeNull();
    const cadence = (await lead(id)).slaClocks.filter((c: { clock: string }) => c.clock === 'CADENCE_INTERVAL');
    expect(cadence).toHaveLength(1);
    expect(cadence[0]).toMatchObject({ status: 'RUNNING', dueAt: logContactAttempt.followUpDueBy });
  });
});

describe('4–5. held hand-offs', () => {
  let heldLead: string;

  it('4. starts the time-in-stage clock once, however many scheduler passes run', async () => {
    const { results } = await record([event('no.phone@truth.test', 'DEMO_REQUEST', now() - HOUR, person('NoPhone', { phone: null }))]);
    heldLead = results[0]!.lead.id;
    const count = async () => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from sla_clocks where lead_id = ${uuidOf(heldLead)}::uuid`))[0]!.n;
    const before = await count();
    for (let i = 1; i <= 5; i++) await tick(database.db, new Date(now() + i * 30_000));
    expect(await count()).toBe(before);
    const held = await lead(heldLead);
    expect(held).toMatchObject({ stage: 'MQL', handoffStatus: 'HELD', owner: null });
    expect(held.slaClocks).toEqual([expect.objectContaining({ clock: 'TIME_IN_STAGE', stage: 'MQL', status: 'RUNNING' })]);
    expect(held.handoffs).toEqual([expect.objectContaining({ trigger: 'demo_request', state: 'HELD', missingFields: ['phone'], handedOffAt: null })]);
  });

  it('5. a released hand-off keeps its trigger; the release is a fact of its own', async () => {
    const updated = await ok(`mutation($id: ID!) { updateLead(input: { leadId: $id, phone: "+1 555 0199" }) { __typename } }`, { id: heldLead }, fx.keys.marketing);
    expect(updated.updateLead.__typename).not.toMatch(/Error/);
    const released = await lead(heldLead);
    const [handoff] = released.handoffs;
    expect(handoff).toMatchObject({ trigger: 'demo_request', state: 'ROUTED', missingFields: ['phone'] });
    expect(handoff.heldAt).not.toBeNull();
    expect(handoff.releasedAt).toBe(handoff.handedOffAt);
    expect(Date.parse(handoff.handedOffAt)).toBeGreaterThan(Date.parse(handoff.requestedAt));
    // The clocks of Sales start at the release, not at the request it could not act on.
    const response = released.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE');
    expect(response).toMatchObject({ startedAt: handoff.handedOffAt, handoff: { trigger: 'demo_request' } });
    const [event] = await rows<{ payload: Record<string, any> }>(
      database.db,
      sql`select payload from outbox_events where event_type = 'lead.handed_off' and lead_id = ${uuidOf(heldLead)}::uuid`,
    );
    expect(event!.payload).toMatchObject({ trigger: 'demo_request', release: { missingFields: ['phone'] } });
    expect(Date.parse(event!.payload.handedOffAt)).toBe(Date.parse(handoff.handedOffAt));
    expect(Date.parse(event!.payload.release.releasedAt)).toBe(Date.parse(handoff.releasedAt));
    expect(Date.parse(event!.payload.requestedAt)).toBe(Date.parse(handoff.requestedAt));
  });
});

describe('6. newMqls lists every lead the batch made MQL', () => {
  it('by score and by trigger', async () => {
    const fit = person('Scored', { seniority: 'vp', companySize: 800, industry: 'Software' });
    const { newMqls } = await record([
      // fit 60 + webinar 15 + 3 pricing views 30 = interest 45 ≥ 30: MQL by score.
      event('scored@truth.test', 'WEBINAR_ATTENDANCE', now() - 3 * HOUR, fit),
      ...[1, 2, 3].map((i) => event('scored@truth.test', 'PAGE_VIEW', now() - 3 * HOUR + i * 60_000, undefined, { url: '/pricing' })),
      ...[1, 2, 3, 4].map((i) => event(`trigger${i}@truth.test`, i % 2 ? 'DEMO_REQUEST' : 'TRIAL_REQUEST', now() - i * 60_000, person(`Trigger${i}`))),
    ]);
    expect(newMqls.map((l) => l.email).sort()).toEqual(['scored@truth.test', 'trigger1@truth.test', 'trigger2@truth.test', 'trigger3@truth.test', 'trigger4@truth.test']);
    const moved = await rows<{ n: number }>(
      database.db,
      sql`select count(distinct t.lead_id)::int as n from stage_transitions t join leads l on l.id = t.lead_id
        where t.to_stage = 'mql' and (l.email like 'trigger%@truth.test' or l.email = 'scored@truth.test')`,
    );
    expect(moved[0]!.n).toBe(5);
  });
});

describe('7. recycle reasons carry the label of the route’s kind, from the revision of the move', () => {
  it('labels a rejected no_budget with the reject label, not the disqualify one', async () => {
    const { results } = await record([event('no.budget@truth.test', 'DEMO_REQUEST', now() - HOUR, person('NoBudget'))]);
    const id = results[0]!.lead.id;
    const owner = (await lead(id)).owner.id;
    const key = owner === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    const rejected = await ok(`mutation($id: ID!) { rejectLead(input: { leadId: $id, reasonCode: "no_budget" }) { __typename } }`, { id }, key);
    expect(rejected.rejectLead.__typename).toBe('SalesLeadPayload');
    const today = new Date().toISOString().slice(0, 10);
    const reasons = await runKpi(database.db, 'recycle_reasons', { from: today, to: today, agreementId });
    expect(reasons.find((r) => r.code === 'no_budget')).toMatchObject({ label: 'No budget this year', route: 'rejected', toStage: 'recycled' });
    const rejections = await runKpi(database.db, 'rejection_reasons', { from: today, to: today, agreementId });
    expect(rejections.find((r) => r.code === 'no_budget')).toMatchObject({ label: 'No budget this year' });
  });
});

describe('8. Goal.plan(asOf) cuts everything at the instant asOf', () => {
  it('leaves out an MQL an hour after asOf', async () => {
    await record([
      event('before.asof@truth.test', 'DEMO_REQUEST', asOf - 12 * HOUR, person('Before')),
      event('after.asof@truth.test', 'DEMO_REQUEST', asOf + HOUR, person('After')),
    ]);
    const data = await ok(
      `query($id: ID!, $asOf: DateTime!) { slaAgreement(id: $id) { activeRevision { goals { key plan(asOf: $asOf) { elapsedShare actualToDate { mqls } } } } } }`,
      { id: encodeGlobalID('SlaAgreement', agreementId), asOf: new Date(asOf).toISOString() },
      fx.keys.admin,
    );
    const goal = data.slaAgreement.activeRevision.goals.find((g: { key: string }) => g.key === 'mqls_around_now');
    const mqlsBefore = await rows<{ n: number }>(
      database.db,
      sql`select count(distinct t.lead_id)::int as n from stage_transitions t join leads l on l.id = t.lead_id
        where t.to_stage = 'mql' and l.agreement_id = ${agreementId}::uuid and t.occurred_at >= ${new Date(asOf - 10 * DAY).toISOString()}::timestamptz
          and t.occurred_at < ${new Date(asOf).toISOString()}::timestamptz`,
    );
    expect(goal.plan.actualToDate.mqls).toBe(mqlsBefore[0]!.n);
    expect(goal.plan.elapsedShare).toBeCloseTo(10 / 21, 10);
    const after = await rows<{ at: string }>(database.db, sql`select t.occurred_at as at from stage_transitions t join leads l on l.id = t.lead_id where l.email = 'after.asof@truth.test' and t.to_stage = 'mql'`);
    expect(after).toHaveLength(1); // it exists, and is left out
  });
});

describe('9. a late trigger moves the lead to MQL at the trigger’s time', () => {
  it('never shows Sales getting a lead before it qualified, even when the score qualifies it in the same batch', async () => {
    const fit = person('Existing', { seniority: 'vp', companySize: 800, industry: 'Software' });
    const created = await record([event('existing@truth.test', 'PAGE_VIEW', now() - 10 * DAY, fit, { url: '/blog' })]);
    const id = created.results[0]!.lead.id;
    const demoAt = now() - 5 * DAY;
    // The same batch brings enough interest to qualify by score now, and the demo request of five days ago.
    await record([
      event('existing@truth.test', 'WEBINAR_ATTENDANCE', now() - 2 * HOUR),
      ...[1, 2, 3].map((i) => event('existing@truth.test', 'PAGE_VIEW', now() - HOUR + i * 60_000, undefined, { url: '/pricing' })),
      event('existing@truth.test', 'DEMO_REQUEST', demoAt),
    ]);
    const after = await lead(id);
    const mql = after.stageTransitions.filter((t: { toStage: string }) => t.toStage === 'MQL');
    expect(mql).toHaveLength(1);
    expect(mql[0].occurredAt).toBe(new Date(demoAt).toISOString());
    expect(Date.parse(mql[0].recordedAt)).toBeGreaterThan(demoAt + 4 * DAY);
    expect(after.handoffs).toEqual([expect.objectContaining({ trigger: 'demo_request', requestedAt: new Date(demoAt).toISOString(), handedOffAt: new Date(demoAt).toISOString() })]);
    // Everywhere: no hand-off is dated before the move to MQL that preceded it.
    const wrong = await rows<{ id: string }>(
      database.db,
      sql`select h.id from handoffs h where h.handed_off_at < (select max(t.occurred_at) from stage_transitions t
        where t.lead_id = h.lead_id and t.to_stage = 'mql' and t.occurred_at <= h.requested_at)`,
    );
    expect(wrong).toEqual([]);
  });
});

describe('stuck leads', () => {
  it('lists leads past their stage’s time limit by stage and owner; the breach shows in the KPI', async () => {
    // Held for ten days (no phone): the MQL time limit (2,400 business minutes) ran out.
    const { results } = await record([event('stuck@truth.test', 'DEMO_REQUEST', now() - 10 * DAY, person('Stuck', { phone: null }))]);
    const id = results[0]!.lead.id;
    const listed = async (key: string) =>
      (await ok(`{ stuckLeads(stages: [MQL]) { nodes { lead { id } stage owner { id } hoursOverdue breachRecorded } byStageAndOwner { stage owner { id } leads } } }`, {}, key)).stuckLeads;
    const before = await listed(fx.keys.admin);
    expect(before.nodes).toContainEqual(expect.objectContaining({ lead: { id }, stage: 'MQL', owner: null, breachRecorded: false }));
    await tick(database.db, new Date());
    const after = await listed(fx.keys.admin);
    const item = after.nodes.find((n: { lead: { id: string } }) => n.lead.id === id);
    expect(item).toMatchObject({ breachRecorded: true });
    expect(item.hoursOverdue).toBeGreaterThan(0);
    expect(after.byStageAndOwner).toContainEqual(expect.objectContaining({ stage: 'MQL', owner: null }));
    // A rep sees only its own stuck leads (this one has no owner) and may not ask for another's.
    expect((await listed(fx.keys.salesA)).nodes.some((n: { lead: { id: string } }) => n.lead.id === id)).toBe(false);
    const refused = await server.gql(`query($o: ID!) { stuckLeads(ownerId: $o) { nodes { stage } } }`, { o: encodeGlobalID('User', fx.userIds.salesB) }, fx.keys.salesA);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const today = new Date().toISOString().slice(0, 10);
    const breaches = await runKpi(database.db, 'sla_breaches', { from: today, to: today, agreementId });
    expect(breaches.some((b) => b.clock === 'time_in_stage')).toBe(true);
    // …and in the monthly review's stuck-lead table (the held lead is the only MQL stuck today).
    const stuck = await runKpi(database.db, 'stuck_leads', { from: today, to: today, agreementId });
    expect(stuck).toEqual([expect.objectContaining({ stage: 'mql', breaches: 1, stillStuck: 1 })]);
    expect(stuck[0]!.p50HoursOver).toBeCloseTo(item.hoursOverdue, 0);
  });
});

describe('edges the review found', () => {
  it('refuses a contact attempt dated before the hand-off or the previous attempt', async () => {
    const { results } = await record([event('backdated@truth.test', 'DEMO_REQUEST', now() - HOUR, person('Backdated'))]);
    const id = results[0]!.lead.id;
    const owner = (await lead(id)).owner.id;
    const key = owner === encodeGlobalID('User', fx.userIds.salesA) ? fx.keys.salesA : fx.keys.salesB;
    const LOG = `mutation($id: ID!, $at: DateTime) { logContactAttempt(input: { leadId: $id, channel: PHONE, outcome: VOICEMAIL, occurredAt: $at }) {
      __typename ... on ValidationError { problems { field message } } } }`;
    const early = (await ok(LOG, { id, at: new Date(now() - 2 * HOUR).toISOString() }, key)).logContactAttempt;
    expect(early.problems[0]).toMatchObject({ field: 'input.occurredAt' });
    expect(early.problems[0].message).toMatch(/^is before the hand-off/);
    expect((await ok(LOG, { id, at: new Date(now() - 10 * 60_000).toISOString() }, key)).logContactAttempt.__typename).toBe('LogContactAttemptPayload');
    const outOfOrder = (await ok(LOG, { id, at: new Date(now() - 20 * 60_000).toISOString() }, key)).logContactAttempt;
    expect(outOfOrder.problems[0].message).toMatch(/^is before the previous attempt/);
    const attempts = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from contact_attempts where lead_id = ${uuidOf(id)}::uuid`);
    expect(attempts[0]!.n).toBe(1);
  });

  it('releases a held hand-off whose trigger was stamped a little in the future', async () => {
    const { results } = await record([event('ahead@truth.test', 'DEMO_REQUEST', now() + 2 * 60_000, person('Ahead', { phone: null }))]);
    const id = results[0]!.lead.id;
    const released = await ok(`mutation($id: ID!) { updateLead(input: { leadId: $id, phone: "+1 555 0102" }) { __typename ... on LeadPayload { lead { handoffStatus } } } }`, { id }, fx.keys.marketing);
    expect(released.updateLead).toEqual({ __typename: 'LeadPayload', lead: { handoffStatus: 'ROUTED' } });
    const [handoff] = (await lead(id)).handoffs;
    expect(Date.parse(handoff.requestedAt)).toBeLessThanOrEqual(Date.parse(handoff.handedOffAt));
  });
});
