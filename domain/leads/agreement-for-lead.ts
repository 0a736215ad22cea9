import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { slaAgreements } from '../../db/schema/index';

export interface ActiveAgreement {
  id: string;
  activeRevisionId: string;
  segment: Record<string, unknown> | null;
}

export async function activeAgreements(db: DbOrTx): Promise<ActiveAgreement[]> {
  const found = await db
    .select({ id: slaAgreements.id, activeRevisionId: slaAgreements.activeRevisionId, segment: slaAgreements.segment })
    .from(slaAgreements)
    .where(eq(slaAgreements.status, 'active'))
    .orderBy(asc(slaAgreements.createdAt));
  return found.filter((a): a is ActiveAgreement => !!a.activeRevisionId);
}

/**
 * The agreement that covers a lead: the oldest active agreement whose segment matches, where a
 * segment is {field: value | [values]} on the lead's fields (e.g. {"country": ["US", "CA"]}).
 */
export function agreementFor(agreements: readonly ActiveAgreement[], lead: Record<string, unknown>): ActiveAgreement | null {
  for (const agreement of agreements) {
    const segment = agreement.segment;
    if (!segment || Object.keys(segment).length === 0) return agreement;
    const matches = Object.entries(segment).every(([field, wanted]) => {
      const actual = lead[field];
      const values = Array.isArray(wanted) ? wanted : [wanted];
      return values.some((v) => String(v).toLowerCase() === String(actual ?? '').toLowerCase());
    });
    if (matches) return agreement;
  }
  return null;
}
