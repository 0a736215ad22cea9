import { describe, expect, it } from 'vitest';
import {
  decayedPoints,
  fitGradeFor,
  fitPoints,
  interestMatches,
  interestScoreAt,
  leadAttribute,
  matchesOperator,
  repeatAllows,
  roundScore,
  temperatureFor,
  type FitRule,
  type InterestRule,
  type ScorableLead,
} from '../../domain/scoring/rules';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

const lead: ScorableLead = {
  title: 'Marketing Operations Manager',
  seniority: 'manager',
  department: 'Marketing',
  companySize: 450,
  industry: 'Software',
  country: 'US',
  source: 'referral',
  attributes: { crm: 'salesforce', stack: ['hubspot', 'slack'], budget: { usd: 25000 } },
};

const fit = (rule: Omit<FitRule, 'points'>, points = 10): FitRule => ({ ...rule, points });

describe('fitPoints', () => {
  it('equals ignores case and surrounding spaces', () => {
    expect(fitPoints(fit({ attribute: 'seniority', operator: 'equals', value: 'Manager ' }), lead)).toBe(10);
    expect(fitPoints(fit({ attribute: 'seniority', operator: 'equals', value: 'director' }), lead)).toBe(0);
  });

  it('in matches any listed value', () => {
    expect(fitPoints(fit({ attribute: 'country', operator: 'in', value: ['CA', 'us'] }, 8), lead)).toBe(8);
    expect(fitPoints(fit({ attribute: 'industry', operator: 'in', value: ['Retail', 'Energy'] }, 8), lead)).toBe(0);
  });

  it('contains is a case-insensitive substring test on text', () => {
    expect(fitPoints(fit({ attribute: 'title', operator: 'contains', value: 'operations' }, 5), lead)).toBe(5);
    expect(fitPoints(fit({ attribute: 'title', operator: 'contains', value: 'student' }, -30), lead)).toBe(0);
    expect(fitPoints(fit({ attribute: 'title', operator: 'contains', value: 'student' }, -30), { title: 'Graduate Student' })).toBe(-30);
  });

  it('contains tests membership for a list attribute', () => {
    expect(fitPoints(fit({ attribute: 'attributes.stack', operator: 'contains', value: 'HubSpot' }), lead)).toBe(10);
    expect(fitPoints(fit({ attribute: 'attributes.stack', operator: 'contains', value: 'hub' }), lead)).toBe(0);
  });

  it('range includes min and excludes max; either bound may be open', () => {
    const midMarket = fit({ attribute: 'company_size', operator: 'range', value: { min: 200, max: 2000 } }, 15);
    expect(fitPoints(midMarket, { companySize: 200 })).toBe(15);
    expect(fitPoints(midMarket, { companySize: 1999 })).toBe(15);
    expect(fitPoints(midMarket, { companySize: 2000 })).toBe(0);
    expect(fitPoints(midMarket, { companySize: 199 })).toBe(0);
    expect(fitPoints(midMarket, { companySize: null })).toBe(0);
    expect(fitPoints(fit({ attribute: 'company_size', operator: 'range', value: { min: 2000 } }), { companySize: 250000 })).toBe(10);
    expect(fitPoints(fit({ attribute: 'company_size', operator: 'range', value: { max: 50 } }), { companySize: 12 })).toBe(10);
  });

  it('range reads numbers given as text', () => {
    expect(fitPoints(fit({ attribute: 'attributes.budget.usd', operator: 'range', value: { min: 20000 } }), lead)).toBe(10);
    expect(fitPoints(fit({ attribute: 'attributes.seats', operator: 'range', value: { min: 10 } }), { attributes: { seats: '25' } })).toBe(10);
  });

  it('exists is true for a present value and, with value false, for a missing one', () => {
    expect(fitPoints(fit({ attribute: 'attributes.crm', operator: 'exists' }, 5), lead)).toBe(5);
    expect(fitPoints(fit({ attribute: 'attributes.crm', operator: 'exists' }, 5), { attributes: {} })).toBe(0);
    expect(fitPoints(fit({ attribute: 'attributes.crm', operator: 'exists' }, 5), { attributes: { crm: '  ' } })).toBe(0);
    expect(fitPoints(fit({ attribute: 'phone', operator: 'exists', value: false }, -5), lead)).toBe(-5);
  });

  it('reads snake_case rule attributes from the camelCase lead', () => {
    expect(leadAttribute(lead, 'company_size')).toBe(450);
    expect(leadAttribute(lead, 'attributes.crm')).toBe('salesforce');
    expect(leadAttribute(lead, 'favourite_colour')).toBeUndefined();
  });

  it('never matches a missing attribute with equals or in', () => {
    expect(matchesOperator('equals', undefined, 'x')).toBe(false);
    expect(matchesOperator('in', null, ['x'])).toBe(false);
  });
});

