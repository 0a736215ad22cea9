import type { DbOrTx } from '../../db/client';
import { governingAgreement, scopedAgreements, type ScopedAgreement } from '../agreements/scope';
import type { ScorableLead } from '../scoring/rules';

// The agreement a new lead joins: the first active agreement whose scope matches its fields, by
// priority (domain/agreements/scope.ts).

export type ActiveAgreement = ScopedAgreement;

export async function activeAgreements(db: DbOrTx): Promise<ActiveAgreement[]> {
  return scopedAgreements(db);
}

/** The agreement that governs a lead with these fields (camelCase, as the API takes them), or null. */
export function agreementFor(agreements: readonly ActiveAgreement[], lead: Record<string, unknown>): ActiveAgreement | null {
  return governingAgreement(agreements, lead as ScorableLead);
}
