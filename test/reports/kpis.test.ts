import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forAudience } from '../../reports/kpis/audience';
import { kpiIds } from '../../reports/kpis/catalogue';
import { runKpi } from '../../reports/kpis/run';
import type { KpiFilters } from '../../reports/kpis/types';
import { captureStatements, openTestDatabase } from '../helpers/db';
import { buildKpiFixture, type KpiFixture } from './kpi-fixture';

// Every expected value below is counted by hand from the story in kpi-fixture.ts.
let database: Awaited<ReturnType<typeof openTestDatabase>>;
let fx: KpiFixture;
const jan: KpiFilters = { from: '2026-01-01', to: '2026-01-31' };
const dec: KpiFilters = { from: '2025-12-01', to: '2025-12-31' };
const r = (numerator: number, denominator: number) => ({ numerator, denominator, rate: denominator ? numerator / denominator : null });

beforeAll(async () => {
  database = await openTestDatabase();
  fx = await buildKpiFixture(database.db);
});
afterAll(async () => {
  await database?.dispose();
});

describe('funnel', () => {
  it('counts the period volumes stage by stage', async () => {
    // visitors 1000 (01-05) + 500 (01-06); leads created in January: L2 L3 L4 L5 L6 L7 L8 L11;
    // MQLs: L1 L2 L3 L4 L5 L8 L11; SQLs: L1 L3; opportunity created: L1's; won: L1's ($5,000).
    const rows = await runKpi(database.db, 'funnel', jan);
    expect(rows.map((row) => [row.stage, row.count])).toEqual([
      ['visitors', 1500], ['leads', 8], ['mqls', 7], ['sqls', 2], ['opportunities', 1], ['won', 1],
    ]);
    expect(rows[1]!.fromPrevious).toEqual(r(8, 1500));
    expect(rows[3]!.fromPrevious).toEqual(r(2, 7));
    expect(rows[5]!.revenueMinor).toBe(500_000);
  });

  it('honours agreement, source and owner filters (visitors follow the source only)', async () => {
    const counts = async (f: Partial<KpiFilters>) => (await runKpi(database.db, 'funnel', { ...jan, ...f })).map((row) => row.count);
    // Agreement A drops L8 (a lead and an MQL).
    expect(await counts({ agreementId: fx.agreementA })).toEqual([1500, 7, 6, 2, 1, 1]);
    // paid_search: 1000 visitors; leads L2 L7 L8; MQLs L1 L2 L8; SQL L1; L1's opportunity, won.
    expect(await counts({ source: 'paid_search' })).toEqual([1000, 3, 3, 1, 1, 1]);
    // Bob owns L2 L4 L7 L11: leads L2 L4 L7 L11; MQLs L2 L4 L11.
    expect(await counts({ ownerId: fx.bob })).toEqual([1500, 4, 3, 0, 0, 0]);
  });

  it('follows the creation cohort to the stages it reached', async () => {
    // Created in January: L2 L3 L4 L5 L6 L7 L8 L11; reached MQL: L2 L3 L4 L5 L8 L11; SQL: L3; no opportunity.
    const rows = await runKpi(database.db, 'funnel_cohort', jan);
    expect(rows.map((row) => [row.stage, row.count])).toEqual([['leads', 8], ['mqls', 6], ['sqls', 1], ['opportunities', 0], ['won', 0]]);
    expect(rows[1]!.fromPrevious).toEqual(r(6, 8));
    expect(rows[0]!.fromPrevious).toBeNull();
  });
});

