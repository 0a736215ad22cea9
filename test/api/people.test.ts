import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { tick } from '../../domain/clocks/scheduler';
import { completeRules } from '../helpers/agreement-input';
import { openTestDatabase } from '../helpers/db';
import { buildFixture, type Fixture } from '../helpers/fixtures';
import { startTestServer, type TestServer } from '../helpers/server';

// Issue 12 through GraphQL as the role that uses each part: people, keys bounded by roles,
// deactivation with each hand-over rule, sales teams as routing pools, out of office, the owner's
// calendar, and every refusal (which writes nothing).

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let server: TestServer;
let fx: Fixture;

const uuidOf = (id: string) => decodeGlobalID(id).id;
const user = (id: string) => encodeGlobalID('User', id);
let n = 0;

async function gql(query: string, variables: Record<string, unknown> = {}, key = fx.keys.admin) {
  const result = await server.gql(query, variables, key);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

const USER_FIELDS = `__typename ... on UserPayload { keysRevoked user { id email role active routingCapacity routingWeight timeZone salesTeam { name } workingHours { weekday start end } } }
  ... on ValidationError { problems { field message } } ... on ConflictError { message } ... on NotFoundError { message }`;

async function createUser(input: Record<string, unknown>) {
  return (await gql(`mutation($input: CreateUserInput!) { createUser(input: $input) { ${USER_FIELDS} } }`, { input })).createUser;
}

async function keyFor(userId: string, role?: string) {
  const data = await gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreateApiKeyPayload { secret } ... on ValidationError { problems { message } } } }`,
    { input: { userId: user(userId), name: `key ${++n}`, ...(role ? { role } : {}) } },
  );
  return data.createApiKey;
}

async function fingerprint() {
  const [row] = await rows<{ f: string }>(
    database.db,
    sql`select md5(string_agg(t, '|' order by t)) as f from (
      select 'u' || u::text as t from users u union all select 'k' || k.id || coalesce(k.revoked_at::text, '') from api_keys k
      union all select 'l' || l.id || coalesce(l.owner_id::text, '') || l.stage || l.version from leads l
      union all select 'o' || o.id from ownership_changes o union all select 't' || s::text from sales_teams s) x`,
  );
  return row!.f;
}

async function createAgreement(name: string, rules: Record<string, unknown>) {
  const created = await gql(
    `mutation($input: CreateSlaAgreementInput!) { createSlaAgreement(input: $input) { __typename ... on SlaAgreementPayload { agreement { id } revision { id } } ... on ValidationError { problems { field message } } } }`,
    { input: { name, rules } },
  );
  expect(created.createSlaAgreement.__typename, JSON.stringify(created)).toBe('SlaAgreementPayload');
  return { agreementId: created.createSlaAgreement.agreement.id as string, revisionId: created.createSlaAgreement.revision.id as string };
}

const ACTIVATE = `mutation($id: ID!) { activateAgreementRevision(input: { revisionId: $id, rescore: NONE }) { __typename
  ... on SlaAgreementPayload { warnings scopeMoves { from { name } to { name } leads } }
  ... on ValidationError { problems { field message } } } }`;

async function demoRequest(email: string, extra: Record<string, unknown> = {}, occurredAt = new Date(Date.now() - 60_000)) {
  const data = await gql(
    `mutation($events: [ActivityEventInput!]!) { recordActivities(input: { events: $events }) { __typename ... on RecordActivitiesPayload { results { lead { id owner { id } } } } } }`,
    {
      events: [
        { clientEventId: `people-${++n}`, type: 'DEMO_REQUEST', occurredAt: occurredAt.toISOString(), email, lead: { firstName: 'P', phone: '+1 555 0100', companyName: 'Acme', source: 'referral', ...extra } },
      ],
    },
    fx.keys.marketing,
  );
  return data.recordActivities.results[0].lead as { id: string; owner: { id: string } | null };
}

let team: string;
let ana: string;
let ben: string;
let cleo: string;
let anaKey: string;

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildFixture(database.db, 2, { agreementStatus: 'archived' });
  server = await startTestServer(database, { WEBHOOKS_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '0' });
});
afterAll(async () => {
  await server?.stop();
  await database?.dispose();
});

describe('people', () => {
  it('adds a team and reps, with hours, capacity and weight; keys follow the role', async () => {
    const created = await gql(`mutation { createSalesTeam(input: { name: "Inside Sales" }) { __typename ... on SalesTeamPayload { team { id name } } } }`);
    team = created.createSalesTeam.team.id;
    const a = await createUser({ email: 'Ana@Acme.test', name: 'Ana Rep', role: 'SALES', salesTeamId: team, routingCapacity: 5, routingWeight: 2, timeZone: 'Europe/Berlin', workingHours: [{ weekday: 1, start: '08:00', end: '16:00' }] });
    expect(a).toMatchObject({
      __typename: 'UserPayload',
      user: { email: 'ana@acme.test', role: 'SALES', active: true, routingCapacity: 5, routingWeight: 2, timeZone: 'Europe/Berlin', salesTeam: { name: 'Inside Sales' }, workingHours: [{ weekday: 1, start: '08:00', end: '16:00' }] },
    });
    ana = uuidOf(a.user.id);
    ben = uuidOf((await createUser({ email: 'ben@acme.test', name: 'Ben Rep', role: 'SALES', salesTeamId: team, routingCapacity: 5 })).user.id);
    cleo = uuidOf((await createUser({ email: 'cleo@acme.test', name: 'Cleo Rep', role: 'SALES', routingCapacity: 5 })).user.id);
    // A sales user's key carries SALES (or VIEWER), never ADMIN.
    const key = await keyFor(ana);
    expect(key.__typename).toBe('CreateApiKeyPayload');
    anaKey = key.secret;
    expect((await keyFor(ana, 'ADMIN')).problems[0].message).toContain('can carry role sales or viewer, not admin');
    expect((await gql(`{ me { email role } }`, {}, anaKey)).me).toEqual({ email: 'ana@acme.test', role: 'SALES' });
  });

  it('refuses bad people with per-field problems, writing nothing', async () => {
    const before = await fingerprint();
    const bad = await createUser({ email: 'ana@acme.test', name: ' ', role: 'SALES', timeZone: 'Mars/Base', workingHours: [{ weekday: 8, start: '17:00', end: '09:00' }] });
    expect(bad.__typename).toBe('ValidationError');
    expect(bad.problems.map((p: { field: string }) => p.field).sort()).toEqual(['input.name', 'input.timeZone', 'input.workingHours[0].end', 'input.workingHours[0].weekday'].sort());
    const dup = await createUser({ email: 'ANA@acme.test', name: 'Twin', role: 'SALES' });
    expect(dup.problems).toEqual([{ field: 'input.email', message: 'a user with e-mail ana@acme.test exists already' }]);
    const notSales = await createUser({ email: 'm2@acme.test', name: 'M', role: 'MARKETING', salesTeamId: team });
    expect(notSales.problems[0]).toMatchObject({ field: 'input.salesTeamId' });
    // Not an admin: refused before anything runs.
    const asRep = await server.gql(`mutation { createUser(input: { email: "x@acme.test", name: "X", role: SALES }) { __typename } }`, {}, anaKey);
    expect(asRep.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await fingerprint()).toBe(before);
  });

  it('revokes the keys a lower role no longer allows', async () => {
    const temp = uuidOf((await createUser({ email: 'temp@acme.test', name: 'Temp', role: 'MARKETING' })).user.id);
    const key = (await keyFor(temp)).secret;
    const viewerKey = (await keyFor(temp, 'VIEWER')).secret;
    const lowered = (await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { ${USER_FIELDS} } }`, { input: { userId: user(temp), role: 'VIEWER' } })).updateUser;
    expect(lowered).toMatchObject({ keysRevoked: 1, user: { role: 'VIEWER' } });
    expect((await server.gql(`{ me { name } }`, {}, key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(`{ me { name } }`, {}, viewerKey)).me.name).toBe('Temp');
  });
});

