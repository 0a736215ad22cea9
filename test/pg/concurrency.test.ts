import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opaqueID } from '../../api/global-ids';
import { rows } from '../../db/client';
import { users } from '../../db/schema/index';
import { createApiKey } from '../../domain/auth/api-keys';
import { interestSumSql, loadRevisionRules, reconcileScores } from '../../domain/scoring/reconcile';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server';

// Issue 7, point 6: concurrency over the real HTTP GraphQL API on a real PostgreSQL.
//  (a) 100 concurrent, conflicting transitions of one lead: one winner, 99 ConflictErrors.
//  (b) a seeded, randomized history of 10,000 operations from 8 concurrent clients, then the
//      invariants of the data checked with SQL (stage machine, scores = ledger, attempts,
//      idempotent activities, outbox, hand-offs, clocks) and of the responses (no internal errors).
// PGlite is a single connection, so this runs on PostgreSQL only (TEST_DATABASE_URL).
// Each client draws its operations from its own seeded PRNG (CONCURRENCY_SEED); what it draws also
// depends on the answers it got (its view of the leads), so the interleaving, not the generator,
// varies from run to run. CONCURRENCY_OPS / _CLIENTS / _IN_FLIGHT shrink or widen the history for
// experiments; CONCURRENCY_PROGRESS=1 prints progress. The invariants found (and fixed) so far:
// router/foreign-key deadlocks (domain/handoff/routing.ts), trigger hand-offs dated before the
// lead's current stage (handoff.ts), attempts of an earlier round counted in a re-hand-off
// (sales.ts), opportunity changes by a rep who no longer owns the lead (opportunities.ts).
const onPostgres = !!process.env.TEST_DATABASE_URL;

const SEED = Number(process.env.CONCURRENCY_SEED ?? 20_260_507);
const CLIENTS = Number(process.env.CONCURRENCY_CLIENTS ?? 8);
const TOTAL_OPS = Number(process.env.CONCURRENCY_OPS ?? 10_000);
/** Requests each client keeps in flight. */
const IN_FLIGHT = Number(process.env.CONCURRENCY_IN_FLIGHT ?? 2);
const LEADS = 160;
const NEW_EMAILS = 60;
const SHARED_EVENTS = 1_500;
const REP_CAPACITY = 20;

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;
let agreementId: string;
let revisionId: string;
const repKeys = new Map<string, string>(); // user uuid → key