describe('conversion trend and stage durations', () => {
  it('gives weekly stage-to-stage conversion', async () => {
    const rows = await runKpi(database.db, 'conversion_trend', jan);
    const by = Object.fromEntries(rows.map((row) => [`${row.bucket} ${row.step}`, [row.numerator, row.denominator]]));
    expect(by).toEqual({
      // Leads created: week of 29 Dec L2 (→ MQL); 5 Jan L3 L4 L8 (all MQL); 12 Jan L5 L11 (MQL); 19 Jan L6 L7 (none).
      '2025-12-29 lead_to_mql': [1, 1],
      '2026-01-05 lead_to_mql': [3, 3],
      '2026-01-12 lead_to_mql': [2, 2],
      '2026-01-19 lead_to_mql': [0, 2],
      // MQL weeks: L2 (rejected); L1 L3 (accepted) L4 L8; L11 (rejected); L5.
      '2025-12-29 mql_to_sql': [0, 1],
      '2026-01-05 mql_to_sql': [2, 4],
      '2026-01-12 mql_to_sql': [0, 1],
      '2026-01-26 mql_to_sql': [0, 1],
      // SQLs in week of 5 Jan: L1 (opportunity on 10 Jan) and L3 (none).
      '2026-01-05 sql_to_opportunity': [1, 2],
      // L1's opportunity was created on Saturday 10 Jan and won.
      '2026-01-05 opportunity_to_won': [1, 1],
    });
  });

  it('uses monthly buckets for long periods and agrees with mql_acceptance month by month', async () => {
    const rows = await runKpi(database.db, 'conversion_trend', { from: '2025-11-01', to: '2026-01-31' });
    const mqlToSql = rows.filter((row) => row.step === 'mql_to_sql').map((row) => [row.bucket, row.numerator, row.denominator]);
    // November: L10 (accepted); December: L9 (accepted); January: 2 of 7.
    expect(mqlToSql).toEqual([['2025-11-01', 1, 1], ['2025-12-01', 1, 1], ['2026-01-01', 2, 7]]);
    const [january] = await runKpi(database.db, 'mql_acceptance', jan);
    expect(january!.acceptance).toEqual(r(2, 7));
  });

  it('measures p50 / p90 hours between stages', async () => {
    const rows = await runKpi(database.db, 'stage_durations', jan);
    // lead→MQL hours: L1 382, L2 2, L3 5, L4 1, L5 337, L8 2, L11 1 → sorted 1 1 2 2 5 337 382:
    //   p50 = 2 (the 4th of 7); p90 at position 0.9 × 6 = 5.4 → 337 + 0.4 × 45 = 355.
    // MQL→SQL: L1 4, L3 42 → p50 23, p90 = 4 + 0.9 × 38 = 38.2. SQL→opportunity: L1 120. Won: L1 240.
    expect(rows).toEqual([
      { step: 'lead_to_mql', count: 7, p50Hours: 2, p90Hours: expect.closeTo(355, 6) },
      { step: 'mql_to_sql', count: 2, p50Hours: 23, p90Hours: expect.closeTo(38.2, 6) },
      { step: 'sql_to_opportunity', count: 1, p50Hours: 120, p90Hours: 120 },
      { step: 'opportunity_to_won', count: 1, p50Hours: 240, p90Hours: 240 },
    ]);
  });
});

describe('marketing side', () => {
  it('computes MQL → SQL acceptance, rejection and precision', async () => {
    // January MQLs L1 L2 L3 L4 L5 L8 L11: accepted L1 L3; rejected L2 L4 L11; undecided L5 L8; won L1.
    expect(await runKpi(database.db, 'mql_acceptance', jan)).toEqual([
      { mqls: 7, acceptance: r(2, 7), rejection: r(3, 7), undecided: 2, precision: r(1, 7) },
    ]);
    // December: L9 only, accepted.
    expect((await runKpi(database.db, 'mql_acceptance', dec))[0]!.acceptance).toEqual(r(1, 1));
    // Agreement A drops L8.
    expect((await runKpi(database.db, 'mql_acceptance', { ...jan, agreementId: fx.agreementA }))[0]).toMatchObject({ mqls: 6, undecided: 1 });
  });

  it('lists rejection reasons with the reject label', async () => {
    // L4 and L11 not_a_fit; L2 bad_timing ("Bad timing", the reject label, not the recycle one). L9 and L10 are not rejections.
    expect(await runKpi(database.db, 'rejection_reasons', jan)).toEqual([
      { code: 'not_a_fit', label: 'Not a fit', count: 2, share: r(2, 3) },
      { code: 'bad_timing', label: 'Bad timing', count: 1, share: r(1, 3) },
    ]);
  });

  it('bins new leads by score and temperature', async () => {
    // L7 −20 → below-zero bin; L6 5; L4 35; L11 40; L2 55; L3 95; L5 100; L8 180 → 150+ bin.
    const rows = await runKpi(database.db, 'score_distribution', jan);
    expect(rows.map((row) => [row.binStart, row.temperature, row.leads])).toEqual([
      [-10, 'cold', 1], [0, 'cold', 1], [30, 'cold', 1], [40, 'cold', 1], [50, 'warm', 1], [90, 'hot', 1], [100, 'hot', 1], [150, 'hot', 1],
    ]);
  });

  it('counts nurture enrolments, completions and re-engagement', async () => {
    // Awareness: L2 (active, MQL again on 10 Feb) and L10 (completed). L9's December enrolment is outside.
    expect(await runKpi(database.db, 'nurture', jan)).toEqual([
      { workflowKey: 'awareness', workflow: 'Awareness', buyingStage: 'awareness', enrolled: 2, completed: r(1, 2), exited: 0, reengaged: r(1, 2) },
    ]);
  });
});

