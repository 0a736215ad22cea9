import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import {
  agreementRevisions,
  businessHours,
  contactAttempts,
  dailyTraffic,
  goals,
  handoffs,
  holidays,
  leads,
  nurtureEnrolments,
  nurtureWorkflows,
  opportunities,
  reasonCodes,
  slaAgreements,
  slaBreaches,
  slaClockRules,
  slaClocksTable,
  stageTransitions,
  users,
  type LifecycleStage,
} from '../../db/schema/index';

/**
 * A small, hand-made world for the KPI tests. The report period is January 2026 (December 2025 is the
 * comparison). Agreement A (Europe/Paris, UTC+1 in winter; Mon–Fri 09:00–17:00 local = 08:00–16:00Z;
 * 1 January is a holiday; response SLA 240 business minutes, acceptance SLA 480) holds L1–L7, L9, L10.
 * Agreement B has no business hours and no clock rules and holds L8 only.
 *
 *   lead source          owner created           story
 *   L1   paid_search     Ann   2025-12-20 10:00  mql 01-05 08:00 (hand-off), contact 10:00, sql 12:00, opp 01-10 12:00 won 01-20 ($5,000)
 *   L2   paid_search     Bob   2026-01-01 08:00  mql 01-01 10:00 (holiday), contacts 01-02 10:00 + 11:00, rejected 01-05 09:00 (bad_timing),
 *                                               nurture 01-05 09:00, mql again 02-10 10:00 (handed_off_at = 02-10: the second episode)
 *   L3   referral        Ann   2026-01-06 10:00  mql 01-06 15:00, contacts 01-07 10:00, 15:00, 01-20 10:00 (flagged twice), sql 01-08 09:00
 *   L4   referral        Bob   2026-01-07 08:00  mql 01-07 09:00, hand-off held until 10:00, contact 01-08 14:00 (flagged), disqualified 01-09 10:00 (not_a_fit)
 *   L5   events          Ann   2026-01-12 09:00  mql 01-26 10:00, never contacted
 *   L6   events          Ann   2026-01-20 10:00  never MQL
 *   L7   paid_search     Bob   2026-01-25 10:00  never MQL
 *   L8   paid_search     Ann   2026-01-10 08:00  agreement B; mql 01-10 10:00, no handed_off_at, never contacted
 *   L9   organic_search  Ann   2025-12-10 10:00  mql 12-15 10:00, contact 11:00, sql 12-16, opp 12-20 lost 01-15, recycled by Ann 01-16 (no_budget)
 *   L10  direct          Ann   2025-11-01 10:00  mql 11-02 10:00, sql 11-03, recycled by the system 01-15 10:00 (no_response), nurture 01-15
 *   L11  partner         Bob   2026-01-13 08:00  mql 01-13 09:00, rejected 10:00 (not_a_fit) without a contact
 */
export interface KpiFixture {
  agreementA: string;
  agreementB: string;
  revisionA: string;
  ann: string;
  bob: string;
  lead: Record<`L${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11}`, string>;
}

const at = (iso: string) => new Date(iso.length === 16 ? `${iso}:00Z` : iso);

