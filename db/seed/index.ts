// Deterministic demo data: the same seed and `now` give the same rows. Leads are generated and
// written in chunks (the next chunk is generated while the previous one is written), so memory
// stays flat from a thousand leads to a million.
import { sql } from 'drizzle-orm';
import { rows, type Database } from '../client';
import type { LeadSource } from '../schema/enums';
import { leadSources } from '../schema/enums';
import { accountCountFor, seedAccounts } from './accounts';
import { seedAgreement, type SeedAgreement } from './agreement';
import { syncIdentitySequence } from './bulk-insert';
import { withBulkLoadMode } from './bulk-load';
import { BusinessClock } from './business-time';
import { DAY_MS, HistoryCalendar, sampleTimeOfDay } from './calendar';
import { LeadProfileFactory } from './lead-profile';
import { LeadSimulator } from './lead-simulation';
import { Random, WeightedTable } from './random';
import { RowBuffers, writeChunk } from './row-buffers';
import { SalesFloor, type IdCounters } from './sales-story';
import { runSeedSession, type SeedSession } from './session';
import { monthlySourceShares } from './sources';
import { seedTraffic } from './traffic';
import { seedUsers, type SeedUsers } from './users';

export { isDatabaseEmpty, resetDatabase, schemaTableNames } from './reset';
export { seedAgreement, type SeedAgreement } from './agreement';
export { bulkInsert, bulkInsertLines, copyLine, syncIdentitySequence, json, type BulkTarget, type CopyValue } from './bulk-insert';

export interface SeedOptions {
  leads: number;
  /** PRNG seed; default 42. */
  seed?: number;
  /** End of the generated history; default today 00:00 UTC. */
  now?: Date;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface SeedSummary {
  users: number;
  accounts: number;
  leads: number;
  activities: number;
  transitions: number;
  ledgerRows: number;
  attempts: number;
  opportunities: number;
  trafficDays: number;
  agreementId: string;
}

/** Leads per generated-and-written chunk (with their activities, ledger rows, …). */
export const LEADS_PER_CHUNK = 5_000;

/** Tables written with COPY (users and the agreement's rules go through Drizzle). */
const bulkTables = [
  'accounts', 'leads', 'activities', 'score_ledger', 'stage_transitions', 'contact_attempts', 'opportunities',
  'handoffs', 'sla_clocks', 'sla_breaches', 'nurture_enrolments', 'daily_traffic',
];

type Progress = (phase: string, done: number, total: number) => void;

export function startOfTodayUtc(): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
}

export async function seedDemoData(database: Database, options: SeedOptions): Promise<SeedSummary> {
  const leadCount = Math.max(0, Math.floor(options.leads));
  const now = options.now ?? startOfTodayUtc();
  const progress: Progress = options.onProgress ?? (() => {});
  // One stream per phase: the agreement's ids do not change when the lead count does.
  const root = new Random(options.seed ?? 42);
  const rng = { users: root.fork(), agreement: root.fork(), accounts: root.fork(), calendar: root.fork(), leads: root.fork(), traffic: root.fork() };

  return runSeedSession(database, async (session) => {
    progress('users', 0, 1);
    const users = await seedUsers(session.db, rng.users, leadCount, now.getTime());
    progress('users', 1, 1);

    progress('agreement', 0, 1);
    const agreementOptions = {
      now,
      adminUserId: users.adminId,
      routing: users.reps.filter((rep) => rep.active).map((rep) => ({ userId: rep.id, weight: rep.weight, capacity: rep.capacity })),
      newId: () => rng.agreement.uuid(),
    };
    const agreement = await seedAgreement(session.db, agreementOptions);
    progress('agreement', 1, 1);

    const loaded = await withBulkLoadMode(
      session,
      bulkTables,
      () => seedBulk(session, { leadCount, now: now.getTime(), progress, users, agreement, rng }),
      () => progress('indexes', 0, 1),
    );

    // Ids we chose ourselves must not be handed out again by the identity sequences; fresh
    // statistics let the first queries after seeding plan well (PGlite has no autovacuum).
    progress('finalize', 0, 1);
    await syncIdentitySequence(session, 'activities');
    await syncIdentitySequence(session, 'sla_clocks');
    await session.db.execute(sql`ANALYZE`);
    progress('finalize', 1, 1);
    return { users: users.total, ...loaded, agreementId: agreement.agreementId };
  });
}

async function maxId(session: SeedSession, table: 'activities' | 'sla_clocks'): Promise<number> {
  const [row] = await rows<{ max: string | number | null }>(session.db, sql.raw(`SELECT max(id) AS max FROM ${table}`));
  return Number(row?.max ?? 0);
}

async function seedBulk(
  session: SeedSession,
  input: {
    leadCount: number;
    now: number;
    progress: Progress;
    users: SeedUsers;
    agreement: SeedAgreement;
    rng: Record<'accounts' | 'calendar' | 'leads' | 'traffic', Random>;
  },
): Promise<Omit<SeedSummary, 'users' | 'agreementId'>> {
  const { leadCount, now, progress, users, agreement, rng } = input;
  const accountCount = accountCountFor(leadCount);
  const accounts = await seedAccounts(session, rng.accounts, accountCount, users.reps, now, (done, total) => progress('accounts', done, total));

  const calendar = new HistoryCalendar(now, rng.calendar);
  const clock = new BusinessClock(agreement.businessCalendar);
  const out = new RowBuffers();
  const ids: IdCounters = { activity: await maxId(session, 'activities'), clock: await maxId(session, 'sla_clocks') };
  const profiles = new LeadProfileFactory(rng.leads, accounts, agreement.fitRules);
  const floor = new SalesFloor(rng.leads, agreement, clock, users.reps, now, out, ids);
  const simulator = new LeadSimulator({ rng: rng.leads, now, agreement, clock, floor, profiles, marketerIds: users.marketerIds, out, ids });
  const sourceByMonth = Array.from({ length: 13 }, (_, month) => new WeightedTable<LeadSource>(leadSources, monthlySourceShares(Math.max(1, month))));

  const counts = { activities: 0, transitions: 0, ledgerRows: 0, attempts: 0, opportunities: 0 };
  let writing: Promise<void> | null = null;
  progress('leads', 0, leadCount);
  for (let start = 0; start < leadCount; start += LEADS_PER_CHUNK) {
    const end = Math.min(leadCount, start + LEADS_PER_CHUNK);
    for (let i = start; i < end; i++) {
      const day = calendar.dayForLead(i, leadCount, rng.leads.next());
      const createdAt = day + sampleTimeOfDay(rng.leads);
      const source = sourceByMonth[new Date(day).getUTCMonth() + 1]!.pick(rng.leads);
      simulator.simulate(i, rng.leads.uuid(), createdAt, source);
    }
    const chunk = out.take();
    counts.activities += chunk.activities.length;
    counts.transitions += chunk.stage_transitions.length;
    counts.ledgerRows += chunk.score_ledger.length;
    counts.attempts += chunk.contact_attempts.length;
    counts.opportunities += chunk.opportunities.length;
    // One chunk in flight: the next one is generated while this one is written.
    if (writing) await writing;
    const written = end;
    writing = writeChunk(session, chunk).then(() => progress('leads', written, leadCount));
    writing.catch(() => {}); // awaited above or below; this only avoids an unhandled-rejection crash
  }
  if (writing) await writing;

  progress('traffic', 0, 1);
  const trafficDays = await seedTraffic(session, rng.traffic, calendar, leadCount, now);
  progress('traffic', 1, 1);
  return { accounts: accountCount, leads: leadCount, ...counts, trafficDays };
}