describe('sales side', () => {
  it('measures response time in wall-clock and business hours against the SLA', async () => {
    // Hand-offs: L1 (Mon 09:00 Paris → 2 h, 2 business h), L2 (1 Jan, a holiday → contacted Fri 11:00: 24 h, 2 bh),
    // L3 (Tue 16:00 → Wed 11:00: 19 h, 1 + 2 = 3 bh), L4 (held until Wed 11:00 → Thu 15:00: 28 h, 6 + 6 = 12 bh),
    // L5 and L8 never contacted (L5 overdue → breached; L8's agreement has no response rule); L11 rejected after
    // 1 business hour without a contact (clock cancelled: left out).
    // Wall hours 2 19 24 28: p50 21.5, p90 = 24 + 0.7 × 4 = 26.8; business 2 2 3 12: p50 2.5, p90 = 3 + 0.7 × 9 = 9.3.
    expect(await runKpi(database.db, 'response_time', jan)).toEqual([
      {
        handoffs: 7, contacted: 4, withinSla: r(3, 5), breached: 2, pending: 0, closedWithoutContact: 1, returnedWithoutContact: 1, waitingForContact: 2, noSla: 1,
        p50Hours: 21.5, p90Hours: expect.closeTo(26.8, 6), p50BusinessHours: expect.closeTo(2.5, 6),
        p90BusinessHours: expect.closeTo(9.3, 6), slaBusinessHours: 4,
      },
    ]);
  });

  it('bins response times and keeps the not-contacted apart', async () => {
    const rows = await runKpi(database.db, 'response_distribution', jan);
    expect(rows.map((row) => [row.label, row.handoffs])).toEqual([
      ['< 1 h', 0], ['1–2 h', 0], ['2–4 h', 3], ['4–8 h', 0], ['8–16 h', 1], ['16–24 h', 0], ['24–48 h', 0], ['48 h +', 0],
      ['not contacted', 2], ['returned without contact', 1],
    ]);
    expect(rows.every((row) => row.slaBusinessHours === 4)).toBe(true);
  });

  it('counts attempts per hand-off', async () => {
    // L1 1, L2 2, L3 3, L4 1, L5 0, L8 0, L11 0.
    expect(await runKpi(database.db, 'attempts_per_lead', jan)).toEqual([
      { attempts: 0, leads: 3 }, { attempts: 1, leads: 2 }, { attempts: 2, leads: 1 }, { attempts: 3, leads: 1 },
    ]);
  });

  it('summarises each rep', async () => {
    // Ann: attempts L1, L3 ×3 (one flagged) → 4 on 2 leads; gaps 5 h and 307 h → p50 156;
    //   hand-offs L1 (within) L3 (within) L5 (breached) L8 (no rule) → 2 of 3; business hours 2, 3 → 2.5.
    // Bob: attempts L2 ×2 (one flagged), L4 (flagged) → 3 on 2 leads; gap 1 h; hand-offs L2 (within) L4 (breached)
    //   L11 (returned without contact: left out) → 1 of 2; 2 and 12 bh.
    expect(await runKpi(database.db, 'rep_activity', jan)).toEqual([
      { rep: 'Ann Rep', repId: fx.ann, attempts: 4, leadsContacted: 2, attemptsPerLead: 2, p50IntervalHours: 156, cadenceCompliance: r(3, 4), handoffs: 4, responseWithinSla: r(2, 3), p50ResponseBusinessHours: expect.closeTo(2.5, 6) },
      { rep: 'Bob Rep', repId: fx.bob, attempts: 3, leadsContacted: 2, attemptsPerLead: 1.5, p50IntervalHours: 1, cadenceCompliance: r(1, 3), handoffs: 3, responseWithinSla: r(1, 2), p50ResponseBusinessHours: expect.closeTo(7, 6) },
    ]);
  });

  it('shows a rep its own row and the team total, never another rep', async () => {
    // Ann + Bob: attempts 4 + 3 on 2 + 2 leads; cadence 3/4 + 1/3 = 4/7; hand-offs 4 + 3; response 2/3 + 1/2 = 3/5.
    const rows = forAudience('rep_activity', await runKpi(database.db, 'rep_activity', jan), { repUserId: fx.bob });
    expect(rows.map((row) => row.rep)).toEqual(['Bob Rep', 'All reps (team total)']);
    expect(rows[1]).toEqual({
      rep: 'All reps (team total)', repId: null, attempts: 7, leadsContacted: 4, attemptsPerLead: 1.75, p50IntervalHours: null,
      cadenceCompliance: r(4, 7), handoffs: 7, responseWithinSla: r(3, 5), p50ResponseBusinessHours: null, teamTotal: true,
    });
    const breaches = forAudience('sla_breaches', await runKpi(database.db, 'sla_breaches', jan), { repUserId: fx.ann });
    expect(breaches.map((row) => [row.clock, row.owner, row.breaches, row.open])).toEqual([
      ['acceptance', 'Ann Rep', 2, 1], ['response', 'Ann Rep', 1, 1],
      ['acceptance', 'All reps (team total)', 4, 1], ['response', 'All reps (team total)', 2, 1],
    ]);
    expect(JSON.stringify(breaches)).not.toContain('Bob');
  });

  it('mixes channels and outcomes', async () => {
    const rows = await runKpi(database.db, 'channel_outcome_mix', jan);
    expect(rows.map((row) => [row.channel, row.outcome, row.attempts])).toEqual([
      ['email', 'email_sent', 2], ['phone', 'connected', 1], ['phone', 'no_answer', 1], ['phone', 'voicemail', 1],
      ['phone', 'wrong_contact', 1], ['video', 'meeting_booked', 1],
    ]);
    expect(rows[0]!.share).toEqual(r(2, 7));
  });

  it('tracks cadence compliance per week and the flags', async () => {
    // Week of 29 Dec: L2's two (one too soon); 5 Jan: L1, L3 ×2, L4 (flagged); 19 Jan: L3's third (flagged).
    expect(await runKpi(database.db, 'cadence_compliance', jan)).toEqual([
      { bucket: '2025-12-29', ...r(1, 2) }, { bucket: '2026-01-05', ...r(3, 4) }, { bucket: '2026-01-19', ...r(0, 1) },
    ]);
    expect(await runKpi(database.db, 'cadence_flags', jan)).toEqual([
      { flag: 'after_max_span', attempts: 1, share: r(1, 7) },
      { flag: 'channel_not_allowed', attempts: 1, share: r(1, 7) },
      { flag: 'over_max_attempts', attempts: 1, share: r(1, 7) },
      { flag: 'too_soon', attempts: 1, share: r(1, 7) },
    ]);
  });

  it('lists recycle reasons by route and the re-qualification rate', async () => {
    // L2 rejected (bad_timing), L4 rejected to disqualified and L11 rejected to recycled (not_a_fit), L10 by the
    // system (no_response), L9 by Ann from opportunity (no_budget). Re-qualified: of L2 L9 L10 L11, L2 (MQL on 10 Feb).
    expect(await runKpi(database.db, 'recycle_reasons', jan)).toEqual([
      { code: 'bad_timing', label: 'Bad timing', toStage: 'recycled', route: 'rejected', count: 1, share: r(1, 5) },
      { code: 'no_budget', label: 'No budget', toStage: 'recycled', route: 'manual', count: 1, share: r(1, 5) },
      { code: 'no_response', label: 'No response', toStage: 'recycled', route: 'automatic', count: 1, share: r(1, 5) },
      { code: 'not_a_fit', label: 'Not a fit', toStage: 'disqualified', route: 'rejected', count: 1, share: r(1, 5) },
      { code: 'not_a_fit', label: 'Not a fit', toStage: 'recycled', route: 'rejected', count: 1, share: r(1, 5) },
    ]);
    expect(await runKpi(database.db, 'requalification', jan)).toEqual([{ recycled: 4, requalified: r(1, 4) }]);
  });
});