export async function buildKpiFixture(db: Db): Promise<KpiFixture> {
  const [ann, bob] = await db
    .insert(users)
    .values([
      { email: 'ann@kpi.test', name: 'Ann Rep', team: 'sales', role: 'sales' },
      { email: 'bob@kpi.test', name: 'Bob Rep', team: 'sales', role: 'sales' },
    ])
    .returning();

  const [agreementA, agreementB] = await db
    .insert(slaAgreements)
    .values([{ name: 'KPI SLA A' }, { name: 'KPI SLA B' }])
    .returning();
  const [revisionA, revisionB] = await db
    .insert(agreementRevisions)
    .values([
      { agreementId: agreementA!.id, number: 1, status: 'active', timeZone: 'Europe/Paris', activatedAt: at('2025-10-01T00:00') },
      { agreementId: agreementB!.id, number: 1, status: 'active', timeZone: 'UTC', activatedAt: at('2025-10-01T00:00') },
    ])
    .returning();
  const rA = revisionA!.id;
  const rB = revisionB!.id;
  await db.update(slaAgreements).set({ status: 'active', activeRevisionId: rA }).where(eq(slaAgreements.id, agreementA!.id));
  await db.update(slaAgreements).set({ status: 'active', activeRevisionId: rB }).where(eq(slaAgreements.id, agreementB!.id));

  await db.insert(businessHours).values([1, 2, 3, 4, 5].map((weekday) => ({ revisionId: rA, weekday, startMinute: 540, endMinute: 1020 })));
  await db.insert(holidays).values({ revisionId: rA, day: '2026-01-01', name: 'New Year' });
  const [responseRule, acceptanceRule] = await db
    .insert(slaClockRules)
    .values([
      { revisionId: rA, clock: 'response', businessMinutes: 240 },
      { revisionId: rA, clock: 'acceptance', businessMinutes: 480 },
    ])
    .returning();
  await db.insert(reasonCodes).values([
    { revisionId: rA, kind: 'reject', code: 'bad_timing', label: 'Bad timing' },
    { revisionId: rA, kind: 'recycle', code: 'bad_timing', label: 'Timing not right' },
    { revisionId: rA, kind: 'reject', code: 'not_a_fit', label: 'Not a fit' },
    { revisionId: rA, kind: 'recycle', code: 'no_response', label: 'No response' },
    { revisionId: rA, kind: 'recycle', code: 'no_budget', label: 'No budget' },
  ]);

  const A = { agreementId: agreementA!.id, revisionId: rA };
  const B = { agreementId: agreementB!.id, revisionId: rB };
  const specs = [
    ['L1', 'paid_search', ann!.id, '2025-12-20T10:00', A, 'customer', 30, 40, 'warm', '2026-01-05T08:00'],
    ['L2', 'paid_search', bob!.id, '2026-01-01T08:00', A, 'mql', 30, 25, 'warm', '2026-02-10T10:00'],
    ['L3', 'referral', ann!.id, '2026-01-06T10:00', A, 'sql', 50, 45, 'hot', '2026-01-06T15:00'],
    ['L4', 'referral', bob!.id, '2026-01-07T08:00', A, 'disqualified', 20, 15, 'cold', '2026-01-07T10:00'],
    ['L5', 'events', ann!.id, '2026-01-12T09:00', A, 'mql', 40, 60, 'hot', '2026-01-26T10:00'],
    ['L6', 'events', ann!.id, '2026-01-20T10:00', A, 'lead', 5, 0, 'cold', null],
    ['L7', 'paid_search', bob!.id, '2026-01-25T10:00', A, 'lead', -30, 10, 'cold', null],
    ['L8', 'paid_search', ann!.id, '2026-01-10T08:00', B, 'mql', 160, 20, 'hot', null],
    ['L9', 'organic_search', ann!.id, '2025-12-10T10:00', A, 'recycled', 30, 30, 'warm', '2025-12-15T10:00'],
    ['L10', 'direct', ann!.id, '2025-11-01T10:00', A, 'recycled', 30, 30, 'warm', '2025-11-02T10:00'],
    ['L11', 'partner', bob!.id, '2026-01-13T08:00', A, 'recycled', 10, 30, 'cold', '2026-01-13T09:00'],
  ] as const;
  const inserted = await db
    .insert(leads)
    .values(
      specs.map(([name, source, ownerId, created, agreement, stage, fit, interest, temperature, handedOff]) => ({
        email: `${name.toLowerCase()}@kpi.test`,
        source,
        ownerId,
        ...agreement,
        stage: stage as LifecycleStage,
        fitScore: fit,
        interestScore: interest,
        temperature,
        handedOffAt: handedOff ? at(handedOff) : null,
        createdAt: at(created),
      })),
    )
    .returning({ id: leads.id, email: leads.email });
  const lead = Object.fromEntries(inserted.map((row) => [row.email.split('@')[0]!.toUpperCase(), row.id])) as KpiFixture['lead'];

  type Move = [keyof KpiFixture['lead'], LifecycleStage | null, LifecycleStage, string, ('ann' | 'bob')?, string?];
  const moves: Move[] = [
    ['L1', null, 'lead', '2025-12-20T10:00'],
    ['L1', 'lead', 'mql', '2026-01-05T08:00'],
    ['L1', 'mql', 'sql', '2026-01-05T12:00', 'ann'],
    ['L1', 'sql', 'opportunity', '2026-01-10T12:00', 'ann'],
    ['L1', 'opportunity', 'customer', '2026-01-20T12:00', 'ann'],
    ['L2', null, 'lead', '2026-01-01T08:00'],
    ['L2', 'lead', 'mql', '2026-01-01T10:00'],
    ['L2', 'mql', 'recycled', '2026-01-05T09:00', 'bob', 'bad_timing'],
    ['L2', 'recycled', 'mql', '2026-02-10T10:00'],
    ['L3', null, 'lead', '2026-01-06T10:00'],
    ['L3', 'lead', 'mql', '2026-01-06T15:00'],
    ['L3', 'mql', 'sql', '2026-01-08T09:00', 'ann'],
    ['L4', null, 'lead', '2026-01-07T08:00'],
    ['L4', 'lead', 'mql', '2026-01-07T09:00'],
    ['L4', 'mql', 'disqualified', '2026-01-09T10:00', 'bob', 'not_a_fit'],
    ['L5', null, 'lead', '2026-01-12T09:00'],
    ['L5', 'lead', 'mql', '2026-01-26T10:00'],
    ['L6', null, 'lead', '2026-01-20T10:00'],
    ['L7', null, 'lead', '2026-01-25T10:00'],
    ['L8', null, 'lead', '2026-01-10T08:00'],
    ['L8', 'lead', 'mql', '2026-01-10T10:00'],
    ['L9', null, 'lead', '2025-12-10T10:00'],
    ['L9', 'lead', 'mql', '2025-12-15T10:00'],
    ['L9', 'mql', 'sql', '2025-12-16T10:00', 'ann'],
    ['L9', 'sql', 'opportunity', '2025-12-20T10:00', 'ann'],
    ['L9', 'opportunity', 'recycled', '2026-01-16T10:00', 'ann', 'no_budget'],
    ['L10', null, 'lead', '2025-11-01T10:00'],
    ['L10', 'lead', 'mql', '2025-11-02T10:00'],
    ['L10', 'mql', 'sql', '2025-11-03T10:00', 'ann'],
    ['L10', 'sql', 'recycled', '2026-01-15T10:00', undefined, 'no_response'],
    ['L11', null, 'lead', '2026-01-13T08:00'],
    ['L11', 'lead', 'mql', '2026-01-13T09:00'],
    ['L11', 'mql', 'recycled', '2026-01-13T10:00', 'bob', 'not_a_fit'],
  ];
  const userId = { ann: ann!.id, bob: bob!.id };
  await db.insert(stageTransitions).values(
    moves.map(([name, fromStage, toStage, when, actor, reasonCode]) => ({
      leadId: lead[name],
      fromStage,
      toStage,
      occurredAt: at(when),
      actorType: actor ? ('user' as const) : ('system' as const),
      actorUserId: actor ? userId[actor] : null,
      reasonCode: reasonCode ?? null,
      revisionId: name === 'L8' ? rB : rA,
    })),
  );

  type Attempt = [keyof KpiFixture['lead'], 'ann' | 'bob', string, 'phone' | 'email' | 'video', string, number, string[]];
  const attempts: Attempt[] = [
    ['L1', 'ann', '2026-01-05T10:00', 'phone', 'connected', 1, []],
    ['L2', 'bob', '2026-01-02T10:00', 'email', 'email_sent', 1, []],
    ['L2', 'bob', '2026-01-02T11:00', 'phone', 'no_answer', 2, ['too_soon']],
    ['L3', 'ann', '2026-01-07T10:00', 'phone', 'voicemail', 1, []],
    ['L3', 'ann', '2026-01-07T15:00', 'video', 'meeting_booked', 2, []],
    ['L3', 'ann', '2026-01-20T10:00', 'email', 'email_sent', 3, ['after_max_span', 'over_max_attempts']],
    ['L4', 'bob', '2026-01-08T14:00', 'phone', 'wrong_contact', 1, ['channel_not_allowed']],
    ['L9', 'ann', '2025-12-15T11:00', 'phone', 'connected', 1, []],
  ];
  await db.insert(contactAttempts).values(
    attempts.map(([name, who, when, channel, outcome, attemptNumber, cadenceFlags]) => ({
      leadId: lead[name],
      userId: userId[who],
      channel,
      outcome: outcome as 'connected',
      occurredAt: at(when),
      attemptNumber,
      cadenceFlags,
    })),
  );

  await db.insert(opportunities).values([
    { leadId: lead.L1, ownerId: ann!.id, name: 'L1 deal', pipelineStageKey: 'won', amountMinor: 500_000, status: 'won', createdAt: at('2026-01-10T12:00'), closedAt: at('2026-01-20T12:00') },
    { leadId: lead.L9, ownerId: ann!.id, name: 'L9 deal', pipelineStageKey: 'lost', amountMinor: 900_000, status: 'lost', createdAt: at('2025-12-20T10:00'), closedAt: at('2026-01-15T10:00') },
  ]);

  await db.insert(dailyTraffic).values([
    { day: '2025-12-31', source: 'paid_search', visitors: 999 },
    { day: '2026-01-05', source: 'paid_search', visitors: 1000 },
    { day: '2026-01-06', source: 'referral', visitors: 500 },
    { day: '2026-02-01', source: 'paid_search', visitors: 777 },
  ]);

  const goalBase = { revisionId: rA, currency: 'USD' };
  await db.insert(goals).values([
    { ...goalBase, key: 'q1_mqls', name: 'Q1 MQLs', metric: 'mqls', target: 10, periodStart: '2026-01-01', periodEnd: '2026-03-31', ownerSide: 'marketing', visitorToLeadRate: 0.02, leadToMqlRate: 0.2 },
    { ...goalBase, key: 'jan_revenue', name: 'January revenue', metric: 'new_revenue', target: 2_000_000, periodStart: '2026-01-01', periodEnd: '2026-01-31', ownerSide: 'shared', averageDealSizeMinor: 500_000, winRate: 0.25, sqlToOpportunityRate: 0.5, mqlToSqlRate: 0.4, leadToMqlRate: 0.2, visitorToLeadRate: 0.02 },
    { ...goalBase, key: 'q1_sqls', name: 'Q1 SQLs', metric: 'sqls', target: 4, periodStart: '2026-01-01', periodEnd: '2026-03-31', ownerSide: 'sales', rateSource: 'historical', lookbackDays: 60 },
    { ...goalBase, key: 'last_year', name: 'Old goal', metric: 'leads', target: 99, periodStart: '2025-01-01', periodEnd: '2025-06-30', ownerSide: 'marketing' },
  ]);

  const [awareness, decision] = await db
    .insert(nurtureWorkflows)
    .values([
      { revisionId: rA, key: 'awareness', name: 'Awareness', buyingStage: 'awareness' },
      { revisionId: rA, key: 'decision', name: 'Decision', buyingStage: 'decision' },
    ])
    .returning();
  await db.insert(nurtureEnrolments).values([
    { leadId: lead.L2, workflowId: awareness!.id, source: 'rule', status: 'active', enrolledAt: at('2026-01-05T09:00') },
    { leadId: lead.L10, workflowId: awareness!.id, source: 'rule', status: 'completed', enrolledAt: at('2026-01-15T10:00'), endedAt: at('2026-01-30T10:00') },
    { leadId: lead.L9, workflowId: decision!.id, source: 'manual', status: 'exited', enrolledAt: at('2025-12-01T10:00'), endedAt: at('2025-12-15T10:00') },
  ]);

  // Hand-offs and their clocks as the engine records them (domain/handoff, domain/clocks): response
  // 240 and acceptance 480 business minutes on 08:00–16:00Z weekdays, 1 January off. Due times are
  // worked out by hand below. A breached clock is recorded at its due time and resolved (stopped)
  // when the obligation ended; L2's second hand-off still runs past due (no scheduler pass yet).
  type ClockSpec = [kind: 'response' | 'acceptance', status: 'running' | 'met' | 'breached' | 'cancelled', due: string, stopped: string | null];
  type HandoffSpec = {
    lead: keyof KpiFixture['lead'];
    owner: 'ann' | 'bob';
    requested: string;
    handedOff: string;
    state: 'routed' | 'accepted' | 'rejected';
    decided?: string;
    firstContact?: string;
    held?: boolean;
    clocks: ClockSpec[];
  };
  const handoffSpecs: HandoffSpec[] = [
    // 08:00 + 4 bh = 12:00; + 8 bh = 16:00. Contact 10:00 (met), SQL 12:00 (met).
    { lead: 'L1', owner: 'ann', requested: '2026-01-05T08:00', handedOff: '2026-01-05T08:00', state: 'accepted', decided: '2026-01-05T12:00', firstContact: '2026-01-05T10:00',
      clocks: [['response', 'met', '2026-01-05T12:00', '2026-01-05T10:00'], ['acceptance', 'met', '2026-01-05T16:00', '2026-01-05T12:00']] },
    // 1 January is a holiday: the clocks count from 2 January 08:00. Contact 2 Jan 10:00 (met);
    // rejected 5 Jan 09:00, after the 2 Jan 16:00 due (breached, resolved then).
    { lead: 'L2', owner: 'bob', requested: '2026-01-01T10:00', handedOff: '2026-01-01T10:00', state: 'rejected', decided: '2026-01-05T09:00', firstContact: '2026-01-02T10:00',
      clocks: [['response', 'met', '2026-01-02T12:00', '2026-01-02T10:00'], ['acceptance', 'breached', '2026-01-02T16:00', '2026-01-05T09:00']] },
    // Qualified again on Tuesday 10 February 10:00: nobody has acted; both clocks run past due.
    { lead: 'L2', owner: 'bob', requested: '2026-02-10T10:00', handedOff: '2026-02-10T10:00', state: 'routed',
      clocks: [['response', 'running', '2026-02-10T14:00', null], ['acceptance', 'running', '2026-02-11T10:00', null]] },
    // 15:00 Tuesday: 1 bh that day, then 3 more → Wed 11:00 (contact 10:00, met); 7 more → Wed 15:00 (SQL Thu 09:00, breached).
    { lead: 'L3', owner: 'ann', requested: '2026-01-06T15:00', handedOff: '2026-01-06T15:00', state: 'accepted', decided: '2026-01-08T09:00', firstContact: '2026-01-07T10:00',
      clocks: [['response', 'met', '2026-01-07T11:00', '2026-01-07T10:00'], ['acceptance', 'breached', '2026-01-07T15:00', '2026-01-08T09:00']] },
    // Held 09:00–10:00 (missing phone): the clocks start at the release. 14:00 due, contact next day 14:00 (breached);
    // acceptance 6 bh on Wednesday + 2 → Thu 10:00, disqualified Fri 10:00 (breached).
    { lead: 'L4', owner: 'bob', requested: '2026-01-07T09:00', handedOff: '2026-01-07T10:00', held: true, state: 'rejected', decided: '2026-01-09T10:00', firstContact: '2026-01-08T14:00',
      clocks: [['response', 'breached', '2026-01-07T14:00', '2026-01-08T14:00'], ['acceptance', 'breached', '2026-01-08T10:00', '2026-01-09T10:00']] },
    // Monday 26 January 10:00, never contacted nor decided: both breached and open.
    { lead: 'L5', owner: 'ann', requested: '2026-01-26T10:00', handedOff: '2026-01-26T10:00', state: 'routed',
      clocks: [['response', 'breached', '2026-01-26T14:00', null], ['acceptance', 'breached', '2026-01-27T10:00', null]] },
    // Agreement B has no clock rules: a hand-off without clocks.
    { lead: 'L8', owner: 'ann', requested: '2026-01-10T10:00', handedOff: '2026-01-10T10:00', state: 'routed', clocks: [] },
    // Monday 15 December 10:00: contact 11:00 (met); SQL Tuesday 10:00, exactly at the due time (met).
    { lead: 'L9', owner: 'ann', requested: '2025-12-15T10:00', handedOff: '2025-12-15T10:00', state: 'accepted', decided: '2025-12-16T10:00', firstContact: '2025-12-15T11:00',
      clocks: [['response', 'met', '2025-12-15T14:00', '2025-12-15T11:00'], ['acceptance', 'met', '2025-12-16T10:00', '2025-12-16T10:00']] },
    // Sunday 2 November: the clocks count from Monday 08:00. Never contacted; recycled by the system on 15 January.
    { lead: 'L10', owner: 'ann', requested: '2025-11-02T10:00', handedOff: '2025-11-02T10:00', state: 'accepted', decided: '2025-11-03T10:00',
      clocks: [['response', 'breached', '2025-11-03T12:00', '2026-01-15T10:00'], ['acceptance', 'met', '2025-11-03T16:00', '2025-11-03T10:00']] },
    // Rejected at 10:00 without a contact, within the response time: the response clock is cancelled.
    { lead: 'L11', owner: 'bob', requested: '2026-01-13T09:00', handedOff: '2026-01-13T09:00', state: 'rejected', decided: '2026-01-13T10:00',
      clocks: [['response', 'cancelled', '2026-01-13T13:00', '2026-01-13T10:00'], ['acceptance', 'met', '2026-01-14T09:00', '2026-01-13T10:00']] },
  ];
  const ruleOf = { response: responseRule!.id, acceptance: acceptanceRule!.id };
  const people = { ann: ann!.id, bob: bob!.id };
  for (const h of handoffSpecs) {
    const revisionId = h.lead === 'L8' ? rB : rA;
    const [row] = await db
      .insert(handoffs)
      .values({
        leadId: lead[h.lead],
        agreementId: h.lead === 'L8' ? agreementB!.id : agreementA!.id,
        revisionId,
        trigger: 'mql',
        requestedAt: at(h.requested),
        state: h.state,
        heldAt: h.held ? at(h.requested) : null,
        releasedAt: h.held ? at(h.handedOff) : null,
        missingFields: h.held ? ['phone'] : [],
        ownerId: people[h.owner],
        handedOffAt: at(h.handedOff),
        decidedAt: h.decided ? at(h.decided) : null,
        firstContactAt: h.firstContact ? at(h.firstContact) : null,
      })
      .returning();
    for (const [kind, status, due, stopped] of h.clocks) {
      const [clock] = await db
        .insert(slaClocksTable)
        .values({ leadId: lead[h.lead], ruleId: ruleOf[kind], revisionId, clock: kind, handoffId: row!.id, ownerId: people[h.owner], status, startedAt: at(h.handedOff), dueAt: at(due), stoppedAt: stopped ? at(stopped) : null })
        .returning();
      if (status === 'breached') {
        await db.insert(slaBreaches).values({ clockId: clock!.id, leadId: lead[h.lead], ruleId: ruleOf[kind], revisionId, clock: kind, ownerId: people[h.owner], dueAt: at(due), breachedAt: at(due), resolvedAt: stopped ? at(stopped) : null });
      }
    }
  }

  return { agreementA: agreementA!.id, agreementB: agreementB!.id, revisionA: rA, ann: ann!.id, bob: bob!.id, lead };
}