const pricing: InterestRule = {
  activityType: 'pricing_page_view',
  propertyFilters: [{ property: 'url', operator: 'contains', value: '/pricing' }],
  points: 10,
  repeatPolicy: 'every_time',
  decayHalfLifeDays: 30,
};

describe('interestMatches', () => {
  it('needs the activity type and every property filter', () => {
    expect(interestMatches(pricing, { type: 'pricing_page_view', properties: { url: '/pricing/enterprise' } })).toBe(true);
    expect(interestMatches(pricing, { type: 'pricing_page_view', properties: { url: '/blog' } })).toBe(false);
    expect(interestMatches(pricing, { type: 'page_view', properties: { url: '/pricing' } })).toBe(false);
    expect(interestMatches(pricing, { type: 'pricing_page_view' })).toBe(false);
  });

  it('supports the other operators on properties', () => {
    const gated: InterestRule = {
      activityType: 'content_download',
      propertyFilters: [
        { property: 'asset_type', operator: 'in', value: ['ebook', 'whitepaper'] },
        { property: 'campaign.id', operator: 'exists' },
        { property: 'pages', operator: 'range', value: { min: 10 } },
      ],
      points: 8,
      repeatPolicy: 'every_time',
    };
    expect(interestMatches(gated, { type: 'content_download', properties: { asset_type: 'Ebook', campaign: { id: 'c1' }, pages: 24 } })).toBe(true);
    expect(interestMatches(gated, { type: 'content_download', properties: { asset_type: 'ebook', campaign: { id: 'c1' }, pages: 4 } })).toBe(false);
    expect(interestMatches(gated, { type: 'content_download', properties: { asset_type: 'template', campaign: { id: 'c1' }, pages: 24 } })).toBe(false);
  });

  it('matches any activity of the type when there are no filters', () => {
    expect(interestMatches({ ...pricing, activityType: 'email_open', propertyFilters: [] }, { type: 'email_open' })).toBe(true);
  });
});

describe('repeatAllows', () => {
  it('every_time always allows', () => {
    expect(repeatAllows(pricing, [day('2026-01-01'), day('2026-01-01')], day('2026-01-01'))).toBe(true);
  });

  it('once allows only the first award', () => {
    const once: InterestRule = { ...pricing, repeatPolicy: 'once' };
    expect(repeatAllows(once, [], day('2026-01-01'))).toBe(true);
    expect(repeatAllows(once, [day('2025-01-01')], day('2026-01-01'))).toBe(false);
  });

  it('max_per_period counts awards in fixed periods from the first award', () => {
    const capped: InterestRule = { ...pricing, repeatPolicy: 'max_per_period', repeatMax: 3, repeatPeriodDays: 7 };
    const awards = [day('2026-03-01'), day('2026-03-03'), day('2026-03-05')];
    expect(repeatAllows(capped, awards.slice(0, 2), day('2026-03-06'))).toBe(true);
    expect(repeatAllows(capped, awards, day('2026-03-06'))).toBe(false);
    // The first period is 7 days from the first award (2026-03-01 12:00): still full just before its end…
    expect(repeatAllows(capped, awards, new Date('2026-03-08T11:59:59Z'))).toBe(false);
    // …and a new period starts at 2026-03-08 12:00.
    expect(repeatAllows(capped, awards, day('2026-03-08'))).toBe(true);
    expect(repeatAllows(capped, [...awards, day('2026-03-08'), day('2026-03-09'), day('2026-03-10')], day('2026-03-11'))).toBe(false);
  });
});