describe('SLA', () => {
  it('tracks both sides’ compliance per week', async () => {
    // Hand-off weeks: 29 Dec L2; 5 Jan L1 L3 L4 L8; 12 Jan L11 (response: returned without contact, no point;
    // acceptance: rejected after 60 bm, within); 26 Jan L5. Acceptance (480 bm): L1 240 within, L2 540, L3 600,
    // L4 960 breached, L5 undecided and overdue, L8 no rule.
    const rows = await runKpi(database.db, 'sla_compliance_trend', jan);
    expect(rows.map((row) => [row.bucket, row.side, row.measure, row.numerator, row.denominator])).toEqual([
      ['2025-12-29', 'marketing', 'mql_acceptance', 0, 1],
      ['2025-12-29', 'sales', 'acceptance_within_sla', 0, 1],
      ['2025-12-29', 'sales', 'cadence_compliance', 1, 2],
      ['2025-12-29', 'sales', 'response_within_sla', 1, 1],
      ['2026-01-05', 'marketing', 'mql_acceptance', 2, 4],
      ['2026-01-05', 'sales', 'acceptance_within_sla', 1, 3],
      ['2026-01-05', 'sales', 'cadence_compliance', 3, 4],
      ['2026-01-05', 'sales', 'response_within_sla', 2, 3],
      ['2026-01-12', 'marketing', 'mql_acceptance', 0, 1],
      ['2026-01-12', 'sales', 'acceptance_within_sla', 1, 1],
      ['2026-01-19', 'sales', 'cadence_compliance', 0, 1],
      ['2026-01-26', 'marketing', 'mql_acceptance', 0, 1],
      ['2026-01-26', 'sales', 'acceptance_within_sla', 0, 1],
      ['2026-01-26', 'sales', 'response_within_sla', 0, 1],
    ]);
  });

  it('lists recorded breaches by clock and owner', async () => {
    // Acceptance: Ann L3 (7 Jan 15:00 → 8 Jan 09:00, 18 h) and L5 (open); Bob L2 (2 Jan 16:00 → 5 Jan 09:00,
    // 65 h) and L4 (8 Jan 10:00 → 9 Jan 10:00, 24 h): p50 44.5. Response: Ann L5 (open), Bob L4 (24 h).
    // L10's response breach is in November; L2's February clocks run past due, not recorded yet.
    expect(await runKpi(database.db, 'sla_breaches', jan)).toEqual([
      { clock: 'acceptance', owner: 'Ann Rep', ownerId: fx.ann, breaches: 2, resolved: 1, open: 1, p50HoursToResolve: 18 },
      { clock: 'acceptance', owner: 'Bob Rep', ownerId: fx.bob, breaches: 2, resolved: 2, open: 0, p50HoursToResolve: 44.5 },
      { clock: 'response', owner: 'Ann Rep', ownerId: fx.ann, breaches: 1, resolved: 0, open: 1, p50HoursToResolve: null },
      { clock: 'response', owner: 'Bob Rep', ownerId: fx.bob, breaches: 1, resolved: 1, open: 0, p50HoursToResolve: 24 },
    ]);
  });

  it('agrees with the breaches: every breached verdict of January is a recorded breach', async () => {
    // One truth: the compliance KPI's breached response and acceptance clocks of January hand-offs are
    // exactly the recorded breaches of those clocks (L2, L3, L4, L5), and nothing else.
    const trend = await runKpi(database.db, 'sla_compliance_trend', jan);
    const breachedVerdicts = trend
      .filter((r) => r.measure === 'response_within_sla' || r.measure === 'acceptance_within_sla')
      .reduce((sum, r) => sum + (r.denominator - r.numerator), 0);
    const breaches = await runKpi(database.db, 'sla_breaches', jan);
    expect(breachedVerdicts).toBe(breaches.reduce((sum, r) => sum + r.breaches, 0));
  });
});