describe('routing to a sales team, and the owner’s calendar', () => {
  let agreement: { agreementId: string; revisionId: string };

  it('refuses to activate an agreement whose hand-offs could never be routed', async () => {
    const rules = completeRules([]);
    rules.routing = { method: 'WEIGHTED_ROUND_ROBIN', members: [] };
    const empty = await createAgreement('Nobody routes', rules);
    const refused = (await gql(ACTIVATE, { id: empty.revisionId })).activateAgreementRevision;
    expect(refused).toEqual({ __typename: 'ValidationError', problems: [{ field: 'revision.routing', message: 'the routing pool is empty: name a sales team or list members' }] });
    const zero = completeRules([user(cleo)]);
    zero.routing.members = [{ userId: user(cleo), weight: 1, capacity: 0 }];
    const full = await createAgreement('No capacity', zero);
    expect((await gql(ACTIVATE, { id: full.revisionId })).activateAgreementRevision.problems[0].message).toBe('every active rep in the routing pool has capacity 0: give someone capacity');
    const status = await rows<{ status: string }>(database.db, sql`select status from sla_agreements where name in ('Nobody routes', 'No capacity')`);
    expect(status.map((s) => s.status)).toEqual(['draft', 'draft']);
  });

  it('routes to the team’s reps by their weight, and times the response in the owner’s hours', async () => {
    const rules = completeRules([]);
    rules.routing = { method: 'WEIGHTED_ROUND_ROBIN', salesTeamId: team, ownerCalendar: true, absenceHandover: 'BACKUP', members: [] };
    agreement = await createAgreement('Team SLA', rules);
    const activated = (await gql(ACTIVATE, { id: agreement.revisionId })).activateAgreementRevision;
    expect(activated.__typename).toBe('SlaAgreementPayload');
    expect(activated.warnings).toContain("the response clock follows the owner's calendar, but Ben Rep has no working hours: the agreement's apply to them");
    // Ana (weight 2) gets two of three; Ben one.
    const owners: string[] = [];
    for (let i = 0; i < 3; i++) owners.push(uuidOf((await demoRequest(`team${i}@lead.test`)).owner!.id));
    expect(owners.filter((o) => o === ana)).toHaveLength(2);
    expect(owners.filter((o) => o === ben)).toHaveLength(1);
  });

  it('follows the owner’s calendar: a Monday 06:00 UTC hand-off to Ana (Berlin, Mon 08–16) is due 4 working hours after 07:00 UTC', async () => {
    // The next hand-off goes to whoever routing picks; make Ana the only one with room.
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(ben), routingCapacity: 0 } });
    let monday = DateTime.utc().minus({ days: 7 }).startOf('day');
    while (monday.weekday !== 1) monday = monday.minus({ days: 1 });
    const at = monday.set({ hour: 6 });
    const lead = await demoRequest('calendar@lead.test', {}, at.toJSDate());
    expect(uuidOf(lead.owner!.id)).toBe(ana);
    const { lead: read } = await gql(`query($id: ID!) { lead(id: $id) { slaClocks { clock dueAt } } }`, { id: lead.id });
    const response = read.slaClocks.find((c: { clock: string }) => c.clock === 'RESPONSE');
    // Berlin opens at 08:00 (07:00 UTC in winter, 06:00 UTC in summer); 240 minutes later.
    const open = at.setZone('Europe/Berlin').set({ hour: 8, minute: 0 });
    expect(response.dueAt).toBe(open.plus({ hours: 4 }).toUTC().toISO());
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(ben), routingCapacity: 5 } });
  });

  it('shows a manager the team’s queue, and refuses it to a rep', async () => {
    const { workQueue } = await gql(`query($team: ID!) { workQueue(teamId: $team, first: 100) { lead { owner { id } } } }`, { team });
    expect(new Set(workQueue.map((i: { lead: { owner: { id: string } } }) => uuidOf(i.lead.owner.id)))).toEqual(new Set([ana, ben]));
    const refused = await server.gql(`query($team: ID!) { workQueue(teamId: $team) { lead { id } } }`, { team }, anaKey);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('out of office', () => {
  it('skips an absent rep in routing, and hands their due leads to the backup when it begins', async () => {
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(ana), backupUserId: user(cleo) } });
    const anasLeads = await rows<{ id: string }>(database.db, sql`select id from leads where owner_id = ${ana}::uuid and stage = 'mql'`);
    expect(anasLeads.length).toBeGreaterThan(0);
    const starts = new Date(Date.now() + 3_600_000);
    const away = await gql(
      `mutation($input: CreateOutOfOfficeInput!) { createOutOfOffice(input: $input) { __typename ... on OutOfOfficePayload { outOfOffice { handedOverAt backup { name } } } } }`,
      { input: { userId: user(ana), startsAt: starts.toISOString(), endsAt: new Date(Date.now() + 5 * 86_400_000).toISOString() } },
      anaKey,
    );
    expect(away.createOutOfOffice).toEqual({ __typename: 'OutOfOfficePayload', outOfOffice: { handedOverAt: null, backup: null } });
    // Only admins and the person see an absence.
    const seen = async (key: string) => (await gql(`query($id: ID!) { node(id: $id) { ... on User { outOfOffice { startsAt } } } }`, { id: user(ana) }, key)).node.outOfOffice;
    expect(await seen(fx.keys.admin)).toHaveLength(1);
    expect(await seen(anaKey)).toHaveLength(1);
    expect(await seen(fx.keys.salesA)).toEqual([]);
    expect(await seen(fx.keys.viewer)).toEqual([]);
    // A rep may not enter another rep's absence.
    const other = await server.gql(
      `mutation($input: CreateOutOfOfficeInput!) { createOutOfOffice(input: $input) { __typename } }`,
      { input: { userId: user(ben), startsAt: starts.toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() } },
      anaKey,
    );
    expect(other.data?.createOutOfOffice.__typename).toBe('ForbiddenError');
    // Once it has begun: the scheduler hands Ana's due leads to Cleo, her backup.
    const result = await tick(database.db, new Date(starts.getTime() + 60_000));
    expect(result.absencesHandedOver).toBe(1);
    const moved = await rows<{ owner_id: string; reason: string; to_user_id: string }>(
      database.db,
      sql`select l.owner_id, o.reason, o.to_user_id from leads l join ownership_changes o on o.lead_id = l.id where l.id = any(${`{${anasLeads.map((l) => l.id).join(',')}}`}::uuid[])`,
    );
    expect(moved).toHaveLength(anasLeads.length);
    expect(moved.every((m) => m.owner_id === cleo && m.to_user_id === cleo && m.reason === 'out of office: to the backup')).toBe(true);
    const clocks = await rows<{ owner_id: string }>(
      database.db,
      sql`select distinct owner_id from sla_clocks where lead_id = ${anasLeads[0]!.id}::uuid and clock <> 'time_in_stage'
        and (status = 'running' or (status = 'breached' and stopped_at is null))`,
    );
    expect(clocks).toEqual([{ owner_id: cleo }]);
    const events = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from outbox_events where event_type = 'lead.owner_changed'`);
    expect(events[0]!.n).toBe(anasLeads.length);
    // While she is away, routing skips her (the hand-off goes to Ben).
    const skipped = await rows<{ away: boolean }>(database.db, sql`select exists (select 1 from user_absences where user_id = ${ana}::uuid and starts_at <= now() + interval '2 hours') as away`);
    expect(skipped[0]!.away).toBe(true);
  });
});

describe('a rep leaves', () => {
  it('refuses, writing nothing, when the open leads are not said to go anywhere, or cannot go', async () => {
    const before = await fingerprint();
    const noRule = (await gql(`mutation($id: ID!) { deactivateUser(input: { userId: $id }) { __typename ... on ValidationError { problems { field message } } } }`, { id: user(ben) })).deactivateUser;
    expect(noRule.problems[0].field).toBe('input.handover');
    const toInactive = (await gql(
      `mutation($id: ID!, $to: ID!) { deactivateUser(input: { userId: $id, handover: { to: REP, userId: $to } }) { __typename ... on ValidationError { problems { field message } } } }`,
      { id: user(ben), to: user(fx.userIds.marketing) },
    )).deactivateUser;
    expect(toInactive.problems).toEqual([{ field: 'input.handover.userId', message: 'only sales users take leads (this one is marketing)' }]);
    expect(await fingerprint()).toBe(before);
    // Ben leaving and Ana with no room: routing has nobody else in the team pool.
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(ana), routingCapacity: 0 } });
    const before2 = await fingerprint();
    const unplaced = (await gql(`mutation($id: ID!) { deactivateUser(input: { userId: $id, handover: { to: ROUTING } }) { __typename ... on ConflictError { message } } }`, { id: user(ben) })).deactivateUser;
    expect(await fingerprint()).toBe(before2);
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(ana), routingCapacity: 5 } });
    expect(unplaced.__typename).toBe('ConflictError');
    expect(unplaced.message).toMatch(/^routing cannot place \d+ of the \d+ open leads/);
    const lastAdmin = (await gql(`mutation($id: ID!) { deactivateUser(input: { userId: $id }) { __typename ... on ConflictError { message } } }`, { id: user(fx.userIds.admin) })).deactivateUser;
    expect(lastAdmin).toEqual({ __typename: 'ConflictError', message: 'this is the last active admin: make another admin first' });
  });

  it('hands the leads to a named rep, revokes the keys at once, and leaves nothing with the inactive rep', async () => {
    const benKey = (await keyFor(ben)).secret;
    const open = await rows<{ id: string }>(database.db, sql`select id from leads where owner_id = ${ben}::uuid and stage in ('mql', 'sql', 'opportunity')`);
    expect(open.length).toBeGreaterThan(0);
    const done = (await gql(
      `mutation($id: ID!, $to: ID!) { deactivateUser(input: { userId: $id, handover: { to: REP, userId: $to } }) { __typename
        ... on DeactivateUserPayload { keysRevoked reassigned recycled user { active deactivatedAt } } } }`,
      { id: user(ben), to: user(cleo) },
    )).deactivateUser;
    expect(done).toMatchObject({ __typename: 'DeactivateUserPayload', keysRevoked: 1, reassigned: open.length, recycled: 0, user: { active: false } });
    expect((await server.gql(`{ me { name } }`, {}, benKey)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const left = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from leads where owner_id = ${ben}::uuid`);
    expect(left[0]!.n).toBe(0);
    const { lead } = await gql(`query($id: ID!) { lead(id: $id) { owner { name } handoffs { owner { name } } ownerChanges { from { name } to { name } reason actorType actor { name } } } }`, {
      id: encodeGlobalID('Lead', open[0]!.id),
    });
    expect(lead.owner.name).toBe('Cleo Rep');
    expect(lead.handoffs.at(-1).owner.name).toBe('Cleo Rep');
    expect(lead.ownerChanges.at(-1)).toEqual({ from: { name: 'Ben Rep' }, to: { name: 'Cleo Rep' }, reason: 'Ben Rep deactivated: to a named rep', actorType: 'USER', actor: { name: 'Ada Admin' } });
  });

  it('sends the leads back to Marketing with a reason', async () => {
    const dora = uuidOf((await createUser({ email: 'dora@acme.test', name: 'Dora Rep', role: 'SALES', salesTeamId: team, routingCapacity: 5 })).user.id);
    await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(cleo), salesTeamId: team } });
    // Only Dora has room now: the lead is hers.
    const capacity = (id: string, routingCapacity: number) => gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { __typename } }`, { input: { userId: user(id), routingCapacity } });
    await capacity(ana, 0);
    await capacity(cleo, 0);
    const lead = await demoRequest('back.to.marketing@lead.test');
    await capacity(ana, 5);
    await capacity(cleo, 5);
    expect(uuidOf(lead.owner!.id)).toBe(dora);
    const done = (await gql(
      `mutation($id: ID!) { deactivateUser(input: { userId: $id, handover: { to: MARKETING, reasonCode: "bad_timing" } }) { __typename ... on DeactivateUserPayload { recycled } } }`,
      { id: user(dora) },
    )).deactivateUser;
    expect(done.recycled).toBeGreaterThanOrEqual(1);
    const { lead: after } = await gql(`query($id: ID!) { lead(id: $id) { stage owner { id } stageTransitions { toStage reasonCode } } }`, { id: lead.id });
    expect(after).toMatchObject({ stage: 'RECYCLED', owner: null });
    expect(after.stageTransitions.at(-1)).toEqual({ toStage: 'RECYCLED', reasonCode: 'bad_timing' });
  });
});

describe('team changes and absences handed back to routing', () => {
  it('refuses to switch off a rep who still owns open leads, and renames a team with a manager', async () => {
    const refused = (await gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { ${USER_FIELDS} } }`, { input: { userId: user(cleo), active: false } })).updateUser;
    expect(refused).toMatchObject({ __typename: 'ConflictError', message: 'cleo@acme.test owns open leads: deactivateUser hands them on by the rule you choose' });
    const renamed = await gql(
      `mutation($input: UpdateSalesTeamInput!) { updateSalesTeam(input: $input) { __typename ... on SalesTeamPayload { team { name manager { name } members { name } } } } }`,
      { input: { teamId: team, name: 'Inside Sales EMEA', managerId: user(fx.userIds.admin) } },
    );
    expect(renamed.updateSalesTeam.team).toMatchObject({ name: 'Inside Sales EMEA', manager: { name: 'Ada Admin' } });
    expect(renamed.updateSalesTeam.team.members.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['Ana Rep', 'Cleo Rep', 'Dora Rep']));
    // A rep asking for a team's queue or breaches is refused.
    const breaches = await server.gql(`query($team: ID!) { slaBreaches(teamId: $team) { id } }`, { team }, anaKey);
    expect(breaches.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('cancels an absence (a rep their own only), and with ROUTING as the rule sends an absent rep’s due leads back to routing', async () => {
    const [absence] = await rows<{ id: string }>(database.db, sql`select id from user_absences where user_id = ${ana}::uuid`);
    const cleoKey = (await keyFor(cleo)).secret;
    const notHers = await gql(`mutation($id: ID!) { cancelOutOfOffice(input: { id: $id }) { __typename } }`, { id: absence!.id }, cleoKey);
    expect(notHers.cancelOutOfOffice.__typename).toBe('ForbiddenError');
    const cancelled = await gql(`mutation($id: ID!) { cancelOutOfOffice(input: { id: $id }) { __typename } }`, { id: absence!.id }, anaKey);
    expect(cancelled.cancelOutOfOffice.__typename).toBe('OutOfOfficePayload');

    // The team agreement now sends an absent rep's due leads back to routing.
    const [agreement] = await rows<{ id: string }>(database.db, sql`select id from sla_agreements where name = 'Team SLA'`);
    const draft = await gql(
      `mutation($input: UpdateAgreementRulesInput!) { updateAgreementRules(input: $input) { __typename ... on SlaAgreementPayload { revision { id } } } }`,
      { input: { agreementId: encodeGlobalID('SlaAgreement', agreement!.id), rules: { routing: { method: 'WEIGHTED_ROUND_ROBIN', salesTeamId: team, absenceHandover: 'ROUTING' } } } },
    );
    expect((await gql(ACTIVATE, { id: draft.updateAgreementRules.revision.id })).activateAgreementRevision.__typename).toBe('SlaAgreementPayload');
    const due = await rows<{ id: string }>(
      database.db,
      sql`select l.id from leads l join sla_agreements a on a.id = l.agreement_id where a.name = 'Team SLA' and l.owner_id = ${cleo}::uuid and l.stage in ('mql', 'sql', 'opportunity')
        and exists (select 1 from sla_clocks c where c.lead_id = l.id and c.clock in ('acceptance', 'response', 'cadence_interval') and (c.status = 'running' or (c.status = 'breached' and c.stopped_at is null)))`,
    );
    expect(due.length).toBeGreaterThan(0);
    // An absence that has begun already is handed over at once.
    const away = await gql(
      `mutation($input: CreateOutOfOfficeInput!) { createOutOfOffice(input: $input) { __typename ... on OutOfOfficePayload { outOfOffice { handedOverAt } } } }`,
      { input: { userId: user(cleo), startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() } },
    );
    expect(away.createOutOfOffice.outOfOffice.handedOverAt).not.toBeNull();
    const after = await rows<{ owner_id: string; reason: string }>(
      database.db,
      sql`select l.owner_id, (select o.reason from ownership_changes o where o.lead_id = l.id order by o.id desc limit 1) as reason
        from leads l where l.id = any(${`{${due.map((d) => d.id).join(',')}}`}::uuid[])`,
    );
    expect(after.every((l) => l.owner_id !== cleo && l.reason === 'out of office: back to routing')).toBe(true);
  });
});
