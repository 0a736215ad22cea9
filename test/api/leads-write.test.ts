import { decodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { handRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let agreementId: string;
const ids: Record<string, string> = {};

const gqlOk = async (query: string, variables: Record<string, unknown>, key: string) => {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
};

const CREATE_LEAD = `mutation($input: CreateLeadInput!) { createLead(input: $input) { __typename
  ... on LeadPayload { lead { id email stage version account { domain } score { fit interest total fitGrade } } }
  ... on ValidationError { problems { field message } } ... on ConflictError { message } } }`;
const RECORD = `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename ... on RecordActivitiesPayload { recorded } } }`;
const MOVE = `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { __typename
  ... on LeadPayload { lead { stage version } } ... on ValidationError { problems { field message } } ... on ConflictError { message } ... on ForbiddenError { message } } }`;
const rawId = (globalId: string) => decodeGlobalID(globalId).id;
const today = new Date().toISOString().slice(0, 10);
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database);
  const created = await gqlOk(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { ... on SlaAgreementPayload { agreement { id } revision { id } } } }`,
    { input: { name: 'Lead SLA', rules: handRules() } },
    fx.keys.admin,
  );
  agreementId = created.createSlaAgreement.agreement.id;
  await gqlOk(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename } }`, { id: created.createSlaAgreement.revision.id }, fx.keys.admin);

  for (const [name, seniority] of [['ann', 'VP'], ['bob', 'staff'], ['cat', 'vp'], ['dan', 'VP']] as const) {
    const data = await gqlOk(CREATE_LEAD, { input: { email: `${name}@globex.test`, source: 'events', seniority, companyName: 'Globex' } }, fx.keys.marketing);
    ids[name] = data.createLead.lead.id;
  }
  const event = (id: string, email: string, type: string, url?: string) => ({ clientEventId: id, type, occurredAt: ago(30), email, properties: url ? { url } : {} });
  await gqlOk(RECORD, {
    events: [
      event('a1', 'ann@globex.test', 'WEBINAR_ATTENDANCE'),
      event('b1', 'bob@globex.test', 'WEBINAR_ATTENDANCE'),
      event('b2', 'bob@globex.test', 'PAGE_VIEW', '/pricing'),
      event('d1', 'dan@globex.test', 'WEBINAR_ATTENDANCE'),
      event('d2', 'dan@globex.test', 'PAGE_VIEW', '/pricing'),
    ],
  }, fx.keys.marketing);
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('leads', () => {
  it('creates a scored lead joined to its account, and refuses a duplicate', async () => {
    const data = await gqlOk(CREATE_LEAD, { input: { email: 'Eve@Initech.test', source: 'referral', seniority: 'vp', companyName: 'Initech', country: 'fr' } }, fx.keys.marketing);
    expect(data.createLead.lead).toMatchObject({ email: 'eve@initech.test', stage: 'LEAD', account: { domain: 'initech.test' }, score: { fit: 30, interest: 0, total: 30, fitGrade: 'A' } });
    const again = await gqlOk(CREATE_LEAD, { input: { email: 'eve@initech.test', source: 'referral' } }, fx.keys.marketing);
    expect(again.createLead.__typename).toBe('ConflictError');
    const bad = await gqlOk(CREATE_LEAD, { input: { email: 'nobody', source: 'Paid Search!', country: 'France' } }, fx.keys.marketing);
    expect(bad.createLead.problems.map((p: { field: string }) => p.field).sort()).toEqual(['input.country', 'input.email', 'input.source']);
  });

  it('re-scores fit when who the lead is changes', async () => {
    const data = await gqlOk(
      `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { ... on LeadPayload { lead { seniority score { fit fitGrade } scoreBreakdown { ruleKey dimension points awards } } } } }`,
      { input: { leadId: ids.bob, seniority: 'VP' } },
      fx.keys.marketing,
    );
    // bob: fit 30 (VP) and interest 20 (webinar) + 10 (pricing) = 30 ≥ 25 → MQL by the same update
    expect(data.updateLead.lead.score).toEqual({ fit: 30, fitGrade: 'A' });
    expect(data.updateLead.lead.scoreBreakdown).toEqual([
      { ruleKey: 'vp', dimension: 'FIT', points: 30, awards: 1 },
      { ruleKey: 'pricing', dimension: 'INTEREST', points: 10, awards: 1 },
      { ruleKey: 'webinar', dimension: 'INTEREST', points: 20, awards: 1 },
    ]);
    const lead = await gqlOk(`query($id: ID!) { lead(id: $id) { stage } }`, { id: ids.bob }, fx.keys.admin);
    expect(lead.lead.stage).toBe('MQL');
  });

  it('enforces the stage machine, reason codes and one winner among conflicting moves', async () => {
    const forbidden = await gqlOk(MOVE, { input: { leadId: ids.cat, toStage: 'CUSTOMER' } }, fx.keys.admin);
    expect(forbidden.changeLeadStage).toEqual({ __typename: 'ValidationError', problems: [{ field: 'input.stage', message: 'the agreement does not allow lead → customer (from lead: mql, disqualified)' }] });
    const noReason = await gqlOk(MOVE, { input: { leadId: ids.dan, toStage: 'RECYCLED' } }, fx.keys.admin);
    expect(noReason.changeLeadStage.problems).toEqual([{ field: 'input.reasonCode', message: 'mql → recycled needs a reason code' }]);
    const unknownReason = await gqlOk(MOVE, { input: { leadId: ids.dan, toStage: 'RECYCLED', reasonCode: 'because' } }, fx.keys.admin);
    expect(unknownReason.changeLeadStage.problems).toEqual([{ field: 'input.reasonCode', message: 'unknown reason code "because"' }]);

    const before = await rows(database.db, sql`select count(*)::int as n from stage_transitions`);
    const results = await Promise.all(
      [
        { toStage: 'SQL' },
        { toStage: 'RECYCLED', reasonCode: 'bad_timing' },
        { toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit' },
      ].map((move) => server.gql(MOVE, { input: { leadId: ids.dan, fromStage: 'MQL', ...move } }, fx.keys.admin)),
    );
    const kinds = results.map((r) => r.data!.changeLeadStage.__typename).sort();
    expect(kinds).toEqual(['ConflictError', 'ConflictError', 'LeadPayload']);
    const after = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from stage_transitions`);
    expect(after[0]!.n).toBe((before[0] as { n: number }).n + 1);
  });

  it('does not let a sales rep move a lead it does not own (it reads as missing)', async () => {
    const result = await gqlOk(MOVE, { input: { leadId: ids.cat, toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit' } }, fx.keys.salesA);
    expect(result.changeLeadStage.__typename).toBe('NotFoundError');
  });
});

describe('backtest and re-score', () => {
  it('backtests a draft beside the active revision, equal to direct counts', async () => {
    // ann: fit 30, interest 20 → not MQL now (I ≥ 25) but MQL with I ≥ 15; bob and dan MQL under both; cat no activity.
    const draft = handRules().scoring;
    draft.mqlInterestThreshold = 15;
    const updated = await gqlOk(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId, rules: { scoring: draft } } },
      fx.keys.admin,
    );
    const result = await gqlOk(
      `query($id: ID!, $from: Date!, $to: Date!) { backtestRevision(revisionId: $id, from: $from, to: $to) { __typename ... on Backtest {
        candidate { leads mqls reachedSql won sqlPrecision { rate numerator denominator } }
        active { leads mqls reachedSql won sqlPrecision { rate numerator denominator } } } } }`,
      { id: updated.updateAgreementRules.revision.id, from: today, to: today },
      fx.keys.marketing,
    );
    // Direct counts: 5 leads created today in this agreement (ann, bob, cat, dan, eve); one of them reached SQL (dan, if the SQL move won).
    const [direct] = await rows<{ leads: number; sqls: number }>(
      database.db,
      sql`select count(*)::int as leads, count(*) filter (where exists (select 1 from stage_transitions t where t.lead_id = l.id and t.to_stage = 'sql'))::int as sqls
        from leads l where agreement_id = ${rawId(agreementId)}::uuid and created_at::date = ${today}::date`,
    );
    const danReachedSql = direct!.sqls;
    expect(result.backtestRevision.active).toEqual({ leads: direct!.leads, mqls: 2, reachedSql: danReachedSql, won: 0, sqlPrecision: { rate: danReachedSql / 2, numerator: danReachedSql, denominator: 2 } });
    expect(result.backtestRevision.candidate).toEqual({ leads: direct!.leads, mqls: 3, reachedSql: danReachedSql, won: 0, sqlPrecision: { rate: danReachedSql / 3, numerator: danReachedSql, denominator: 3 } });
  });

  it('re-scores every lead set-based on activation, and re-qualifies on request', async () => {
    await gqlOk(`mutation($id: ID!) { discardAgreementDraft(input: { agreementId: $id }) { __typename } }`, { id: agreementId }, fx.keys.admin);
    const scoring = handRules().scoring;
    scoring.rules = scoring.rules.map((r: { key: string; points: number }) => (r.key === 'webinar' ? { ...r, points: 25 } : r));
    const draft = await gqlOk(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId, rules: { scoring } } },
      fx.keys.admin,
    );
    const activated = await gqlOk(
      `mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: RESCORE_AND_REQUALIFY }) { __typename ... on SlaAgreementPayload { rescoreRun { id totalLeads } } } }`,
      { id: draft.updateAgreementRules.revision.id },
      fx.keys.admin,
    );
    const runId = activated.activateAgreementRevision.rescoreRun.id;
    let run: { status: string; processedLeads: number; totalLeads: number; mqlsCreated: number } | undefined;
    for (let i = 0; i < 100; i++) {
      run = (await gqlOk(`query($id: ID!) { rescoreRun(id: $id) { status processedLeads totalLeads mqlsCreated } }`, { id: runId }, fx.keys.admin)).rescoreRun;
      if (run!.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The agreement's leads: the five made here, and the fixture's leads of the archived agreement,
    // which its catch-all scope took over when it was first activated.
    const governed = await rows<{ n: number; adopted: number }>(
      database.db,
      sql`select count(*)::int as n, count(*) filter (where email like '%@account%')::int as adopted from leads where agreement_id = ${rawId(agreementId)}::uuid`,
    );
    expect(governed[0]!.adopted).toBe(2);
    expect(run).toMatchObject({ status: 'completed', processedLeads: governed[0]!.n, totalLeads: governed[0]!.n, mqlsCreated: 1 });
    const ann = await gqlOk(`query($id: ID!) { lead(id: $id) { stage score { fit interest } scoreLedger { reason points } } }`, { id: ids.ann }, fx.keys.admin);
    expect(ann.lead.stage).toBe('MQL'); // 25 ≥ 25 now
    expect(ann.lead.score).toEqual({ fit: 30, interest: 25 });
    // history kept: the changed rule's old points taken back by a RESCORE row and its new ones added;
    // the unchanged fit rule's row stands as it was (same key, same definition in the new revision)
    expect(ann.lead.scoreLedger.map((e: { reason: string; points: number }) => `${e.reason}:${e.points}`).sort()).toEqual(
      ['FIT_RULE:30', 'INTEREST_RULE:20', 'INTEREST_RULE:25', 'RESCORE:-20'].sort(),
    );
    // A later revision that replaces the fit rule by another (and keeps the rest): only the dropped
    // rule's row is taken back; Ann (a VP) earns nothing from the new one.
    const withoutVp = {
      ...scoring,
      mqlFitThreshold: 10,
      rules: [
        ...scoring.rules.filter((r: { key: string }) => r.key !== 'vp'),
        { key: 'director', name: 'Director', dimension: 'FIT', attribute: 'seniority', operator: 'IN', value: ['director'], points: 10 },
      ],
    };
    const draft2 = await gqlOk(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId, rules: { scoring: withoutVp } } },
      fx.keys.admin,
    );
    const activated2 = await gqlOk(
      `mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: RESCORE }) { __typename ... on SlaAgreementPayload { rescoreRun { id } } ... on Error { message } } }`,
      { id: draft2.updateAgreementRules.revision.id },
      fx.keys.admin,
    );
    expect(activated2.activateAgreementRevision.__typename).toBe('SlaAgreementPayload');
    for (let i = 0; i < 100; i++) {
      const status = (await gqlOk(`query($id: ID!) { rescoreRun(id: $id) { status } }`, { id: activated2.activateAgreementRevision.rescoreRun.id }, fx.keys.admin)).rescoreRun.status;
      if (status !== 'RUNNING' && status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ann2 = await gqlOk(`query($id: ID!) { lead(id: $id) { score { fit interest } scoreLedger { reason points } } }`, { id: ids.ann }, fx.keys.admin);
    expect(ann2.lead.score).toEqual({ fit: 0, interest: 25 });
    expect(ann2.lead.scoreLedger.map((e: { reason: string; points: number }) => `${e.reason}:${e.points}`).sort()).toEqual(
      ['FIT_RULE:30', 'INTEREST_RULE:20', 'INTEREST_RULE:25', 'RESCORE:-20', 'RESCORE:-30'].sort(),
    );
    // And back (the rules the rest of this file expects): the VP rule gives its points again.
    const draft3 = await gqlOk(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId, rules: { scoring } } },
      fx.keys.admin,
    );
    const activated3 = await gqlOk(
      `mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: RESCORE }) { __typename ... on SlaAgreementPayload { rescoreRun { id } } } }`,
      { id: draft3.updateAgreementRules.revision.id },
      fx.keys.admin,
    );
    for (let i = 0; i < 100; i++) {
      const status = (await gqlOk(`query($id: ID!) { rescoreRun(id: $id) { status } }`, { id: activated3.activateAgreementRevision.rescoreRun.id }, fx.keys.admin)).rescoreRun.status;
      if (status !== 'RUNNING' && status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const ann3 = await gqlOk(`query($id: ID!) { lead(id: $id) { score { fit interest } scoreBreakdown { ruleKey ruleName points } } }`, { id: ids.ann }, fx.keys.admin);
    expect(ann3.lead.score).toEqual({ fit: 30, interest: 25 });
    // One line per rule, whichever revision's identical rule gave its rows.
    expect(ann3.lead.scoreBreakdown.map((l: { ruleKey: string; points: number }) => `${l.ruleKey}:${l.points}`).sort()).toEqual(['vp:30', 'webinar:25']);
    // every lead's score equals its ledger
    const mismatches = await rows(
      database.db,
      sql`select l.id from leads l left join score_ledger s on s.lead_id = l.id where l.agreement_id = ${rawId(agreementId)}::uuid
        group by l.id, l.fit_score having l.fit_score <> coalesce(sum(s.points) filter (where s.dimension = 'fit'), 0)`,
    );
    expect(mismatches).toEqual([]);
  });
});

describe('CSV import', () => {
  const csv = [
    'Email,First Name,Last Name,Title,Seniority,Company,Company Size,Country,Source,attributes.plan',
    'zoe@hooli.test,Zoe,Park,CTO,vp,Hooli,1200,US,webinar,pro',
    'not-an-email,X,Y,,,,,,,',
    'yan@hooli.test,Yan,Li,Engineer,staff,Hooli,lots,US,webinar,',
    'xia@hooli.test,Xia,Wu,Engineer,staff,Hooli,1200,USA,webinar,',
    'zoe@hooli.test,Zoe,Again,,,,,,,',
  ].join('\n');
  const IMPORT = `mutation($input: ImportLeadsInput!) { importLeads(input: $input) { __typename ... on ImportLeadsPayload { rows created updated problems { line field message } } ... on ValidationError { problems { field message } } } }`;

  it('keeps good rows, reports bad ones by line, and is idempotent', async () => {
    const first = await gqlOk(IMPORT, { input: { csv } }, fx.keys.marketing);
    expect(first.importLeads).toEqual({
      __typename: 'ImportLeadsPayload',
      rows: 5,
      created: 1,
      updated: 0,
      problems: [
        { line: 3, field: 'email', message: 'not an e-mail address' },
        { line: 4, field: 'companySize', message: expect.stringMatching(/number/) },
        { line: 5, field: 'country', message: 'an ISO 3166-1 alpha-2 code, e.g. US' },
        { line: 6, field: 'email', message: 'zoe@hooli.test already appears on line 2' },
      ],
    });
    const second = await gqlOk(IMPORT, { input: { csvBase64: Buffer.from(csv).toString('base64') } }, fx.keys.marketing);
    expect(second.importLeads).toMatchObject({ created: 0, updated: 1 });
    const zoe = await rows(database.db, sql`select first_name, title, company_size, attributes, fit_score from leads where email = 'zoe@hooli.test'`);
    expect(zoe).toEqual([{ first_name: 'Zoe', title: 'CTO', company_size: 1200, attributes: { plan: 'pro' }, fit_score: 30 }]);
  });

  it('refuses a file without an email column', async () => {
    const result = await gqlOk(IMPORT, { input: { csv: 'name\nZoe' } }, fx.keys.marketing);
    expect(result.importLeads).toEqual({ __typename: 'ValidationError', problems: [{ field: 'input.csv', message: 'the header needs an email column' }] });
  });
});
