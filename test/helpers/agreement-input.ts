// A complete, valid set of rules in GraphQL input form (all seven parts of the SLA).
/* eslint-disable @typescript-eslint/no-explicit-any */
export function completeRules(salesUserIds: string[] = []): any {
  return {
    timeZone: 'America/New_York',
    notes: 'first version',
    goals: [
      {
        key: 'new_revenue_q1',
        name: 'New revenue Q1',
        metric: 'NEW_REVENUE',
        target: 100_000_000,
        currency: 'USD',
        periodStart: '2026-01-01',
        periodEnd: '2026-03-31',
        ownerSide: 'SHARED',
        averageDealSizeMinor: 2_000_000,
        rateSource: 'CONFIGURED',
        rates: { winRate: 0.25, sqlToOpportunity: 0.5, mqlToSql: 0.4, leadToMql: 0.2, visitorToLead: 0.02 },
      },
      {
        key: 'mqls_q1',
        name: 'MQLs delivered in Q1',
        metric: 'MQLS',
        target: 1000,
        periodStart: '2026-01-01',
        periodEnd: '2026-03-31',
        ownerSide: 'MARKETING',
        rateSource: 'HISTORICAL',
        lookbackDays: 90,
      },
    ],
    stages: [
      { stage: 'LEAD', name: 'Lead', definition: 'A known person with a valid business e-mail.' },
      { stage: 'MQL', name: 'Marketing qualified', definition: 'Fit ≥ 40 and interest ≥ 30.', criteria: { minFit: 40, minInterest: 30 } },
      { stage: 'SQL', name: 'Sales qualified', definition: 'Sales accepted the hand-off.', maxBusinessHoursInStage: 80 },
      { stage: 'OPPORTUNITY', name: 'Opportunity', definition: 'A qualified deal in the pipeline.' },
      { stage: 'CUSTOMER', name: 'Customer', definition: 'Signed.' },
      { stage: 'RECYCLED', name: 'Recycled', definition: 'Back with Marketing for nurture.' },
      { stage: 'DISQUALIFIED', name: 'Disqualified', definition: 'Not a fit, ever.' },
    ],
    transitions: [
      { from: 'LEAD', to: 'MQL', automatic: true },
      { from: 'LEAD', to: 'DISQUALIFIED', requiresReason: true },
      { from: 'MQL', to: 'SQL' },
      { from: 'MQL', to: 'RECYCLED', requiresReason: true },
      { from: 'MQL', to: 'DISQUALIFIED', requiresReason: true },
      { from: 'SQL', to: 'OPPORTUNITY' },
      { from: 'SQL', to: 'RECYCLED', requiresReason: true },
      { from: 'OPPORTUNITY', to: 'CUSTOMER' },
      { from: 'OPPORTUNITY', to: 'RECYCLED', requiresReason: true },
      { from: 'RECYCLED', to: 'MQL', automatic: true },
    ],
    pipelineStages: [
      { key: 'discovery', name: 'Discovery', probability: 0.2 },
      { key: 'proposal', name: 'Proposal', probability: 0.5 },
      { key: 'won', name: 'Won', probability: 1, outcome: 'WON' },
      { key: 'lost', name: 'Lost', probability: 0, outcome: 'LOST' },
    ],
    scoring: {
      mqlFitThreshold: 40,
      mqlInterestThreshold: 30,
      rules: [
        { key: 'vp_title', name: 'VP or C-level', dimension: 'FIT', attribute: 'seniority', operator: 'IN', value: ['vp', 'c-level'], points: 30 },
        { key: 'mid_market', name: '200–5,000 employees', dimension: 'FIT', attribute: 'company_size', operator: 'RANGE', value: { min: 200, max: 5000 }, points: 20 },
        { key: 'software', name: 'Software industry', dimension: 'FIT', attribute: 'industry', operator: 'EQUALS', value: 'Software', points: 10 },
        {
          key: 'pricing_view',
          name: 'Pricing page view',
          dimension: 'INTEREST',
          activityType: 'PAGE_VIEW',
          propertyFilters: [{ property: 'url', operator: 'CONTAINS', value: '/pricing' }],
          points: 10,
          repeatPolicy: 'MAX_PER_PERIOD',
          repeatMax: 3,
          repeatPeriodDays: 30,
          decayHalfLifeDays: 30,
        },
        { key: 'webinar', name: 'Attended a webinar', dimension: 'INTEREST', activityType: 'WEBINAR_ATTENDANCE', points: 15, repeatPolicy: 'ONCE' },
        { key: 'email_click', name: 'E-mail click', dimension: 'INTEREST', activityType: 'EMAIL_CLICK', points: 3, decayHalfLifeDays: 14 },
        { key: 'unsubscribe', name: 'Unsubscribed', dimension: 'INTEREST', activityType: 'UNSUBSCRIBE', points: -25, repeatPolicy: 'ONCE' },
      ],
      temperatureBands: [
        { temperature: 'COLD', minScore: -1000, maxScore: 50 },
        { temperature: 'WARM', minScore: 50, maxScore: 90 },
        { temperature: 'HOT', minScore: 90 },
      ],
      fitGrades: [
        { grade: 'A', minFit: 50 },
        { grade: 'B', minFit: 30 },
        { grade: 'C', minFit: 10 },
        { grade: 'D', minFit: -1000 },
      ],
    },
    handoff: {
      handoffOnMql: true,
      triggerActivityTypes: ['DEMO_REQUEST', 'TRIAL_REQUEST', 'CONSULTATION_REQUEST'],
      requiredFields: [
        { field: 'email', label: 'E-mail' },
        { field: 'phone', label: 'Phone' },
        { field: 'company_name', label: 'Company' },
      ],
    },
    routing: { method: 'WEIGHTED_ROUND_ROBIN', members: salesUserIds.map((userId, i) => ({ userId, weight: i + 1, capacity: 40 })) },
    businessHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
    holidays: [
      { day: '2026-01-01', name: "New Year's Day" },
      { day: '2026-07-03', name: 'Independence Day (observed)' },
    ],
    clocks: [
      { clock: 'ACCEPTANCE', businessMinutes: 480 },
      { clock: 'RESPONSE', businessMinutes: 240 },
      { clock: 'CADENCE_INTERVAL', businessMinutes: 960 },
      { clock: 'TIME_IN_STAGE', stage: 'SQL', businessMinutes: 4800 },
    ],
    cadence: { allowedChannels: ['PHONE', 'EMAIL', 'VIDEO'], maxAttempts: 6, minIntervalBusinessMinutes: 480, maxSpanDays: 14 },
    reasonCodes: [
      { kind: 'RECYCLE', code: 'no_response', label: 'No response after the cadence' },
      { kind: 'RECYCLE', code: 'bad_timing', label: 'Bad timing' },
      { kind: 'DISQUALIFY', code: 'not_a_fit', label: 'Not a fit' },
      { kind: 'REJECT', code: 'missing_info', label: 'Hand-off lacks information' },
    ],
    recycleRules: [
      { trigger: 'MAX_ATTEMPTS', reasonCode: 'no_response', nurtureWorkflowKey: 'reengage', requalifyAfterDays: 30 },
      { trigger: 'MANUAL', reasonCode: 'bad_timing', nurtureWorkflowKey: 'reengage', requalifyAfterDays: 60 },
    ],
    nurtureWorkflows: [
      {
        key: 'reengage',
        name: 'Re-engage',
        buyingStage: 'CONSIDERATION',
        steps: [
          { name: 'Case study', content: 'How Acme cut churn', delayDays: 2 },
          { name: 'Webinar invite', content: 'Monthly product webinar', delayDays: 7 },
        ],
        enrolmentRules: [{ trigger: 'ON_RECYCLE', reasonCode: 'no_response' }],
      },
    ],
  };
}

