import { and, eq, gte, lt } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactAttempts, dailyTraffic, leads, opportunities, slaClocksTable, stageTransitions } from '../../db/schema/index';
import { seedDemoData } from '../../db/seed/index';
import { runKpi } from '../../reports/kpis/run';
import { openTestDatabase } from '../helpers/db';

// KPI values against independent counts: the demo generator's data, counted row by row in
// TypeScript (no SQL aggregation), and the seed's own SLA clock engine for response times.
let database: Awaited<ReturnType<typeof openTestDatabase>>;
const period = { from: '2026-05-01', to: '2026-05-31' };
const start = new Date('2026-05-01T00:00:00Z');
const end = new Date('2026-06-01T00:00:00Z');
const inPeriod = (d: Date | null) => d !== null && d >= start && d < end;

beforeAll(async () => {
  database = await openTestDatabase();
  await seedDemoData(database, { leads: 2_500, seed: 7, now: new Date('2026-07-01T00:00:00Z') });
}, 300_000);
afterAll(async () => {
  await database?.dispose();
});

describe('KPIs on the demo data equal independent counts', () => {
  it('funnel volumes', async () => {
    const db = database.db;
    const allLeads = await db.select({ id: leads.id, createdAt: leads.createdAt }).from(leads);
    const moves = await db.select({ leadId: stageTransitions.leadId, toStage: stageTransitions.toStage, at: stageTransitions.occurredAt }).from(stageTransitions);
    const opps = await db.select().from(opportunities);
    const traffic = await db.select().from(dailyTraffic).where(and(gte(dailyTraffic.day, period.from), lt(dailyTraffic.day, '2026-06-01')));
    const distinctLeads = (stage: string) => new Set(moves.filter((m) => m.toStage === stage && inPeriod(m.at)).map((m) => m.leadId)).size;
    const won = opps.filter((o) => o.status === 'won' && inPeriod(o.closedAt));
    const expected = [
      traffic.reduce((sum, t) => sum + t.visitors, 0),
      allLeads.filter((l) => inPeriod(l.createdAt)).length,
      distinctLeads('mql'),
      distinctLeads('sql'),
      opps.filter((o) => inPeriod(o.createdAt)).length,
      won.length,
    ];
    const rows = await runKpi(db, 'funnel', period);
    expect(rows.map((row) => row.count)).toEqual(expected);
    expect(rows.at(-1)!.revenueMinor).toBe(won.reduce((sum, o) => sum + o.amountMinor, 0));
    expect(expected[2]).toBeGreaterThan(20); // the demo month is not empty
  });

  it('MQL → SQL acceptance', async () => {
    const moves = await database.db.select().from(stageTransitions);
    const firstMql = new Map<string, Date>();
    for (const m of moves) {
      if (m.toStage !== 'mql' || !inPeriod(m.occurredAt)) continue;
      const seen = firstMql.get(m.leadId);
      if (!seen || m.occurredAt < seen) firstMql.set(m.leadId, m.occurredAt);
    }
    const accepted = [...firstMql].filter(([lead, at]) => moves.some((m) => m.leadId === lead && m.toStage === 'sql' && m.occurredAt >= at)).length;
    const [row] = await runKpi(database.db, 'mql_acceptance', period);
    expect(row!.acceptance).toMatchObject({ numerator: accepted, denominator: firstMql.size });
  });

  it('cadence compliance', async () => {
    const attempts = await database.db.select().from(contactAttempts).where(and(gte(contactAttempts.occurredAt, start), lt(contactAttempts.occurredAt, end)));
    const rows = await runKpi(database.db, 'cadence_compliance', period);
    expect(rows.reduce((sum, row) => sum + row.numerator, 0)).toBe(attempts.filter((a) => a.cadenceFlags.length === 0).length);
    expect(rows.reduce((sum, row) => sum + row.denominator, 0)).toBe(attempts.length);
  });

  it('response within SLA agrees with the seed’s business-hours clock engine', async () => {
    // The seed times each response clock with its own business calendar (db/seed/business-time.ts);
    // our SQL counts business minutes independently. Hand-offs start their clock within a minute.
    const clocks = await database.db.select().from(slaClocksTable).where(eq(slaClocksTable.clock, 'response'));
    const [row] = await runKpi(database.db, 'response_time', period);
    const started = clocks.filter((c) => inPeriod(c.startedAt));
    const met = started.filter((c) => c.status === 'met').length;
    const breached = started.filter((c) => c.status === 'breached').length;
    expect(row!.withinSla.numerator).toBeGreaterThan(10);
    // Allow the hand-offs whose clock start and MQL time straddle the period boundary.
    expect(Math.abs(row!.withinSla.numerator - met)).toBeLessThanOrEqual(2);
    expect(Math.abs(row!.breached - breached)).toBeLessThanOrEqual(2);
  });
});
