import { encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let salesIds: string[];

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 4);
  salesIds = [encodeGlobalID('User', fx.userIds.salesA), encodeGlobalID('User', fx.userIds.salesB)];
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

const RULE_TABLES = [
  'sla_agreements', 'agreement_revisions', 'agreement_changes', 'goals', 'stage_definitions', 'stage_transition_rules',
  'pipeline_stages', 'scoring_rules', 'scoring_settings', 'temperature_bands', 'fit_grades', 'handoff_settings',
  'handoff_required_fields', 'routing_settings', 'routing_members', 'business_hours', 'holidays', 'sla_clock_rules',
  'cadence_rules', 'reason_codes', 'recycle_rules', 'nurture_workflows', 'nurture_steps', 'nurture_enrolment_rules',
];

/** Every row of every rules table, to prove a refused mutation wrote nothing. */
async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of RULE_TABLES) parts.push(await rows(database.db, sql.raw(`select * from ${table} order by 1`)));
  return JSON.stringify(parts);
}

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateSlaAgreementInput!) {
    createSlaAgreement(input: $input) {
      __typename
      ... on SlaAgreementPayload { agreement { id name status } revision { id number status } }
      ... on ValidationError { message problems { field message } }
      ... on ConflictError { message }
    }
  }
`;
const UPDATE_RULES = /* GraphQL */ `
  mutation Update($input: UpdateAgreementRulesInput!) {
    updateAgreementRules(input: $input) {
      __typename
      ... on SlaAgreementPayload { revision { id number status } changes { part key kind field before after } }
      ... on ValidationError { message problems { field message } }
      ... on ConflictError { message }
      ... on NotFoundError { message }
    }
  }
`;
const ACTIVATE = /* GraphQL */ `
  mutation Activate($id: ID!) {
    activateAgreementRevision(input: { revisionId: $id }) {
      __typename
      ... on SlaAgreementPayload { agreement { status activeRevision { id number } revisions { number status } } }
      ... on ValidationError { message problems { field message } }
      ... on ConflictError { message }
    }
  }
`;
const READ = /* GraphQL */ `
  query Read($id: ID!) {
    slaAgreement(id: $id) {
      name status
      activeRevision { number status timeZone goals { key plan(asOf: "2026-02-15T00:00:00Z") { needs { revenueMinor wonDeals opportunities sqls mqls leads visitors } } }
        rules {
          stages { stage definition }
          transitions { from to requiresReason }
          pipelineStages { key outcome }
          scoring { mqlFitThreshold mqlInterestThreshold rules { key points repeatPolicy decayHalfLifeDays propertyFilters { property operator value } } temperatureBands { temperature minScore maxScore } fitGrades { grade minFit } }
          handoff { triggerActivityTypes requiredFields { field } }
          routing { method members { user { name } weight capacity } }
          businessHours { weekday start end }
          holidays { day name }
          clocks { clock stage businessMinutes }
          cadence { allowedChannels maxAttempts minIntervalBusinessMinutes maxSpanDays }
          reasonCodes { kind code }
          recycleRules { trigger reasonCode nurtureWorkflowKey }
          nurtureWorkflows { key steps { name delayDays } enrolmentRules { trigger reasonCode } }
        }
      }
      changes(first: 20) { edges { node { action entity actor { name } before after at } } }
    }
  }