/** Three rules: a fit rule, a capped interest rule, a decaying interest rule. */
export function handRules(): any {
  const rules = completeRules([]);
  // No reps here: hand-offs wait for a person (MANUAL routing) — activation refuses an empty
  // round-robin pool.
  rules.routing = { method: 'MANUAL', members: [] };
  rules.scoring = {
    mqlFitThreshold: 30,
    mqlInterestThreshold: 25,
    rules: [
      { key: 'vp', name: 'VP', dimension: 'FIT', attribute: 'seniority', operator: 'IN', value: ['vp'], points: 30 },
      {
        key: 'pricing', name: 'Pricing page', dimension: 'INTEREST', activityType: 'PAGE_VIEW',
        propertyFilters: [{ property: 'url', operator: 'CONTAINS', value: '/pricing' }],
        points: 10, repeatPolicy: 'MAX_PER_PERIOD', repeatMax: 2, repeatPeriodDays: 30,
      },
      { key: 'webinar', name: 'Webinar', dimension: 'INTEREST', activityType: 'WEBINAR_ATTENDANCE', points: 20, decayHalfLifeDays: 30 },
    ],
    temperatureBands: [
      { temperature: 'COLD', minScore: -1000, maxScore: 40 },
      { temperature: 'WARM', minScore: 40, maxScore: 80 },
      { temperature: 'HOT', minScore: 80 },
    ],
    fitGrades: [
      { grade: 'A', minFit: 30 },
      { grade: 'B', minFit: 20 },
      { grade: 'C', minFit: 10 },
      { grade: 'D', minFit: -1000 },
    ],
  };
  return rules;
}