describe('decayedPoints', () => {
  it('halves every half-life', () => {
    expect(decayedPoints(10, 30, day('2026-01-01'), day('2026-01-31'))).toBeCloseTo(5, 10);
    expect(decayedPoints(10, 30, day('2026-01-01'), day('2026-03-02'))).toBeCloseTo(2.5, 10);
    // 15 days is half a half-life: 10 × 0.5^0.5 = 7.0710678…
    expect(decayedPoints(10, 30, day('2026-01-01'), day('2026-01-16'))).toBeCloseTo(7.0710678, 6);
    expect(decayedPoints(-20, 10, day('2026-01-01'), day('2026-01-21'))).toBeCloseTo(-5, 10);
  });

  it('does not decay without a half-life, nor before the activity happened', () => {
    expect(decayedPoints(40, null, day('2025-01-01'), day('2026-01-01'))).toBe(40);
    expect(decayedPoints(10, 30, day('2026-02-01'), day('2026-01-01'))).toBe(10);
  });

  it('sums to the interest score, rounded half away from zero', () => {
    const entries = [
      { points: 10, decayHalfLifeDays: 30, occurredAt: day('2026-01-01') }, // 5 at 2026-01-31
      { points: 2, decayHalfLifeDays: 30, occurredAt: day('2026-01-31') }, // 2
      { points: 40, decayHalfLifeDays: null, occurredAt: day('2025-06-01') }, // 40
      { points: -15, decayHalfLifeDays: null, occurredAt: day('2026-01-10') }, // -15
    ];
    expect(interestScoreAt(entries, day('2026-01-31'))).toBe(32);
    expect(roundScore(2.5)).toBe(3);
    expect(roundScore(-2.5)).toBe(-3);
    expect(roundScore(-2.4)).toBe(-2);
  });
});

describe('temperatureFor and fitGradeFor', () => {
  const bands = [
    { temperature: 'warm', minScore: 50, maxScore: 90 },
    { temperature: 'cold', minScore: 0, maxScore: 50 },
    { temperature: 'hot', minScore: 90, maxScore: null },
  ] as const;
  const grades = [
    { grade: 'C', minFit: 20 },
    { grade: 'A', minFit: 60 },
    { grade: 'D', minFit: 0 },
    { grade: 'B', minFit: 40 },
  ] as const;

  it('puts a score in the band whose [min, max) holds it', () => {
    expect(temperatureFor(bands, 0)).toBe('cold');
    expect(temperatureFor(bands, 49)).toBe('cold');
    expect(temperatureFor(bands, 50)).toBe('warm');
    expect(temperatureFor(bands, 89)).toBe('warm');
    expect(temperatureFor(bands, 90)).toBe('hot');
    expect(temperatureFor(bands, 1000)).toBe('hot');
  });

  it('treats scores below every band as the lowest band', () => {
    expect(temperatureFor(bands, -12)).toBe('cold');
  });

  it('gives the best grade whose threshold the fit reaches', () => {
    expect(fitGradeFor(grades, 75)).toBe('A');
    expect(fitGradeFor(grades, 60)).toBe('A');
    expect(fitGradeFor(grades, 59)).toBe('B');
    expect(fitGradeFor(grades, 40)).toBe('B');
    expect(fitGradeFor(grades, 20)).toBe('C');
    expect(fitGradeFor(grades, 3)).toBe('D');
    expect(fitGradeFor(grades, -30)).toBe('D');
  });
});
