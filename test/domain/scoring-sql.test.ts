import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client';
import { activityPredicate, fitPredicate } from '../../domain/scoring/sql';
import { fitPoints, interestMatches, type RuleOperator } from '../../domain/scoring/rules';
import { openTestDatabase } from '../helpers/db';

// The SQL predicates must mean exactly what the pure rules mean: same cases, both evaluated.

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database?.dispose());

const leads = [
  { title: 'VP Marketing', seniority: 'VP', companySize: 250, industry: 'Software', country: 'US', attributes: { plan: 'pro', seats: 12, tags: ['abm', 'priority'], trial: true } },
  { title: '  head of sales ', seniority: 'director', companySize: 5000, industry: 'software', country: 'de', attributes: { seats: '40', plan: '' } },
  { title: null, seniority: null, companySize: null, industry: null, country: null, attributes: {} },
  { title: 'Engineer', seniority: 'staff', companySize: 199, industry: 'Retail', country: 'FR', attributes: { tags: [], seats: 3.5 } },
];

const fitCases: { attribute: string; operator: RuleOperator; value?: unknown }[] = [
  { attribute: 'seniority', operator: 'equals', value: 'vp' },
  { attribute: 'seniority', operator: 'in', value: ['VP', 'Director'] },
  { attribute: 'title', operator: 'contains', value: 'sales' },
  { attribute: 'title', operator: 'contains', value: 'VP' },
  { attribute: 'company_size', operator: 'range', value: { min: 200, max: 5000 } },
  { attribute: 'company_size', operator: 'range', value: { min: 200 } },
  { attribute: 'company_size', operator: 'equals', value: '250' },
  { attribute: 'company_size', operator: 'exists' },
  { attribute: 'industry', operator: 'equals', value: 'SOFTWARE' },
  { attribute: 'country', operator: 'in', value: ['us', 'DE'] },
  { attribute: 'title', operator: 'exists', value: false },
  { attribute: 'attributes.plan', operator: 'equals', value: 'pro' },
  { attribute: 'attributes.plan', operator: 'exists' },
  { attribute: 'attributes.seats', operator: 'range', value: { min: 10, max: 50 } },
  { attribute: 'attributes.seats', operator: 'equals', value: 12 },
  { attribute: 'attributes.seats', operator: 'equals', value: '40' },
  { attribute: 'attributes.tags', operator: 'contains', value: 'ABM' },
  { attribute: 'attributes.tags', operator: 'exists' },
  { attribute: 'attributes.trial', operator: 'equals', value: true },
  { attribute: 'attributes.missing', operator: 'exists', value: false },
];

describe('SQL rule predicates agree with the pure rules', () => {
  it('for fit rules on lead attributes', async () => {
    for (const lead of leads) {
      const values = sql`(select ${lead.title}::text as title, ${lead.seniority}::text as seniority, ${lead.companySize}::int as company_size,
        ${lead.industry}::text as industry, ${lead.country}::text as country, null::text as department, 'x'::text as source, ${JSON.stringify(lead.attributes)}::jsonb as attributes) l`;
      for (const rule of fitCases) {
        const [row] = await rows<{ hit: boolean }>(database.db, sql`select coalesce(${fitPredicate(rule)}, false) as hit from ${values}`);
        const expected = fitPoints({ ...rule, points: 1 }, lead) === 1;
        expect({ lead: lead.title, rule, hit: row!.hit }).toEqual({ lead: lead.title, rule, hit: expected });
      }
    }
  });

  it('for interest rules on activity properties', async () => {
    const activities = [
      { type: 'page_view', properties: { url: 'https://x.test/Pricing?plan=pro', utm: { source: 'LinkedIn' } } },
      { type: 'page_view', properties: { url: 'https://x.test/blog' } },
      { type: 'email_click', properties: { campaign: 'q1', score: 7 } },
      { type: 'page_view', properties: {} },
    ];
    const rules = [
      { activityType: 'page_view', propertyFilters: [] },
      { activityType: 'page_view', propertyFilters: [{ property: 'url', operator: 'contains' as const, value: '/pricing' }] },
      { activityType: 'page_view', propertyFilters: [{ property: 'utm.source', operator: 'equals' as const, value: 'linkedin' }] },
      { activityType: 'email_click', propertyFilters: [{ property: 'score', operator: 'range' as const, value: { min: 5 } }] },
      { activityType: 'email_click', propertyFilters: [{ property: 'campaign', operator: 'in' as const, value: ['Q1', 'q2'] }] },
      { activityType: 'page_view', propertyFilters: [{ property: 'url', operator: 'exists' as const, value: false }] },
    ];
    for (const activity of activities) {
      for (const rule of rules) {
        const [row] = await rows<{ hit: boolean }>(
          database.db,
          sql`select coalesce(${activityPredicate(rule)}, false) as hit from (select ${activity.type}::text as type, ${JSON.stringify(activity.properties)}::jsonb as properties) a`,
        );
        const expected = interestMatches({ ...rule, points: 1, repeatPolicy: 'every_time' }, activity);
        expect({ activity, rule, hit: row!.hit }).toEqual({ activity, rule, hit: expected });
      }
    }
  });
});