`;

describe('an admin writes, activates and revises an agreement', () => {
  let agreementId: string;
  let firstRevision: string;

  it('creates an agreement with all seven parts as a draft', async () => {
    const result = await server.gql(CREATE, { input: { name: 'EMEA SLA', description: 'Marketing ↔ Sales, EMEA', rules: completeRules(salesIds) } }, fx.keys.admin);
    expect(result.errors).toBeUndefined();
    const payload = result.data!.createSlaAgreement;
    expect(payload.__typename).toBe('SlaAgreementPayload');
    expect(payload.agreement).toMatchObject({ name: 'EMEA SLA', status: 'DRAFT' });
    expect(payload.revision).toMatchObject({ number: 1, status: 'DRAFT' });
    agreementId = payload.agreement.id;
    firstRevision = payload.revision.id;
  });

  it('activates it and reads every part back', async () => {
    const activated = await server.gql(ACTIVATE, { id: firstRevision }, fx.keys.admin);
    expect(activated.data!.activateAgreementRevision).toMatchObject({
      __typename: 'SlaAgreementPayload',
      agreement: { status: 'ACTIVE', activeRevision: { number: 1 }, revisions: [{ number: 1, status: 'ACTIVE' }] },
    });
    const read = await server.gql(READ, { id: agreementId }, fx.keys.marketing);
    expect(read.errors).toBeUndefined();
    const revision = read.data!.slaAgreement.activeRevision;
    expect(revision.timeZone).toBe('America/New_York');
    expect(revision.goals[0]).toEqual({
      key: 'mqls_q1',
      plan: null, // historical rates with no history yet: no plan
    });
    expect(revision.goals[1].plan.needs).toEqual({ revenueMinor: 100_000_000, wonDeals: 50, opportunities: 200, sqls: 400, mqls: 1000, leads: 5000, visitors: 250_000 });
    const rules = revision.rules;
    expect(rules.stages).toHaveLength(7);
    expect(rules.transitions).toContainEqual({ from: 'MQL', to: 'RECYCLED', requiresReason: true });
    expect(rules.scoring.rules.find((r: { key: string }) => r.key === 'pricing_view')).toEqual({
      key: 'pricing_view', points: 10, repeatPolicy: 'MAX_PER_PERIOD', decayHalfLifeDays: 30,
      propertyFilters: [{ property: 'url', operator: 'CONTAINS', value: '/pricing' }],
    });
    expect(rules.scoring.temperatureBands).toEqual([
      { temperature: 'COLD', minScore: -1000, maxScore: 50 },
      { temperature: 'WARM', minScore: 50, maxScore: 90 },
      { temperature: 'HOT', minScore: 90, maxScore: null },
    ]);
    expect(rules.handoff.triggerActivityTypes).toEqual(['DEMO_REQUEST', 'TRIAL_REQUEST', 'CONSULTATION_REQUEST']);
    expect(rules.routing.members.map((m: { user: { name: string }; weight: number }) => [m.user.name, m.weight]).sort()).toEqual([['Sam Seller', 1], ['Sue Seller', 2]]);
    expect(rules.businessHours).toHaveLength(5);
    expect(rules.clocks).toContainEqual({ clock: 'TIME_IN_STAGE', stage: 'SQL', businessMinutes: 4800 });
    expect(rules.cadence).toEqual({ allowedChannels: ['PHONE', 'EMAIL', 'VIDEO'], maxAttempts: 6, minIntervalBusinessMinutes: 480, maxSpanDays: 14 });
    expect(rules.recycleRules).toContainEqual({ trigger: 'MAX_ATTEMPTS', reasonCode: 'no_response', nurtureWorkflowKey: 'reengage' });
    expect(rules.nurtureWorkflows[0].steps).toEqual([{ name: 'Case study', delayDays: 2 }, { name: 'Webinar invite', delayDays: 7 }]);
  });

  it('puts a changed scoring rule into a new draft revision, leaving the active one alone', async () => {
    const rules = completeRules(salesIds).scoring;
    rules.rules = rules.rules.map((r: any) => (r.key === 'webinar' ? { ...r, points: 25 } : r));
    const result = await server.gql(UPDATE_RULES, { input: { agreementId, rules: { scoring: rules, notes: 'webinars matter more' } } }, fx.keys.admin);
    const payload = result.data!.updateAgreementRules;
    expect(payload.__typename).toBe('SlaAgreementPayload');
    expect(payload.revision).toMatchObject({ number: 2, status: 'DRAFT' });
    expect(payload.changes).toEqual([
      { part: 'notes', key: null, kind: 'CHANGED', field: null, before: '', after: 'webinars matter more' },
      { part: 'scoring.rules', key: 'webinar', kind: 'CHANGED', field: 'points', before: 15, after: 25 },
    ]);

    const read = await server.gql(READ, { id: agreementId }, fx.keys.admin);
    const active = read.data!.slaAgreement.activeRevision;
    expect(active.number).toBe(1);
    expect(active.rules.scoring.rules.find((r: { key: string }) => r.key === 'webinar').points).toBe(15);

    const diff = await server.gql(
      `query($a: ID!, $b: ID!) { agreementRevisionDiff(fromRevisionId: $a, toRevisionId: $b) { part key kind field before after } }`,
      { a: firstRevision, b: payload.revision.id },
      fx.keys.salesA,
    );
    // Revision 1 had its own notes; the draft started empty and got new ones.
    expect(diff.data!.agreementRevisionDiff).toEqual([{ ...payload.changes[0], before: 'first version' }, payload.changes[1]]);

    // The change log says who changed what, with before/after.
    const log = read.data!.slaAgreement.changes.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(log.map((c: { action: string; entity: string }) => `${c.action}:${c.entity}`)).toEqual([
      'update:notes', 'update:scoring', 'create:revision', 'activate:revision', 'create:agreement',
    ]);
    expect(log.every((c: { actor: { name: string } }) => c.actor.name === 'Ada Admin')).toBe(true);
    const scoringChange = log[1] as { before: { rules: { key: string; points: number }[] }; after: { rules: { key: string; points: number }[] } };
    expect(scoringChange.before.rules.find((r) => r.key === 'webinar')!.points).toBe(15);
    expect(scoringChange.after.rules.find((r) => r.key === 'webinar')!.points).toBe(25);

    // Activating the draft retires revision 1.
    const activated = await server.gql(ACTIVATE, { id: payload.revision.id }, fx.keys.admin);
    expect(activated.data!.activateAgreementRevision.agreement).toEqual({
      status: 'ACTIVE',
      activeRevision: { id: payload.revision.id, number: 2 },
      revisions: [{ number: 1, status: 'RETIRED' }, { number: 2, status: 'ACTIVE' }],
    });
  });

  it('lets marketing and sales read rules, viewers only the summary, and only admins write', async () => {
    for (const key of [fx.keys.marketing, fx.keys.salesA]) {
      const read = await server.gql(`query($id: ID!) { slaAgreement(id: $id) { activeRevision { rules { cadence { maxAttempts } } } } }`, { id: agreementId }, key);
      expect(read.data!.slaAgreement.activeRevision.rules.cadence.maxAttempts).toBe(6);
    }
    const viewer = await server.gql(
      `query($id: ID!) { slaAgreement(id: $id) { name activeRevision { number goals { key } rules { cadence { maxAttempts } } } } }`,
      { id: agreementId },
      fx.keys.viewer,
    );
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data!.slaAgreement).toEqual({ name: 'EMEA SLA', activeRevision: { number: 2, goals: [{ key: 'mqls_q1' }, { key: 'new_revenue_q1' }], rules: null } });

    const before = await snapshot();
    const refused = await server.gql(UPDATE_RULES, { input: { agreementId, rules: { notes: 'sneaky' } } }, fx.keys.marketing);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await snapshot()).toBe(before);
  });
});

describe('refusals: a typed error per problem and field, and nothing written', () => {
  let agreementId: string;

  beforeAll(async () => {
    const created = await server.gql(CREATE, { input: { name: 'Refusals SLA', rules: completeRules(salesIds) } }, fx.keys.admin);
    agreementId = created.data!.createSlaAgreement.agreement.id;
    const revision = created.data!.createSlaAgreement.revision.id;
    await server.gql(ACTIVATE, { id: revision }, fx.keys.admin);
  });

  const base = () => completeRules([]);
  type Rules = any; // GraphQL input, checked by the server
  const cases: [string, (r: Rules) => Partial<Rules>, RegExp, RegExp][] = [
    ['overlapping temperature bands', (r: any) => ({ scoring: { ...r.scoring, temperatureBands: [{ temperature: 'COLD', minScore: 0, maxScore: 60 }, { temperature: 'WARM', minScore: 50, maxScore: 90 }, { temperature: 'HOT', minScore: 90 }] } }), /input\.scoring\.temperatureBands\[0\]\.maxScore/, /overlaps/],
    ['gapped temperature bands', (r: any) => ({ scoring: { ...r.scoring, temperatureBands: [{ temperature: 'COLD', minScore: 0, maxScore: 40 }, { temperature: 'WARM', minScore: 50, maxScore: 90 }, { temperature: 'HOT', minScore: 90 }] } }), /temperatureBands\[0\]\.maxScore/, /gap/],
    ['an open-ended middle band', (r: any) => ({ scoring: { ...r.scoring, temperatureBands: [{ temperature: 'COLD', minScore: 0 }, { temperature: 'WARM', minScore: 50, maxScore: 90 }, { temperature: 'HOT', minScore: 90 }] } }), /temperatureBands\[0\]\.maxScore/, /only the top band/],
    ['a zero cadence interval', (r: any) => ({ cadence: { ...r.cadence, minIntervalBusinessMinutes: 0 } }), /input\.cadence\.minIntervalBusinessMinutes/, /above 0/],
    ['a negative maximum span', (r: any) => ({ cadence: { ...r.cadence, maxSpanDays: -3 } }), /input\.cadence\.maxSpanDays/, /above 0/],
    ['a transition to an undefined stage', (r: any) => ({ stages: r.stages.filter((s: any) => s.stage !== 'CUSTOMER') }), /input\.transitions\[7\]\.to/, /unknown stage "customer"/],
    ['a stage left unreachable', (r: any) => ({ transitions: r.transitions.filter((t: any) => t.to !== 'OPPORTUNITY') }), /^input\.transitions$/, /"opportunity" cannot be reached/],
    ['a transition that does not move', (r: any) => ({ transitions: [...r.transitions, { from: 'SQL', to: 'SQL' }] }), /input\.transitions\[10\]\.to/, /must change the stage/],
    ['an invalid time zone', () => ({ timeZone: 'Mars/Olympus_Mons' }), /input\.timeZone/, /IANA/],
    ['an MQL fit threshold above the highest reachable fit', (r: any) => ({ scoring: { ...r.scoring, mqlFitThreshold: 61 } }), /input\.scoring\.mqlFitThreshold/, /at most 60/],
    ['an MQL interest threshold above what ONCE rules can give', (r: any) => ({ scoring: { ...r.scoring, rules: r.scoring.rules.filter((x: any) => x.dimension === 'FIT' || x.repeatPolicy === 'ONCE'), mqlInterestThreshold: 16 } }), /mqlInterestThreshold/, /at most 15/],
    ['a goal period that ends before it starts', (r: any) => ({ goals: [{ ...r.goals[0]!, periodStart: '2026-03-31', periodEnd: '2026-01-01' }] }), /input\.goals\[0\]\.periodEnd/, /before it starts/],
    ['a revenue goal without deal size', (r: any) => ({ goals: [{ ...r.goals[0]!, averageDealSizeMinor: undefined }] }), /input\.goals\[0\]\.averageDealSizeMinor/, /average deal size/],
    ['a conversion rate above 1', (r: any) => ({ goals: [{ ...r.goals[0]!, rates: { ...r.goals[0]!.rates!, winRate: 1.5 } }] }), /input\.goals\[0\]\.rates\.winRate/, /at most 1/],
    ['duplicate rule keys', (r: any) => ({ scoring: { ...r.scoring, rules: [...r.scoring.rules, { ...r.scoring.rules[0]! }] } }), /input\.scoring\.rules\[7\]\.key/, /appears twice/],
    ['a fit rule without attribute', (r: any) => ({ scoring: { ...r.scoring, rules: [...r.scoring.rules, { key: 'x', name: 'x', dimension: 'FIT', operator: 'EQUALS', value: 'a', points: 5 }] } }), /rules\[7\]\.attribute/, /attribute/],
    ['IN with an empty list', (r: any) => ({ scoring: { ...r.scoring, rules: [{ ...r.scoring.rules[0]!, value: [] }, ...r.scoring.rules.slice(1)] } }), /rules\[0\]\.value/, /non-empty list/],
    ['a RANGE with min above max', (r: any) => ({ scoring: { ...r.scoring, rules: [r.scoring.rules[0]!, { ...r.scoring.rules[1]!, value: { min: 5000, max: 200 } }, ...r.scoring.rules.slice(2)] } }), /rules\[1\]\.value/, /min \(5000\) is above max/],
    ['MAX_PER_PERIOD without repeatMax', (r: any) => ({ scoring: { ...r.scoring, rules: r.scoring.rules.map((x: any) => (x.key === 'pricing_view' ? { ...x, repeatMax: undefined } : x)) } }), /rules\[3\]\.repeatMax/, /repeatMax/],
    ['zero points', (r: any) => ({ scoring: { ...r.scoring, rules: r.scoring.rules.map((x: any) => (x.key === 'webinar' ? { ...x, points: 0 } : x)) } }), /rules\[4\]\.points/, /must not be 0/],
    ['fit grades out of order', (r: any) => ({ scoring: { ...r.scoring, fitGrades: [{ grade: 'A', minFit: 50 }, { grade: 'B', minFit: 60 }, { grade: 'C', minFit: 10 }, { grade: 'D', minFit: 0 }] } }), /fitGrades\[1\]\.minFit/, /grade B must start below grade A/],
    ['business hours that end before they start', () => ({ businessHours: [{ weekday: 1, start: '17:00', end: '09:00' }] }), /input\.businessHours\[0\]\.end/, /before it starts/],
    ['overlapping business hours', () => ({ businessHours: [{ weekday: 2, start: '09:00', end: '12:00' }, { weekday: 2, start: '11:00', end: '17:00' }] }), /input\.businessHours\[1\]\.start/, /overlaps/],
    ['a weekday out of range', () => ({ businessHours: [{ weekday: 8, start: '09:00', end: '12:00' }] }), /input\.businessHours\[0\]\.weekday/, /1 \(Monday\) to 7/],
    ['a malformed time', () => ({ businessHours: [{ weekday: 1, start: '9am', end: '12:00' }] }), /input\.businessHours\[0\]\.start/, /HH:MM/],
    ['a recycle rule with an unknown reason', (r: any) => ({ recycleRules: [{ ...r.recycleRules[0]!, reasonCode: 'gone_fishing' }] }), /input\.recycleRules\[0\]\.reasonCode/, /unknown reason code/],
    ['a recycle rule with an unknown workflow', (r: any) => ({ recycleRules: [{ ...r.recycleRules[0]!, nurtureWorkflowKey: 'nowhere' }] }), /input\.recycleRules\[0\]\.nurtureWorkflowKey/, /unknown nurture workflow/],
    ['a time-in-stage clock without a stage', () => ({ clocks: [{ clock: 'TIME_IN_STAGE', businessMinutes: 60 }] }), /input\.clocks\[0\]\.stage/, /needs the stage/],
    ['a negative clock', () => ({ clocks: [{ clock: 'RESPONSE', businessMinutes: -5 }] }), /input\.clocks\[0\]\.businessMinutes/, /above 0/],
    ['a nurture workflow without steps', (r: any) => ({ nurtureWorkflows: [{ ...r.nurtureWorkflows[0]!, steps: [] }] }), /input\.nurtureWorkflows\[0\]\.steps/, /at least one step/],
    ['a pipeline without a WON stage', (r: any) => ({ pipelineStages: r.pipelineStages.filter((s: any) => s.outcome !== 'WON') }), /input\.pipelineStages/, /WON stage/],
    ['an unknown required field', (r: any) => ({ handoff: { ...r.handoff, requiredFields: [{ field: 'shoe_size', label: 'Shoe size' }] } }), /input\.handoff\.requiredFields\[0\]\.field/, /lead field/],
    ['a reason code that is not a slug', (r: any) => ({ reasonCodes: [...r.reasonCodes, { kind: 'RECYCLE', code: 'No Budget!', label: 'x' }] }), /input\.reasonCodes\[4\]\.code/, /lower-case/],
  ];

  it(`has at least 20 distinct cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(20));

  for (const [name, change, field, message] of cases) {
    it(`refuses ${name}`, async () => {
      const before = await snapshot();
      const result = await server.gql(UPDATE_RULES, { input: { agreementId, rules: change(base()) } }, fx.keys.admin);
      expect(result.errors).toBeUndefined();
      const payload = result.data!.updateAgreementRules;
      expect(payload.__typename).toBe('ValidationError');
      const problem = payload.problems.find((p: { field: string }) => field.test(p.field));
      expect(problem, JSON.stringify(payload.problems)).toBeDefined();
      expect(problem.message).toMatch(message);
      expect(await snapshot()).toBe(before);
    });
  }

  it('refuses a routing member who is not in sales', async () => {
    const before = await snapshot();
    const result = await server.gql(
      UPDATE_RULES,
      { input: { agreementId, rules: { routing: { members: [{ userId: encodeGlobalID('User', fx.userIds.marketing) }] } } } },
      fx.keys.admin,
    );
    expect(result.data!.updateAgreementRules.problems).toEqual([{ field: 'input.routing.members[0].userId', message: 'only sales users can receive leads (this one is marketing)' }]);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a duplicate agreement name', async () => {
    const before = await snapshot();
    const result = await server.gql(CREATE, { input: { name: 'refusals sla', rules: completeRules(salesIds) } }, fx.keys.admin);
    expect(result.data!.createSlaAgreement.problems).toEqual([{ field: 'input.name', message: 'an agreement named "refusals sla" already exists' }]);
    expect(await snapshot()).toBe(before);
  });

  it('refuses to activate an incomplete draft', async () => {
    const created = await server.gql(CREATE, { input: { name: 'Half-written SLA', rules: { stages: completeRules().stages } } }, fx.keys.admin);
    const revisionId = created.data!.createSlaAgreement.revision.id;
    const before = await snapshot();
    const result = await server.gql(ACTIVATE, { id: revisionId }, fx.keys.admin);
    const payload = result.data!.activateAgreementRevision;
    expect(payload.__typename).toBe('ValidationError');
    expect(payload.problems.map((p: { field: string }) => p.field)).toEqual(
      expect.arrayContaining(['revision.transitions', 'revision.cadence', 'revision.businessHours', 'revision.scoring.temperatureBands']),
    );
    expect(await snapshot()).toBe(before);
  });

  it('refuses to activate a revision that is not a draft, and to change an archived agreement', async () => {
    const read = await server.gql(`query($id: ID!) { slaAgreement(id: $id) { activeRevision { id } } }`, { id: agreementId }, fx.keys.admin);
    const before = await snapshot();
    const again = await server.gql(ACTIVATE, { id: read.data!.slaAgreement.activeRevision.id }, fx.keys.admin);
    expect(again.data!.activateAgreementRevision).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/only the draft/) });
    expect(await snapshot()).toBe(before);

    const archived = await server.gql(
      `mutation($id: ID!) { archiveSlaAgreement(input: { agreementId: $id }) { __typename ... on SlaAgreementPayload { agreement { status archivedAt } } } }`,
      { id: agreementId },
      fx.keys.admin,
    );
    expect(archived.data!.archiveSlaAgreement.agreement.status).toBe('ARCHIVED');
    const afterArchive = await snapshot();
    const refused = await server.gql(UPDATE_RULES, { input: { agreementId, rules: { notes: 'too late' } } }, fx.keys.admin);
    expect(refused.data!.updateAgreementRules).toMatchObject({ __typename: 'ConflictError', message: 'an archived agreement cannot be changed' });
    expect(await snapshot()).toBe(afterArchive);
  });

  it('answers NotFoundError for an unknown agreement', async () => {
    const result = await server.gql(UPDATE_RULES, { input: { agreementId: encodeGlobalID('SlaAgreement', '00000000-0000-4000-8000-00000000abcd'), rules: { notes: 'x' } } }, fx.keys.admin);
    expect(result.data!.updateAgreementRules.__typename).toBe('NotFoundError');
  });
});