/** mulberry32: small, fast, reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    weighted: <T extends string>(weights: Record<T, number>): T => {
      const entries = Object.entries(weights) as [T, number][];
      let r = next() * entries.reduce((s, [, w]) => s + w, 0);
      for (const [k, w] of entries) if ((r -= w) < 0) return k;
      return entries[entries.length - 1]![0];
    },
  };
}
type Rng = ReturnType<typeof prng>;

const LEAD = `lead { id email stage version handoffStatus owner { id } }`;
const ERR = `... on Error { code message }`;
const Q = {
  record: `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename ... on RecordActivitiesPayload { recorded duplicates results { clientEventId status lead { id email stage version handoffStatus owner { id } } } } ${ERR} } }`,
  change: `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { __typename ... on LeadPayload { ${LEAD} } ${ERR} } }`,
  accept: `mutation($input: AcceptLeadInput!) { acceptLead(input: $input) { __typename ... on SalesLeadPayload { ${LEAD} } ${ERR} } }`,
  reject: `mutation($input: RejectLeadInput!) { rejectLead(input: $input) { __typename ... on SalesLeadPayload { ${LEAD} } ${ERR} } }`,
  recycle: `mutation($input: RecycleLeadInput!) { recycleLead(input: $input) { __typename ... on SalesLeadPayload { ${LEAD} } ${ERR} } }`,
  disqualify: `mutation($input: DisqualifyLeadInput!) { disqualifyLead(input: $input) { __typename ... on SalesLeadPayload { ${LEAD} } ${ERR} } }`,
  attempt: `mutation($input: LogContactAttemptInput!) { logContactAttempt(input: $input) { __typename ... on LogContactAttemptPayload { recycled attempt { id attemptNumber } ${LEAD} } ${ERR} } }`,
  update: `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { __typename ... on LeadPayload { ${LEAD} } ${ERR} } }`,
  createOpp: `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { __typename ... on OpportunityPayload { opportunity { id lead { id email stage version handoffStatus owner { id } } } } ${ERR} } }`,
  updateOpp: `mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { __typename ... on OpportunityPayload { opportunity { id status lead { id email stage version handoffStatus owner { id } } } } ${ERR} } }`,
  enrol: `mutation($input: EnrolLeadInNurtureInput!) { enrolLeadInNurture(input: $input) { __typename ... on SalesLeadPayload { ${LEAD} } ${ERR} } }`,
  leads: `query($after: String) { leads(first: 100, after: $after, orderBy: CREATED_AT_ASC) { edges { node { id email stage version handoffStatus owner { id } } } pageInfo { hasNextPage endCursor } } }`,
};

interface LeadView {
  id: string;
  gid: string;
  email: string;
  stage: string;
  version: number;
  handoff: string;
  ownerId: string | null;
}
interface GqlLead {
  id: string;
  email: string;
  stage: string;
  version: number;
  handoffStatus: string;
  owner: { id: string } | null;
}
const toView = (l: GqlLead): LeadView => ({
  id: decodeGlobalID(l.id).id,
  gid: l.id,
  email: l.email,
  stage: l.stage.toLowerCase(),
  version: l.version,
  handoff: l.handoffStatus.toLowerCase(),
  ownerId: l.owner ? decodeGlobalID(l.owner.id).id : null,
});
const ours = (email: string) => email.endsWith('.conc.test');

async function snapshot(): Promise<Map<string, LeadView>> {
  const view = new Map<string, LeadView>();
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse = await server.gql(Q.leads, { after }, fx.keys.admin);
    if (!page.data) throw new Error(JSON.stringify(page.errors));
    for (const { node } of page.data.leads.edges as { node: GqlLead }[]) if (ours(node.email)) view.set(decodeGlobalID(node.id).id, toView(node));
    if (!page.data.leads.pageInfo.hasNextPage) return view;
    after = page.data.leads.pageInfo.endCursor;
  }
}

const baseTime = Date.now();
const leadEmail = (i: number) => `w${i}@acct${i % 20}.conc.test`;
const newEmail = (j: number) => `new${j}@fresh.conc.test`;
const leadFields = (i: number) => ({
  firstName: `F${i}`,
  lastName: `L${i}`,
  // one lead in six lacks a phone: its hand-off is held until updateLead gives one
  ...(i % 6 === 5 ? {} : { phone: `+1 555 01${String(i).padStart(3, '0')}` }),
  companyName: `Acct ${i % 20}`,
  seniority: ['vp', 'c-level', 'manager', 'staff'][i % 4],
  companySize: [150, 400, 2_000, 9_000][i % 4],
  industry: i % 3 ? 'Software' : 'Retail',
  source: ['paid_search', 'referral', 'events'][i % 3],
});

const INTEREST_TYPES = { pricing: 30, blog: 15, EMAIL_CLICK: 20, WEBINAR_ATTENDANCE: 14, EMAIL_OPEN: 8, UNSUBSCRIBE: 2, DEMO_REQUEST: 8, TRIAL_REQUEST: 3 } as const;
const TRIGGERS = new Set(['DEMO_REQUEST', 'TRIAL_REQUEST']);

function eventBody(kind: keyof typeof INTEREST_TYPES, occurredAt: Date) {
  const type = kind === 'pricing' || kind === 'blog' ? 'PAGE_VIEW' : kind;
  return {
    type,
    occurredAt: occurredAt.toISOString(),
    properties: kind === 'pricing' ? { url: 'https://x.test/pricing' } : kind === 'blog' ? { url: 'https://x.test/blog' } : { campaign: 'c' },
  };
}

/** An event whose content depends only on its id: any client may send it, any number of times. */
function sharedEvent(k: number) {
  const r = prng(SEED ^ (k * 7919));
  const kind = r.weighted(INTEREST_TYPES);
  return { clientEventId: `shared-${k}`, email: leadEmail(k % LEADS), ...eventBody(kind, new Date(baseTime - r.int(72 * 60) * 60_000)) };
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!onPostgres)('concurrency on real PostgreSQL over HTTP GraphQL', () => {
  beforeAll(async () => {
    database = await openTestDatabase();
    // No fixture leads: an activated catch-all scope would adopt them (their agreement is archived),
    // and they were written without the events the history's invariants count.
    fx = await buildFixture(database.db, 0, { agreementStatus: 'archived' });
    server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false' });
    repKeys.set(fx.userIds.salesA, fx.keys.salesA);
    repKeys.set(fx.userIds.salesB, fx.keys.salesB);
    for (const handle of ['salesC', 'salesD']) {
      const [user] = await database.db.insert(users).values({ email: `${handle.toLowerCase()}@fixture.test`, name: handle, role: 'sales', team: 'sales', routingCapacity: 50 }).returning();
      repKeys.set(user!.id, (await createApiKey(database.db, { user: { id: user!.id }, name: `${handle} key` })).key);
    }
    const rules = completeRules([...repKeys.keys()].map((id) => encodeGlobalID('User', id)));
    rules.routing.members = rules.routing.members.map((m: { userId: string; weight: number }) => ({ ...m, capacity: REP_CAPACITY }));
    const created = await server.gql(
      `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { agreement { id } revision { id } } ${ERR} } }`,
      { input: { name: 'Concurrency SLA', rules } },
      fx.keys.admin,
    );
    expect(created.data?.createSlaAgreement.__typename, JSON.stringify(created)).toBe('SlaAgreementPayload');
    agreementId = decodeGlobalID(created.data!.createSlaAgreement.agreement.id).id;
    revisionId = decodeGlobalID(created.data!.createSlaAgreement.revision.id).id;
    const activated = await server.gql(`mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id }) { __typename } }`, { id: created.data!.createSlaAgreement.revision.id }, fx.keys.admin);
    expect(activated.errors).toBeUndefined();

    // The leads: created by their first events; a quarter ask for a demo (hand-off at once).
    const r = prng(SEED);
    const events = Array.from({ length: LEADS }, (_, i) => [
      { clientEventId: `seed-${i}-0`, email: leadEmail(i), lead: leadFields(i), ...eventBody(i % 4 === 0 ? 'DEMO_REQUEST' : 'pricing', new Date(baseTime - 60_000)) },
      { clientEventId: `seed-${i}-1`, email: leadEmail(i), ...eventBody(r.pick(['WEBINAR_ATTENDANCE', 'EMAIL_CLICK', 'blog'] as const), new Date(baseTime - r.int(48) * 3_600_000)) },
    ]).flat();
    for (let b = 0; b < events.length; b += 500) {
      const result = await server.gql(Q.record, { events: events.slice(b, b + 500) }, fx.keys.marketing);
      expect(result.data?.recordActivities.__typename, JSON.stringify(result.errors ?? result.data)).toBe('RecordActivitiesPayload');
    }
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  // ------------------------------------------------------------------------------------------ (a)

  const userTransitions = async (leadId: string) =>
    (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from stage_transitions where lead_id = ${leadId}::uuid and actor_type = 'user'`))[0]!.n;
  const outboxCount = async (leadId: string) =>
    (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from outbox_events where lead_id = ${leadId}::uuid`))[0]!.n;
  const kindOf = (field: string) => (r: GraphQLResponse) => r.data?.[field]?.__typename ?? `${r.status}:${r.errors?.map((e) => e.extensions?.code ?? e.message).join(',')}`;

  it('(a) 100 concurrent conflicting transitions of one routed MQL: exactly one wins, 99 ConflictErrors', async () => {
    const view = await snapshot();
    const lead = [...view.values()].find((l) => l.stage === 'mql' && l.handoff === 'routed' && l.ownerId)!;
    expect(lead, 'a routed MQL').toBeDefined();
    const ownerKey = repKeys.get(lead.ownerId!)!;
    const [before] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from stage_transitions where lead_id = ${lead.id}::uuid`);
    const outboxBefore = await outboxCount(lead.id);
    const expected = { expectedVersion: lead.version };
    // 40 stage changes naming the stage seen, 20 naming the version, 20 accepts and 20 rejects naming the version.
    const calls = Array.from({ length: 100 }, (_, i) => {
      if (i % 5 < 2) {
        const move = [{ toStage: 'SQL' }, { toStage: 'RECYCLED', reasonCode: 'bad_timing' }, { toStage: 'DISQUALIFIED', reasonCode: 'not_a_fit' }][i % 3]!;
        return { field: 'changeLeadStage', p: server.gql(Q.change, { input: { leadId: lead.gid, fromStage: 'MQL', ...move } }, fx.keys.admin) };
      }
      if (i % 5 === 2) return { field: 'changeLeadStage', p: server.gql(Q.change, { input: { leadId: lead.gid, ...expected, toStage: 'RECYCLED', reasonCode: 'no_response' } }, fx.keys.marketing) };
      if (i % 5 === 3) return { field: 'acceptLead', p: server.gql(Q.accept, { input: { leadId: lead.gid, ...expected } }, ownerKey) };
      return { field: 'rejectLead', p: server.gql(Q.reject, { input: { leadId: lead.gid, ...expected, reasonCode: 'missing_info' } }, ownerKey) };
    });
    const results = await Promise.all(calls.map(async (c) => kindOf(c.field)(await c.p)));
    const tally = results.reduce<Record<string, number>>((t, k) => ({ ...t, [k]: (t[k] ?? 0) + 1 }), {});
    console.log('(a) mixed conflicting moves:', tally);
    expect(results.filter((k) => k === 'LeadPayload' || k === 'SalesLeadPayload')).toHaveLength(1);
    expect(results.filter((k) => k === 'ConflictError')).toHaveLength(99);
    const [after] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from stage_transitions where lead_id = ${lead.id}::uuid`);
    expect(after!.n - before!.n).toBe(1);
    expect(await outboxCount(lead.id)).toBe(outboxBefore + 1);
  });

  it('(a) 100 concurrent identical moves (same target, same expected stage): one wins, 99 ConflictErrors', async () => {
    const view = await snapshot();
    const lead = [...view.values()].find((l) => l.stage === 'mql' && l.handoff === 'routed' && l.ownerId)!;
    expect(lead, 'a routed MQL').toBeDefined();
    const usersBefore = await userTransitions(lead.id);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => server.gql(Q.change, { input: { leadId: lead.gid, fromStage: 'MQL', toStage: 'SQL' } }, repKeys.get(lead.ownerId!)!)),
    );
    const kinds = results.map(kindOf('changeLeadStage'));
    console.log('(a) identical moves:', kinds.reduce<Record<string, number>>((t, k) => ({ ...t, [k]: (t[k] ?? 0) + 1 }), {}));
    expect(kinds.filter((k) => k === 'LeadPayload')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ConflictError')).toHaveLength(99);
    expect(await userTransitions(lead.id)).toBe(usersBefore + 1);
  });

  // ------------------------------------------------------------------------------------------ (b)

  it('(b) a randomized history of 10,000 operations from 8 clients keeps every invariant', { timeout: 900_000 }, async () => {
    const started = Date.now();
    const initial = await snapshot();
    const [movesBefore] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from stage_transitions where actor_type = 'user'`);
    const opportunities: { id: string; ownerId: string | null }[] = [];
    const log: { client: number; op: string; outcome: string; message?: string; ms: number }[] = [];
    const attemptsOk: { attemptId: string; leadId: string; recycled: boolean }[] = [];
    const recordedBy = new Map<string, number>(); // clientEventId → RECORDED answers
    const sentOk = new Set<string>(); // clientEventIds of batches that were answered with a payload
    let reads = 0;
    const reps = [...repKeys.keys()];

    const MOVES: Record<string, [string, number, string?][]> = {
      lead: [['MQL', 0.9], ['DISQUALIFIED', 0.1, 'not_a_fit']],
      mql: [['SQL', 0.55], ['RECYCLED', 0.42, 'bad_timing'], ['DISQUALIFIED', 0.03, 'not_a_fit']],
      sql: [['OPPORTUNITY', 0.5], ['RECYCLED', 0.5, 'no_response']],
      opportunity: [['CUSTOMER', 0.08], ['RECYCLED', 0.92, 'bad_timing']],
      recycled: [['MQL', 1]],
      disqualified: [],
      customer: [],
    };

    async function runClient(c: number, budget: number) {
      const r: Rng = prng(SEED * 31 + c);
      let view = new Map([...initial].map(([k, v]) => [k, { ...v }]));
      const learn = (l: GqlLead | null | undefined) => {
        if (!l || !ours(l.email)) return;
        const v = toView(l);
        view.set(v.id, v);
      };
      const leads = () => [...view.values()];
      const pickLead = (pred: (l: LeadView) => boolean) => {
        const fits = leads().filter(pred);
        return fits.length && r.next() < 0.92 ? r.pick(fits) : r.pick(leads());
      };
      const repKey = (l: LeadView) => {
        const x = r.next();
        if (x < 0.04) return fx.keys.admin;
        if (x < 0.08 || !l.ownerId || !repKeys.has(l.ownerId)) return repKeys.get(r.pick(reps))!; // a colleague's lead: ForbiddenError
        return repKeys.get(l.ownerId)!;
      };
      const expectation = (l: LeadView) => {
        const x = r.next();
        return x < 0.5 ? { expectedVersion: l.version } : {};
      };

      let seq = 0;
      const next = async (): Promise<void> => {
        const i = seq++;
        if (i >= budget) return;
        if (i > 0 && i % 60 === 0) {
          view = await snapshot();
          reads++;
        }
        const op = r.weighted({ record: 25, change: 18, accept: 10, reject: 4, attempt: 16, recycle: 5, disqualify: 1, update: 8, createOpp: 5, updateOpp: 4, enrol: 4 });
        let field = '';
        const opStarted = performance.now();
        let response: GraphQLResponse;
        let events: { clientEventId: string }[] = [];
        switch (op) {
          case 'record': {
            field = 'recordActivities';
            const n = 1 + r.int(8);
            const batch: Record<string, unknown>[] = [];
            for (let e = 0; e < n; e++) {
              const x = r.next();
              if (x < 0.3) batch.push(sharedEvent(r.int(SHARED_EVENTS)));
              else if (x < 0.34) {
                const j = r.int(NEW_EMAILS);
                batch.push({ clientEventId: `c${c}-${i}-${e}`, email: newEmail(j), lead: leadFields(1000 + j), ...eventBody(r.weighted(INTEREST_TYPES), new Date()) });
              } else {
                const l = r.pick(leads());
                const kind = r.weighted(INTEREST_TYPES);
                const at = TRIGGERS.has(kind) ? new Date() : new Date(Date.now() - r.int(72 * 60) * 60_000);
                batch.push({ clientEventId: `c${c}-${i}-${e}`, ...(r.next() < 0.3 ? { leadId: l.gid } : { email: l.email }), ...eventBody(kind, at) });
              }
            }
            events = batch as { clientEventId: string }[];
            response = await server.gql(Q.record, { events: batch }, fx.keys.marketing);
            const payload = response.data?.recordActivities;
            if (payload?.__typename === 'RecordActivitiesPayload') {
              for (const e of events) sentOk.add(e.clientEventId);
              for (const res of payload.results as { clientEventId: string; status: string; lead: GqlLead }[]) {
                if (res.status === 'RECORDED') recordedBy.set(res.clientEventId, (recordedBy.get(res.clientEventId) ?? 0) + 1);
                learn(res.lead);
              }
            }
            break;
          }
          case 'change': {
            field = 'changeLeadStage';
            const l = pickLead((x) => MOVES[x.stage]!.length > 0);
            const options = MOVES[l.stage]!;
            let toStage: string;
            let reasonCode: string | undefined;
            if (!options.length || r.next() < 0.05) {
              toStage = r.pick(['LEAD', 'MQL', 'SQL', 'OPPORTUNITY', 'CUSTOMER', 'RECYCLED', 'DISQUALIFIED']);
              reasonCode = 'bad_timing';
            } else {
              const weights = Object.fromEntries(options.map(([to, w]) => [to, w]));
              toStage = r.weighted(weights);
              reasonCode = options.find(([to]) => to === toStage)![2];
            }
            const x = r.next();
            const guard = x < 0.6 ? { fromStage: l.stage.toUpperCase() } : x < 0.9 ? { expectedVersion: l.version } : {};
            const key = r.next() < 0.4 ? fx.keys.admin : r.next() < 0.67 ? fx.keys.marketing : repKey(l);
            response = await server.gql(Q.change, { input: { leadId: l.gid, toStage, ...guard, ...(reasonCode ? { reasonCode } : {}) } }, key);
            learn(response.data?.changeLeadStage?.lead);
            break;
          }
          case 'accept':
          case 'reject': {
            field = op === 'accept' ? 'acceptLead' : 'rejectLead';
            const l = pickLead((x) => x.stage === 'mql' && x.handoff === 'routed');
            const input = { leadId: l.gid, ...expectation(l), ...(op === 'reject' ? { reasonCode: 'missing_info', reason: 'no budget owner' } : {}) };
            response = await server.gql(op === 'accept' ? Q.accept : Q.reject, { input }, repKey(l));
            learn(response.data?.[field]?.lead);
            break;
          }
          case 'attempt': {
            field = 'logContactAttempt';
            const l = pickLead((x) => ['mql', 'sql', 'opportunity'].includes(x.stage) && !!x.ownerId);
            const outcome = r.weighted({ NO_ANSWER: 40, VOICEMAIL: 25, EMAIL_SENT: 15, CONNECTED: 10, REPLIED: 5, MEETING_BOOKED: 5 });
            response = await server.gql(Q.attempt, { input: { leadId: l.gid, channel: r.pick(['PHONE', 'EMAIL', 'VIDEO', 'SMS']), outcome, notes: `client ${c} op ${i}` } }, repKey(l));
            const p = response.data?.logContactAttempt;
            if (p?.__typename === 'LogContactAttemptPayload') {
              attemptsOk.push({ attemptId: p.attempt.id, leadId: l.id, recycled: p.recycled });
              learn(p.lead);
            }
            break;
          }
          case 'recycle':
          case 'disqualify': {
            field = op === 'recycle' ? 'recycleLead' : 'disqualifyLead';
            const l = pickLead((x) => (op === 'recycle' ? ['mql', 'sql', 'opportunity'] : ['lead', 'mql']).includes(x.stage));
            const input = { leadId: l.gid, ...expectation(l), reasonCode: op === 'recycle' ? r.pick(['bad_timing', 'no_response']) : 'not_a_fit' };
            response = await server.gql(op === 'recycle' ? Q.recycle : Q.disqualify, { input }, repKey(l));
            learn(response.data?.[field]?.lead);
            break;
          }
          case 'update': {
            field = 'updateLead';
            const l = r.pick(leads());
            const patch = r.pick([
              { seniority: r.pick(['vp', 'c-level', 'manager', 'staff']) },
              { companySize: r.pick([50, 300, 1_500, 20_000]) },
              { industry: r.pick(['Software', 'Retail', 'Banking']) },
              { phone: `+1 555 09${String(r.int(1000)).padStart(3, '0')}` },
              { title: r.pick(['VP Marketing', 'Engineer', 'CFO']), seniority: r.pick(['vp', 'staff']), companySize: r.pick([250, 6_000]) },
            ]);
            response = await server.gql(Q.update, { input: { leadId: l.gid, ...patch } }, fx.keys.marketing);
            learn(response.data?.updateLead?.lead);
            break;
          }
          case 'createOpp': {
            field = 'createOpportunity';
            const l = pickLead((x) => x.stage === 'sql' || x.stage === 'opportunity');
            response = await server.gql(Q.createOpp, { input: { leadId: l.gid, name: `Deal ${c}-${i}`, amountMinor: 100_000 + r.int(5_000_000), pipelineStageKey: r.pick(['discovery', 'proposal']) } }, repKey(l));
            const p = response.data?.createOpportunity;
            if (p?.__typename === 'OpportunityPayload') {
              learn(p.opportunity.lead);
              opportunities.push({ id: p.opportunity.id, ownerId: toView(p.opportunity.lead).ownerId });
            }
            break;
          }
          case 'updateOpp': {
            field = 'updateOpportunity';
            if (!opportunities.length) {
              // nothing to update yet: a stage change instead keeps the mix moving
              const l = r.pick(leads());
              field = 'changeLeadStage';
              response = await server.gql(Q.change, { input: { leadId: l.gid, toStage: 'MQL', fromStage: 'RECYCLED' } }, fx.keys.marketing);
              learn(response.data?.changeLeadStage?.lead);
              break;
            }
            const o = r.pick(opportunities);
            const key = o.ownerId && repKeys.has(o.ownerId) && r.next() < 0.9 ? repKeys.get(o.ownerId)! : fx.keys.admin;
            response = await server.gql(Q.updateOpp, { input: { opportunityId: o.id, pipelineStageKey: r.weighted({ proposal: 50, won: 20, lost: 30 }), lostReason: 'budget' } }, key);
            learn(response.data?.updateOpportunity?.opportunity?.lead);
            break;
          }
          default: {
            field = 'enrolLeadInNurture';
            const l = r.pick(leads());
            response = await server.gql(Q.enrol, { input: { leadId: l.gid, workflowKey: 'reengage' } }, r.next() < 0.5 ? fx.keys.marketing : repKey(l));
            learn(response.data?.enrolLeadInNurture?.lead);
          }
        }
        const payload = response.data?.[field];
        const outcome = response.status !== 200 || response.errors?.length
          ? `ERROR:${response.status}:${response.errors?.map((e) => e.extensions?.code ?? 'NO_CODE').join(',')}`
          : String(payload?.__typename);
        log.push({ client: c, op: field, outcome, message: response.errors?.[0]?.message ?? payload?.message, ms: performance.now() - opStarted });
        if (process.env.CONCURRENCY_PROGRESS && log.length % 500 === 0) console.log(`${log.length} ops, ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return next();
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, () => next()));
    }

    let statements = 0;
    const stopCounting = database.onQuery(() => statements++);
    const perClient = TOTAL_OPS / CLIENTS;
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => runClient(c, perClient)));
    const elapsed = (Date.now() - started) / 1000;
    stopCounting();

    // ---- what the clients saw
    const table: Record<string, Record<string, number>> = {};
    for (const e of log) (table[e.op] ??= {})[e.outcome] = (table[e.op]![e.outcome] ?? 0) + 1;
    console.log(`(b) ${log.length} operations (+${reads} snapshot reads) from ${CLIENTS} clients × ${IN_FLIGHT} in flight in ${elapsed.toFixed(1)} s (seed ${SEED}), ${statements} SQL statements`);
    console.table(table);
    const latency: Record<string, { n: number; avgMs: number; maxMs: number }> = {};
    for (const e of log) {
      const l = (latency[e.op] ??= { n: 0, avgMs: 0, maxMs: 0 });
      l.avgMs = (l.avgMs * l.n + e.ms) / (l.n + 1);
      l.n++;
      l.maxMs = Math.max(l.maxMs, e.ms);
    }
    console.table(Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, { n: v.n, avgMs: Math.round(v.avgMs), maxMs: Math.round(v.maxMs) }])));
    const internal = log.filter((e) => e.outcome.startsWith('ERROR') || e.outcome === 'undefined');
    if (internal.length) console.log('unexpected answers (first 10):', internal.slice(0, 10));

    // ---- invariants, with SQL
    const ag = sql`${agreementId}::uuid`;
    const scope = sql`(select id from leads where agreement_id = ${ag})`;
    const count = async (query: ReturnType<typeof sql>) => (await rows<{ n: number }>(database.db, sql`select count(*)::int as n from (${query}) q`))[0]!.n;
    const sample = async (query: ReturnType<typeof sql>) => rows(database.db, sql`${query} limit 5`);

    const checks: [string, ReturnType<typeof sql>][] = [
      [
        'transition not allowed by the stage machine',
        sql`select t.id, t.lead_id, t.from_stage, t.to_stage from stage_transitions t where t.lead_id in ${scope} and t.from_stage is not null
          and not exists (select 1 from stage_transition_rules m where m.revision_id = t.revision_id and m.from_stage = t.from_stage and m.to_stage = t.to_stage)`,
      ],
      [
        'transition chain broken (from_stage ≠ previous to_stage, by id)',
        sql`select * from (select t.id, t.lead_id, t.from_stage, t.to_stage, lag(t.to_stage) over w as prev_to, row_number() over w as n
            from stage_transitions t where t.lead_id in ${scope} window w as (partition by t.lead_id order by t.id)) x
          where (n = 1 and (from_stage is not null or to_stage <> 'lead')) or (n > 1 and from_stage is distinct from prev_to)`,
      ],
      [
        'transition time goes backwards (occurred_at < previous, by id)',
        sql`select * from (select t.id, t.lead_id, t.from_stage, t.to_stage, t.occurred_at, lag(t.occurred_at) over w as prev_at, t.reason, t.actor_type
            from stage_transitions t where t.lead_id in ${scope} window w as (partition by t.lead_id order by t.id)) x where occurred_at < prev_at`,
      ],
      [
        'lead stage ≠ its last transition',
        sql`select l.id, l.stage, (select to_stage from stage_transitions t where t.lead_id = l.id order by t.id desc limit 1) as last_to
          from leads l where l.agreement_id = ${ag} and l.stage is distinct from (select to_stage from stage_transitions t where t.lead_id = l.id order by t.id desc limit 1)`,
      ],
      [
        'fit score ≠ sum of fit ledger rows',
        sql`select l.id, l.fit_score, (select coalesce(sum(points), 0) from score_ledger s where s.lead_id = l.id and s.dimension = 'fit')::int as ledger
          from leads l where l.agreement_id = ${ag} and l.fit_score <> (select coalesce(sum(points), 0) from score_ledger s where s.lead_id = l.id and s.dimension = 'fit')`,
      ],
      [
        'interest score ≠ ledger (decayed to scored_at)',
        sql`select l.id, l.interest_score, x.ledger from leads l,
            lateral (select ${interestSumSql(sql`l.scored_at`)} as ledger from score_ledger s where s.lead_id = l.id) x
          where l.agreement_id = ${ag} and l.interest_score <> coalesce(x.ledger, 0)`,
      ],
      [
        'a rule awarded twice (live ledger rows)',
        sql`select s.lead_id, s.rule_id, s.activity_id, count(*) from score_ledger s
          where s.lead_id in ${scope} and s.reason in ('fit_rule', 'interest_rule') and not exists (select 1 from score_ledger r where r.reverses_id = s.id)
          group by s.lead_id, s.rule_id, s.activity_id having count(*) > 1`,
      ],
      [
        'ledger row on another lead than its activity',
        sql`select s.id from score_ledger s join activities a on a.id = s.activity_id where s.lead_id <> a.lead_id`,
      ],
      ['duplicate activities per clientEventId', sql`select client_event_id from activities group by client_event_id having count(*) > 1`],
      ['duplicate leads per e-mail', sql`select lower(email) from leads group by lower(email) having count(*) > 1`],
      [
        'duplicate outbox events (same type, lead and payload)',
        sql`select event_type, lead_id, payload::text, count(*) from outbox_events group by 1, 2, 3 having count(*) > 1`,
      ],
      [
        'stage events ≠ stage transitions (per lead)',
        sql`select l.id, (select count(*) from outbox_events o where o.lead_id = l.id and o.payload->'fromStage' is not null) as events,
            (select count(*) from stage_transitions t where t.lead_id = l.id and t.from_stage is not null) as transitions
          from leads l where l.agreement_id = ${ag}
            and (select count(*) from outbox_events o where o.lead_id = l.id and o.payload->'fromStage' is not null)
             <> (select count(*) from stage_transitions t where t.lead_id = l.id and t.from_stage is not null)`,
      ],
      [
        // a lead is handed off at most once per stay in MQL
        'more lead.handed_off events than entries into MQL',
        sql`select l.id, (select count(*) from outbox_events o where o.lead_id = l.id and o.event_type = 'lead.handed_off') as handoffs,
            (select count(*) from stage_transitions t where t.lead_id = l.id and t.to_stage = 'mql') as mql_entries
          from leads l where l.agreement_id = ${ag}
            and (select count(*) from outbox_events o where o.lead_id = l.id and o.event_type = 'lead.handed_off')
              > (select count(*) from stage_transitions t where t.lead_id = l.id and t.to_stage = 'mql')`,
      ],
      [
        'routed hand-off on a lead not in MQL or without owner',
        sql`select id, stage, owner_id from leads where agreement_id = ${ag} and handoff_status = 'routed' and (stage <> 'mql' or owner_id is null)`,
      ],
      [
        'rep over routing capacity',
        sql`select owner_id, count(*) from leads where agreement_id = ${ag} and stage = 'mql' and handoff_status = 'routed' group by owner_id having count(*) > ${REP_CAPACITY}`,
      ],
      [
        'two running clocks of one kind on a lead',
        sql`select lead_id, clock, count(*) from sla_clocks where status = 'running' group by lead_id, clock having count(*) > 1`,
      ],
      [
        'sales clock running on a lead Sales no longer has',
        sql`select c.id, c.clock, l.stage from sla_clocks c join leads l on l.id = c.lead_id
          where c.status = 'running' and c.clock <> 'time_in_stage' and l.stage in ('recycled', 'disqualified', 'customer')`,
      ],
      [
        'acceptance clock running without an open hand-off',
        sql`select c.id, l.stage, l.handoff_status from sla_clocks c join leads l on l.id = c.lead_id
          where c.status = 'running' and c.clock = 'acceptance' and not (l.stage = 'mql' and l.handoff_status = 'routed')`,
      ],
      ['two active nurture enrolments on a lead', sql`select lead_id from nurture_enrolments where status = 'active' group by lead_id having count(*) > 1`],
      [
        // An attempt's number is 1 + the attempts of its hand-off before it: those logged earlier
        // (by id), since the hand-off (one of the lead's hand-off times, or none yet) and after the
        // last recycle. Two attempts that raced and counted the same history would break this.
        'contact attempt number not 1 + the earlier attempts of its hand-off',
        sql`select a.id, a.lead_id, a.attempt_number from contact_attempts a
          where not exists (
            select 1 from (select null::timestamptz as s union all
                select (o.payload->>'handedOffAt')::timestamptz from outbox_events o where o.lead_id = a.lead_id and o.event_type = 'lead.handed_off') w
            where a.attempt_number = 1 + (select count(*) from contact_attempts b where b.lead_id = a.lead_id and b.id < a.id
                and (w.s is null or b.occurred_at >= w.s)
                and b.occurred_at > coalesce((select max(t.occurred_at) from stage_transitions t
                  where t.lead_id = a.lead_id and t.to_stage = 'recycled' and t.occurred_at < a.occurred_at), '-infinity'::timestamptz)))`,
      ],
    ];
    const violations: Record<string, number> = {};
    for (const [name, query] of checks) {
      const n = await count(query);
      violations[name] = n;
      if (n) console.log(`VIOLATION ${name}: ${n}`, await sample(query));
      if (n && name.startsWith('transition time'))
        console.log('  by kind:', await rows(database.db, sql`select coalesce(split_part(reason, ':', 1), actor_type::text) as kind, from_stage, to_stage, count(*)::int, max(prev_at - occurred_at) as worst from (${query}) q group by 1, 2, 3 order by 4 desc`));
    }

    // Attempts: every successful answer is a row, and there are no rows nobody was answered about.
    const attemptRows = await rows<{ id: string; lead_id: string }>(database.db, sql`select id::text, lead_id from contact_attempts`);
    // The API shows an attempt's id sealed (api/global-ids.ts), the same way every time.
    const byId = new Map(attemptRows.map((a) => [opaqueID({ database }, 'ContactAttempt', a.id), a.lead_id]));
    violations['successful logContactAttempt without its row'] = attemptsOk.filter((a) => byId.get(a.attemptId) !== a.leadId).length;
    violations['contact_attempts rows ≠ successful answers'] = Math.abs(attemptRows.length - attemptsOk.length);
    const [autoRecycles] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from stage_transitions where lead_id in ${scope} and actor_type = 'system' and to_stage = 'recycled'`,
    );
    violations['automatic recycles ≠ answers with recycled: true'] = Math.abs(autoRecycles!.n - attemptsOk.filter((a) => a.recycled).length);

    // Activities: each event id of an answered batch is stored once, and reported RECORDED once.
    const stored = new Set((await rows<{ client_event_id: string }>(database.db, sql`select client_event_id from activities`)).map((a) => a.client_event_id));
    violations['answered event missing from activities'] = [...sentOk].filter((id) => !stored.has(id)).length;
    violations['event reported RECORDED more than once'] = [...recordedBy.values()].filter((n) => n > 1).length;
    violations['answered event never reported RECORDED'] = [...sentOk].filter((id) => !recordedBy.has(id) && !id.startsWith('seed-')).length;

    // Moves: every successful move answer is one user transition.
    const moveAnswers = log.filter((e) => ['changeLeadStage', 'acceptLead', 'rejectLead', 'recycleLead', 'disqualifyLead'].includes(e.op) && /Payload$/.test(e.outcome)).length;
    const [userMoves] = await rows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from stage_transitions where actor_type = 'user' and not (coalesce(reason, '') like 'opportunity %' or coalesce(reason, '') like 'won %')`,
    );
    violations['user transitions ≠ successful move answers'] = Math.abs(userMoves!.n - movesBefore!.n - moveAnswers);

    // Scores are reconciled: running the reconciliation again would add or reverse nothing.
    const leadIds = (await rows<{ id: string }>(database.db, sql`select id from leads where agreement_id = ${ag}`)).map((l) => l.id);
    const again = await database.db
      .transaction(async (tx) => {
        const result = await reconcileScores(tx, await loadRevisionRules(tx, revisionId), leadIds, { at: new Date(), qualify: false });
        throw Object.assign(new Error('rollback'), { result });
      })
      .catch((e: { result?: { pointsAdded: number; pointsReversed: number } }) => e.result);
    violations['ledger not reconciled (points a re-run would add or reverse)'] = (again?.pointsAdded ?? -1) + (again?.pointsReversed ?? 0);
    violations['INTERNAL_SERVER_ERROR or other error answers'] = internal.length;

    const [totals] = await rows(
      database.db,
      sql`select (select count(*) from leads where agreement_id = ${ag})::int as leads, (select count(*) from activities)::int as activities,
        (select count(*) from stage_transitions where lead_id in ${scope})::int as transitions, (select count(*) from score_ledger)::int as ledger_rows,
        (select count(*) from contact_attempts)::int as attempts, (select count(*) from outbox_events)::int as outbox, (select count(*) from opportunities)::int as opportunities,
        (select json_object_agg(stage, n) from (select stage, count(*) as n from leads where agreement_id = ${ag} group by stage) s) as stages`,
    );
    console.log('(b) data after the history:', totals);
    console.log('(b) invariant violations:', violations);

    expect(log).toHaveLength(TOTAL_OPS);
    expect(Object.entries(violations).filter(([, n]) => n !== 0)).toEqual([]);
  });
});

describe.skipIf(onPostgres)('concurrency', () => {
  it('runs on real PostgreSQL only (set TEST_DATABASE_URL); .ci/run does', () => {
    expect(onPostgres).toBe(false);
  });
});