describe('goals', () => {
  it('measures attainment, pacing and the reverse funnel', async () => {
    const rows = await runKpi(database.db, 'goal_attainment', { ...jan, agreementId: fx.agreementA });
    expect(rows.map((row) => row.name)).toEqual(['Q1 MQLs', 'Q1 SQLs', 'January revenue']);
    const [mqls, sqls, revenue] = rows;
    // Agreement A's January: 1500 visitors, leads L2–L7 and L11 (7), MQLs L1–L5 and L11 (6), SQLs L1 L3, one
    // opportunity, L1 won.
    expect(mqls!.actuals).toEqual({ visitors: 1500, leads: 7, mqls: 6, sqls: 2, opportunities: 1, wonDeals: 1, revenueMinor: 500_000 });
    // Q1 MQLs: 6 of 10; 31 of 90 days gone → ceil(10 × 31/90) = 4 needed to date; projection round(6 × 90/31) = 17.
    expect(mqls!.attainment).toEqual(r(6, 10));
    expect(mqls!.pacing).toMatchObject({ neededToDate: 4, actualToDate: 6, paceRatio: 1.5, projectedAtEnd: 17, onTrack: true });
    expect(mqls!.pacing.elapsedShare).toBeCloseTo(31 / 90, 10);
    expect(mqls!.needs).toMatchObject({ mqls: 10, leads: 50, visitors: 2500 });
    // January revenue: $5,000 of $20,000; 4 deals → 16 opportunities → 32 SQLs → 80 MQLs → 400 leads → 20,000 visitors.
    expect(revenue!.attainment).toEqual(r(500_000, 2_000_000));
    expect(revenue!.pacing).toMatchObject({ elapsedShare: 1, neededToDate: 2_000_000, onTrack: false, projectedAtEnd: 500_000 });
    expect(revenue!.needs).toEqual({ revenueMinor: 2_000_000, wonDeals: 4, opportunities: 16, sqls: 32, mqls: 80, leads: 400, visitors: 20_000 });
    // Q1 SQLs, historical rates over the 60 days ending the day before as-of (1 Feb): 3 Dec – 31 Jan, agreement A:
    // visitors 999 + 1000 + 500 = 2499; leads L1 L9 L2–L7 L11 = 9; MQLs L9 L1–L5 L11 = 7; SQLs L9 L1 L3 = 3;
    // opportunities L9's and L1's = 2; won L1's = 1. Rates 9/2499, 7/9, 3/7, 2/3, 1/2.
    // 4 SQLs → ceil(4 / 0.428571) = 10 MQLs → ceil(10 / 0.777778) = 13 leads → ceil(13 / 0.003601) = 3611 visitors.
    expect(sqls!.actual).toBe(2);
    expect(sqls!.rates!.visitorToLead).toBeCloseTo(9 / 2499, 12);
    expect(sqls!.rates).toMatchObject({ leadToMql: 7 / 9, mqlToSql: 3 / 7, sqlToOpportunity: 1, winRate: 1 });
    expect(sqls!.needs).toMatchObject({ sqls: 4, mqls: 10, leads: 13, visitors: 3611 });
  });
});

describe('every KPI', () => {
  it('is one SQL statement', async () => {
    for (const id of kpiIds) {
      const { statements } = await captureStatements(database, () => runKpi(database.db, id, jan));
      expect(statements, id).toHaveLength(1);
    }
  });

  it('refuses bad filters before touching the database', async () => {
    await expect(runKpi(database.db, 'funnel', { from: '2026-02-01', to: '2026-01-01' })).rejects.toThrow(/after to/);
    await expect(runKpi(database.db, 'funnel', { from: '2026-02-30', to: '2026-03-01' })).rejects.toThrow(/not a date/);
    await expect(runKpi(database.db, 'funnel', { ...jan, agreementId: 'nope' })).rejects.toThrow(/not an id/);
  });
});
