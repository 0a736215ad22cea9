// Lead sources differ in volume, in how well their visitors convert to leads, and in lead quality
// (referrals and events buy; social mostly browses).
import type { LeadSource } from '../schema/enums';
import { leadSources } from '../schema/enums';

export interface SourceProfile {
  source: LeadSource;
  /** Share of all leads in an average month. */
  share: number;
  /** Relative visitor→lead rate; scaled so the overall rate is about 2 %. */
  relativeConversion: number;
  /** Multiplies buying intent: >1 converts better down the funnel. */
  quality: number;
}

export const sourceProfiles: Record<LeadSource, SourceProfile> = {
  organic_search: { source: 'organic_search', share: 0.26, relativeConversion: 0.8, quality: 0.95 },
  paid_search: { source: 'paid_search', share: 0.17, relativeConversion: 1.3, quality: 1.0 },
  social: { source: 'social', share: 0.14, relativeConversion: 0.45, quality: 0.55 },
  email: { source: 'email', share: 0.11, relativeConversion: 2.2, quality: 0.9 },
  referral: { source: 'referral', share: 0.07, relativeConversion: 1.9, quality: 1.55 },
  events: { source: 'events', share: 0.08, relativeConversion: 3.0, quality: 1.4 },
  partner: { source: 'partner', share: 0.07, relativeConversion: 1.6, quality: 1.25 },
  direct: { source: 'direct', share: 0.1, relativeConversion: 1.0, quality: 1.1 },
};

export const OVERALL_VISITOR_TO_LEAD = 0.02;

/** Events cluster in spring and autumn; e-mail pushes after holidays; paid search is steady. */
export function sourceShareFactor(source: LeadSource, month: number): number {
  switch (source) {
    case 'events':
      return [3, 4, 5, 9, 10].includes(month) ? 1.7 : [7, 8, 12].includes(month) ? 0.35 : 0.9;
    case 'email':
      return month === 1 || month === 9 ? 1.3 : 1;
    case 'social':
      return month === 7 || month === 8 ? 1.2 : 1;
    default:
      return 1;
  }
}

/** Source shares for a month, normalised to 1. */
export function monthlySourceShares(month: number): number[] {
  const raw = leadSources.map((source) => sourceProfiles[source].share * sourceShareFactor(source, month));
  const total = raw.reduce((sum, value) => sum + value, 0);
  return raw.map((value) => value / total);
}

/** Absolute visitor→lead rate per source: relative rates scaled so the share-weighted mix is 2 %. */
export function visitorToLeadRates(): Record<LeadSource, number> {
  let visitorsPerLead = 0;
  for (const source of leadSources) visitorsPerLead += sourceProfiles[source].share / sourceProfiles[source].relativeConversion;
  const scale = visitorsPerLead * OVERALL_VISITOR_TO_LEAD;
  const rates = {} as Record<LeadSource, number>;
  for (const source of leadSources) rates[source] = sourceProfiles[source].relativeConversion * scale;
  return rates;
}
